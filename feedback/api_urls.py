from django.urls import path

from feedback import api

urlpatterns = [
    path("feedback/", api.FeedbackList.as_view(), name="api-feedback"),
    path("feedback/<int:pk>/", api.FeedbackDetail.as_view(), name="api-feedback-detail"),
    path("feedback/<int:pk>/status/", api.FeedbackStatus.as_view(), name="api-feedback-status"),
]
