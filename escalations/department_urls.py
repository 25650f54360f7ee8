from django.urls import path

from escalations import department_views as views

app_name = "department"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/request-info/", views.request_info, name="request-info"),
]
