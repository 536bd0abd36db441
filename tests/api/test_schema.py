"""The OpenAPI schema: generated without warnings, valid, and every operation shown with
examples that match the schema they illustrate."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

# Plain JSON, and FHIR's own JSON media type for the /fhir/ endpoints.
JSON_TYPES = ("application/json", "application/fhir+json")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def bodies(operation):
    """(where, media) for the request body and every response with content."""
    request = operation.get("requestBody", {}).get("content", {})
    for media_type in JSON_TYPES:
        if media_type in request:
            yield "request", request[media_type]
    for code, answer in operation.get("responses", {}).items():
        content = answer.get("content", {})
        for media_type in JSON_TYPES:
            if media_type in content:
                yield f"response {code}", content[media_type]


def test_schema_generates_and_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    # --fail-on-warn raises on any warning or error; --validate checks it against OpenAPI 3.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3.0")


def test_every_operation_shows_an_example(schema):
    missing = [
        f"{operation_name}: {where}"
        for operation_name, operation in operations(schema)
        for where, media in bodies(operation)
        if not media.get("examples")
    ]
    without_any = [name for name, operation in operations(schema) if not any(bodies(operation))]
    assert missing == []
    # Only DELETE has nothing to show: no body either way (204).
    assert all(name.startswith("DELETE ") for name in without_any), without_any


def test_examples_match_their_schema(schema):
    components = schema["components"]["schemas"]
    problems = []
    for name, operation in operations(schema):
        for where, media in bodies(operation):
            for title, example in media.get("examples", {}).items():
                at = f"{name} {where} {title}"
                problems += mismatches(example["value"], media["schema"], components, at)
    assert problems == []


def mismatches(value, schema, components, at):
    """Where an example strays from its schema: unknown or missing keys, wrong types,
    values outside an enum. Enough of OpenAPI 3.0 for what drf-spectacular emits."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if value is None:
        return [] if schema.get("nullable") else [f"{at}: null is not allowed"]
    if "allOf" in schema:
        return [p for part in schema["allOf"] for p in mismatches(value, part, components, at)]
    for choice in ("oneOf", "anyOf"):
        if choice in schema:
            options = [mismatches(value, part, components, at) for part in schema[choice]]
            return [] if any(not found for found in options) else options[0]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: {value!r} is not one of {schema['enum']}"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if not isinstance(value, dict):
            return [f"{at}: expected an object, got {value!r}"]
        found = []
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                found += mismatches(item, properties[key], components, f"{at}.{key}")
            elif isinstance(extra, dict):
                found += mismatches(item, extra, components, f"{at}.{key}")
            elif not extra:
                found.append(f"{at}: unknown key {key!r}")
        found += [
            f"{at}: missing {key!r}" for key in schema.get("required", []) if key not in value
        ]
        return found
    if kind == "array":
        if not isinstance(value, list):
            return [f"{at}: expected a list, got {value!r}"]
        return [
            p
            for index, item in enumerate(value)
            for p in mismatches(item, schema.get("items", {}), components, f"{at}[{index}]")
        ]
    expected = {
        "integer": int,
        "number": (int, float),
        "string": str,
        "boolean": bool,
    }.get(kind)
    wrong_bool = kind in ("integer", "number") and isinstance(value, bool)
    if expected and (not isinstance(value, expected) or wrong_bool):
        return [f"{at}: expected {kind}, got {value!r}"]
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            return [f"{at}: {value} is outside {low}–{high}"]
    if kind == "string" and len(value) > schema.get("maxLength", len(value)):
        return [f"{at}: longer than {schema['maxLength']}"]
    return []
