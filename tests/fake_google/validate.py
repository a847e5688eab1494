"""Check a request against the discovery document, as Google's front end does.

Unknown query parameters, a missing required parameter, a value outside an enum, an unknown
field anywhere in the JSON body, or a value of the wrong JSON type: 400, in Google's words.
The discovery documents are the ones shipped with google-api-python-client.
"""

from __future__ import annotations

from typing import Any

from sync.google.transport import Route, discovery_document

from .errors import bad_request


def check_query(route: Route, query: dict[str, list[str]]) -> dict[str, Any]:
    """Validate query parameters; return them typed (repeated ones as lists)."""
    doc = discovery_document(route.api)
    params = dict(doc.get("parameters", {}))
    params.update(route.description.get("parameters", {}))
    out: dict[str, Any] = {}
    for name, values in query.items():
        spec = params.get(name)
        if spec is None and route.api == "drive":
            continue  # Drive v3 ignores a parameter it does not know (gspread cassettes: 200)
        if spec is None or spec.get("location") == "path":
            raise bad_request(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                f"parameter. Field '{name}' could not be found in request message."
            )
        if len(values) > 1 and not spec.get("repeated"):
            raise bad_request(f'Invalid value for "{name}": repeated {len(values)} times')
        typed = [_scalar(name, spec, v) for v in values]
        out[name] = typed if spec.get("repeated") else typed[0]
    for name, spec in params.items():
        if spec.get("required") and spec.get("location") == "query" and name not in out:
            raise bad_request(f"Required parameter: {name}")
    return out


def _scalar(name: str, spec: dict[str, Any], raw: str) -> Any:
    kind = spec.get("type")
    if kind == "boolean":
        # Google takes «True»/«False» too (gspread sends them so, and its recordings show 200).
        if raw.lower() not in ("true", "false"):
            raise bad_request(f"Invalid value at '{name}' (TYPE_BOOL), \"{raw}\"")
        return raw.lower() == "true"
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise bad_request(f"Invalid value at '{name}' (TYPE_INT32), \"{raw}\"") from None
    if "enum" in spec and raw not in spec["enum"]:
        raise bad_request(f"Invalid value at '{name}' (type.googleapis.com/{name}), \"{raw}\"")
    return raw


def check_body(route: Route, body: Any) -> Any:
    """Validate a JSON body against the method's request schema; return it (dict or None)."""
    request = route.description.get("request")
    if request is None:
        if body not in (None, {}, b"", ""):
            raise bad_request("Invalid JSON payload received. Unexpected request body.")
        return None
    if body is None:
        return {}
    schemas = discovery_document(route.api)["schemas"]
    _check_value(schemas, {"$ref": request["$ref"]}, body, "")
    return body


_JSON_TYPES = {
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _check_value(schemas: dict[str, Any], spec: dict[str, Any], value: Any, where: str) -> None:
    if "$ref" in spec:
        spec = schemas[spec["$ref"]]
    kind = spec.get("type")
    if value is None or kind == "any" or kind is None and "properties" not in spec:
        return
    if kind in ("integer", "number"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok and isinstance(value, str):  # int64 travels as a JSON string
            try:
                float(value)
                ok = True
            except ValueError:
                ok = False
        if not ok:
            raise bad_request(f"Invalid value at '{where}' (TYPE_{kind.upper()}), {value!r}")
        return
    if kind in _JSON_TYPES and not isinstance(value, _JSON_TYPES[kind]):
        raise bad_request(f"Invalid value at '{where}' ({kind}), {value!r}")
    if kind == "string" and "enum" in spec and value not in spec["enum"]:
        raise bad_request(f"Invalid value at '{where}' (enum), \"{value}\"")
    if kind == "array":
        for i, item in enumerate(value):
            _check_value(schemas, spec.get("items", {}), item, f"{where}[{i}]")
        return
    if kind == "object" or "properties" in spec:
        props = spec.get("properties")
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            path = f"{where}.{key}" if where else key
            if props is not None and key in props:
                _check_value(schemas, props[key], item, path)
            elif extra is not None:
                _check_value(schemas, extra, item, path)
            else:
                at = f" at '{where}'" if where else ""
                raise bad_request(
                    f'Invalid JSON payload received. Unknown name "{key}"{at}: Cannot find field.'
                )
