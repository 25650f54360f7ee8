from django.urls import path

from channels import simulator

app_name = "simulator"

urlpatterns = [
    path("", simulator.simulator, name="index"),
    path("thread/", simulator.thread, name="thread"),
]
