"""Every URL pattern of the project, for the tests that must cover them all."""

from collections.abc import Iterator
from typing import NamedTuple

from django.urls import URLPattern, URLResolver, get_resolver


class Route(NamedTuple):
    path: str  # the pattern, e.g. "inbox/<int:pk>/reply/"
    name: str | None  # with its namespaces, e.g. "inbox:reply"
    view: object


def routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from routes(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(prefix + str(pattern.pattern), name, pattern.callback)
