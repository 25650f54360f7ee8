from django.urls import path

from channels import health

app_name = "channel_health"

urlpatterns = [path("", health.channel_health, name="index")]
