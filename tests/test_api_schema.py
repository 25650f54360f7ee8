"""The OpenAPI schema describes every endpoint without guesswork: no warnings, valid OpenAPI 3."""

import io

from django.core.management import call_command


def test_the_schema_is_valid_and_generated_without_warnings(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    for path in ("/api/v1/conversations/{id}/escalate/", "/api/v1/escalations/{id}/answer/"):
        assert path in schema
