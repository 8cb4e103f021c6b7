"""schema.py: enough of OpenAPI 3.0's schema objects to check the server's
replies against web/openapi.json (type, nullable, enum, pattern, required,
properties, additionalProperties, items, allOf, $ref), with the standard
library only.  check(doc, schema, value) returns a list of problems."""
import re

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def resolve(doc, schema):
    while "$ref" in schema:
        node = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def check(doc, schema, value, where="$"):
    schema = resolve(doc, schema)
    out = []
    for sub in schema.get("allOf", []):
        out += check(doc, sub, value, where)
    if value is None:
        if schema.get("nullable") or "type" not in schema:
            return out
        return out + ["%s: null where %s is wanted" % (where, schema["type"])]
    t = schema.get("type")
    if t and not TYPES[t](value):
        return out + ["%s: %r is not %s" % (where, value, t)]
    if "enum" in schema and value not in schema["enum"]:
        out.append("%s: %r is not one of %s" % (where, value, schema["enum"]))
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        out.append("%s: %r does not match %s" % (where, value, schema["pattern"]))
    if isinstance(value, dict):
        for k in schema.get("required", []):
            if k not in value:
                out.append("%s: %s is missing" % (where, k))
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for k, v in value.items():
            if k in props:
                out += check(doc, props[k], v, where + "." + k)
            elif extra is False:
                out.append("%s: %s is not documented" % (where, k))
            elif isinstance(extra, dict):
                out += check(doc, extra, v, where + "." + k)
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            out += check(doc, schema["items"], v, "%s[%d]" % (where, i))
    return out
