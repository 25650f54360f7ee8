from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:slug>.csv", views.chart_csv, name="csv"),
]
