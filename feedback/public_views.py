from django.http import Http404


def status_page(request, token: str):
    raise Http404
