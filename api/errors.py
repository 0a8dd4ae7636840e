"""One JSON shape for every error the API answers, in the caller's language (Accept-Language):

    {"status": 400, "code": "invalid", "message": "请更正以下字段：phone", "fields": {"phone": ["…"]}}

`fields` appears on validation errors only, keyed by the field's name. 404 also answers a record
the caller may not read, so that its existence is not disclosed."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from crm_archive import views as crm_views
from crm_archive.errors import ActionRefused


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(name): _flatten(value) for name, value in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def error_body(status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    body = {"status": status_code, "code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return body


def exception_handler(exc, context):
    """DRF's handler, then the one shape; a refusal by a service rule is a 400 with its message."""
    if isinstance(exc, ActionRefused):
        exc = exceptions.ValidationError({"non_field_errors": [str(exc)]}, code="refused")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        codes = exc.get_codes()
        code = "refused" if "refused" in _flatten(codes) else "invalid"
        if code == "refused":
            message = " ".join(fields.get("non_field_errors", []))
        else:
            message = _("请更正以下字段：%(fields)s") % {"fields": ", ".join(fields)}
        response.data = error_body(response.status_code, code, message, fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(
            response.status_code, code if isinstance(code, str) else "error", " ".join(_flatten(detail))
        )
    return response


def json_error(request, status_code: int) -> JsonResponse:
    """The same shape for what never reaches a view of the API (an unknown address, a control
    character refused by the middleware, a server error)."""
    codes = {
        status.HTTP_400_BAD_REQUEST: ("bad_request", _("请求格式不正确。")),
        status.HTTP_403_FORBIDDEN: ("permission_denied", _("您没有执行该操作的权限。")),
        status.HTTP_404_NOT_FOUND: ("not_found", _("未找到。")),
        status.HTTP_500_INTERNAL_SERVER_ERROR: ("server_error", _("服务器内部错误。")),
    }
    code, message = codes[status_code]
    return JsonResponse(error_body(status_code, code, message), status=status_code)


def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


# The URL map's error handlers (crm_archive/urls.py): JSON under /api/, the product's pages elsewhere.


def bad_request(request, exception):
    return json_error(request, 400) if is_api_request(request) else crm_views.bad_request(request, exception)


def permission_denied(request, exception):
    return json_error(request, 403) if is_api_request(request) else defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    return json_error(request, 404) if is_api_request(request) else defaults.page_not_found(request, exception)


def server_error(request):
    return json_error(request, 500) if is_api_request(request) else defaults.server_error(request)
