from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from webcare import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/code/", account_views.login_code, name="login-code"),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("accounts.urls")),
    path("inbox/", include("inbox.urls")),
    path("protocols/", include("protocols.urls")),
    path("escalations/", include("escalations.desk_urls")),
    path("department/", include("escalations.department_urls")),
    path("departments/", include("escalations.departments_urls")),
    path("feedback/", include("feedback.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("privacy.urls")),
    path("audit/", include("audit.urls")),
    path("volg/", include("feedback.public_urls")),
    path("webhooks/", include("channels.urls")),
    path("channels/", include("channels.health_urls")),
    path("simulator/", include("channels.simulator_urls")),
    path("api/v1/", include("inbox.api_urls")),
    path("api/v1/", include("escalations.api_urls")),
    path("api/v1/", include("feedback.api_urls")),
    path("api/v1/protocols/", include("protocols.api_urls")),
    path("api/v1/monitoring/", include("monitoring.api_urls")),
    path("api/v1/", include("reports.api_urls")),
    path("suggestions/", include("protocols.panel_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the Content Security Policy forbids inline ones.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    path("admin/login/", account_views.admin_login),
    path("admin/", admin.site.urls),
]
