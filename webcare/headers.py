"""Response headers Django does not set itself."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Switch off browser features (camera, microphone, location, ...) that no page of the desk uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
