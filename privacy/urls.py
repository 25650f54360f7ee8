from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("contacts/<int:pk>/", views.contact_privacy, name="contact"),
    path("contacts/<int:pk>/export.json", views.export_json, name="export_json"),
    path("contacts/<int:pk>/export/", views.export_page, name="export_page"),
    path("contacts/<int:pk>/erasure/", views.record_erasure, name="erasure"),
    path("contacts/<int:pk>/holds/", views.set_hold, name="hold"),
    path("holds/<int:pk>/lift/", views.lift_hold, name="lift_hold"),
    path("retention/", views.runs, name="runs"),
]
