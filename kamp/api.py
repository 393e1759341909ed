"""The REST API under /api/v1/: a personal API token (``Authorization: Bearer``) or the
browser's session (its login, with CSRF).
Each business area adds its router here; the schema and docs are served locally at
/api/v1/docs."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.parser import Parser
from ninja.security import django_auth

from kamp.connect.tokens import api_token_auth


class ObjectBodyParser(Parser):
    """Every body the API takes is a JSON object. django-ninja would read ``null``, a list or a
    bare number as "no fields given" and fill in the defaults (a snapshot or a joint link made
    from ``[1, 2]``); refuse them instead (ninja answers 400 "Cannot parse request body")."""

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        return data


# The refusals every operation may answer, each ``{"detail": <message>}`` (documented once here
# rather than on each of the ~80 operations; an operation's own declaration of a status wins).
ERROR_RESPONSES = {
    400: "Malformed request: a body that is not a JSON object, a NUL character, a number or "
    "date out of range.",
    401: "Not logged in.",
    403: "Logged in, but not allowed (e.g. money of an account you may not see).",
    404: "No such object, or one you may not read.",
    422: "Invalid input: ``detail`` names the fields and why.",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"description": "What was wrong: a message, or the errors by field."}},
    "required": ["detail"],
}


def _name_inline_objects(operation: dict, responses: dict) -> None:
    """ninja titles every inline ``dict`` answer "Response": an operation answering a dict on
    two statuses (409 and 412) then holds two schemas of one name, and client generators
    (openapi-python-client, tests/connect) drop both. Each gets its operation's and status's
    name."""
    for status, response in responses.items():
        schema = (response.get("content") or {}).get("application/json", {}).get("schema") or {}
        if schema.get("title") == "Response" and schema.get("type") == "object":
            schema["title"] = f"{operation.get('operationId', 'operation')}_{status}"


class KampAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                _name_inline_objects(operation, responses)
                for status, description in ERROR_RESPONSES.items():
                    # ninja keys the statuses by int; a declared one (409, 422: dict…) stays
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": description, "content": error}
        return schema


api = KampAPI(
    title="kamp API",
    version="1",
    # A personal API token (Authorization: Bearer kamp_…) first, else the browser's session.
    auth=[api_token_auth, django_auth],
    docs_url="/docs",
    parser=ObjectBodyParser(),
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc):
    return api.create_response(request, {"detail": "Log in first."}, status=401)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc):
    return api.create_response(request, {"detail": "Not allowed."}, status=403)


@api.exception_handler(DjangoValidationError)
def _model_invalid(request: HttpRequest, exc: DjangoValidationError):
    """A model's own validation (``full_clean`` in an action): 422 with the errors by field."""
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(OverflowError)
def _out_of_range(request: HttpRequest, exc: OverflowError):
    """A number too large for the database (SQLite keeps 64-bit integers) or a date pushed past
    year 9999: bad input, answered 422 like any other, not a server error."""
    return api.create_response(request, {"detail": "A number or date is out of range."}, status=422)


def _register_routers() -> None:
    from kamp.customers.api import router as customers_router

    api.add_router("/customers", customers_router)
    for module, prefix in [
        ("kamp.economics.api", "/economics"),
        ("kamp.selection.api", "/selection"),
        ("kamp.team.api", "/team"),
        ("kamp.relationships.api", "/relationships"),
        ("kamp.interactions.api", "/interactions"),
        ("kamp.plans.api", "/plans"),
        ("kamp.programme.api", "/programme"),
        ("kamp.pipeline.api", "/pipeline"),
    ]:
        from importlib import import_module

        router = getattr(import_module(module), "router", None)
        if router is not None:
            api.add_router(prefix, router)


_register_routers()
