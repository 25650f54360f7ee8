from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import BareRow


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    """Insert one row through the ORM and answer, as small as a view that writes can be."""
    BareRow.objects.create(text=request.POST.get("Body", "")[:200])
    return HttpResponse("ok", content_type="text/plain")
