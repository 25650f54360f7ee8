from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("away/", views.away, name="away"),
    path("security/", views.security, name="two-factor"),
    path("security/backup-codes/", views.backup_codes, name="backup-codes"),
    path("session/", views.session_status, name="session-status"),
    path("session/keep-alive/", views.session_keep_alive, name="session-keep-alive"),
    path("session/ended/", views.session_ended, name="session-ended"),
]
