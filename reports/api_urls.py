from django.urls import path

from reports import api

urlpatterns = [path("metrics/", api.Metrics.as_view(), name="api-metrics")]
