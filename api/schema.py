"""How the API describes itself (drf-spectacular): the API key header, and the one error shape
on every operation, so that a client (and schemathesis) knows every answer it can get."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object

ERROR_STATUSES = {
    "400": "请求有误（字段校验失败或业务规则拒绝）",
    "401": "未提供密钥，或密钥无效、已过期、已吊销",
    "403": "无权执行该操作",
    "404": "不存在，或调用者无权查阅",
    "405": "不支持的请求方法",
    "406": "不支持的响应格式",
    "415": "不支持的请求格式",
    "429": "请求过于频繁",
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "code", "message"],
    "properties": {
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "字段名 → 该字段的错误信息（仅校验错误）",
        },
    },
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: the Error component, and every error status on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result
