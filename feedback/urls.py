from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.suggestion_list, name="list"),
    path("overview/", views.overview, name="overview"),
    path("conversations/<int:conversation_id>/record/", views.record, name="record"),
    path("<int:pk>/", views.suggestion_detail, name="detail"),
    path("<int:pk>/status/", views.change_status, name="status"),
]
