from django.urls import path

from protocols import api

urlpatterns = [path("suggest/", api.Suggest.as_view(), name="api-suggest")]
