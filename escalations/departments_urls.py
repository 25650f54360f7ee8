from django.urls import path

from escalations import departments_views as views

app_name = "departments"

urlpatterns = [
    path("", views.department_list, name="list"),
    path("new/", views.department_edit, name="new"),
    path("<int:pk>/", views.department_edit, name="edit"),
]
