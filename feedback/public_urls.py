from django.urls import path

from feedback import public_views

app_name = "public"
urlpatterns = [path("<str:token>/", public_views.status_page, name="status")]
