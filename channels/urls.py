from django.urls import path

from channels import views

app_name = "channels"

urlpatterns = [
    path("whatsapp/", views.whatsapp_message, name="whatsapp"),
    path("whatsapp/status/", views.whatsapp_status, name="whatsapp-status"),
    path("meta/", views.meta_webhook, name="meta"),
    path("x/", views.x_webhook, name="x"),
]
