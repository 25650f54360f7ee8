"""What every API endpoint shares: ids in the input, and a schema that documents the refusals too, so a
client (and schemathesis) knows every answer.

Each operation gets the error answers its shape allows, unless a view names them itself:
401 without a valid token, 403 for a role that may not, 404 for an id the caller cannot see,
400 for input that does not validate or a request the services refuse (every POST, and a GET with
validated query parameters), and 409 for a step the record's workflow or its claim does not allow now
(every POST on a record: close, reply, escalate, ...).
"""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

# The largest id a database column holds (a 64-bit integer): a larger one is a 400, not a 500.
LARGEST_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """The id of a record in the input: a positive number within what a database column holds."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=LARGEST_ID, **kwargs)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused, for the person who made it.")


INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The input does not validate: each field's problems by name, or `detail`.",
)


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        on_a_record = "{" in path
        validates_input = self.method == "POST" or any(
            parameter["in"] == "query" and parameter["name"] not in ("limit", "offset")
            for parameter in operation.get("parameters", [])
        )
        errors = {
            "401": ErrorSerializer,
            "403": ErrorSerializer,
            "404": ErrorSerializer if on_a_record else None,
            "400": INVALID if validates_input else None,
            "409": ErrorSerializer if on_a_record and self.method == "POST" else None,
        }
        for code, serializer in errors.items():
            if serializer is not None and code not in responses:
                responses[code] = self._get_response_for_code(serializer, code)
        return operation
