from django.urls import path

from monitoring import api

urlpatterns = [
    path("analyze/", api.Analyze.as_view(), name="api-monitoring-analyze"),
    path("mentions/", api.MentionList.as_view(), name="api-monitoring-mentions"),
    path("alerts/", api.AlertList.as_view(), name="api-monitoring-alerts"),
]
