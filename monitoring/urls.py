from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("mentions/<int:pk>/answer/", views.answer, name="answer"),
    path("mentions/<int:pk>/correct/", views.correct, name="correct"),
    path("queries/", views.query_list, name="queries"),
    path("queries/new/", views.query_edit, name="query-new"),
    path("queries/preview/", views.query_preview, name="query-preview"),
    path("queries/<int:pk>/", views.query_edit, name="query-edit"),
    path("queries/<int:pk>/toggle/", views.query_toggle, name="query-toggle"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/seen/", views.alert_seen, name="alert-seen"),
]
