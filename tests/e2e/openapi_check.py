#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks of cebgated's OpenAPI description for tests/e2e/openapi.sh.

  openapi_check.py doc DOC.json          the document is OpenAPI 3.1: its structure, every
                                         schema a valid JSON Schema 2020-12, every $ref found
  openapi_check.py walk DOC.json INDEX DIR
                                         each recorded answer against its operation: the status
                                         listed, the content type described, a JSON body valid
                                         against the schema (timestamps ISO 8601 with offset)

Prints one line per check, "PASS what" or "FAIL what :: why"; the shell turns them into TAP.
Debian has no OpenAPI validator package: the structure is checked here against the rules of
OpenAPI 3.1 that a description of cebgated can break, and the schemas by python3-jsonschema.
"""
import datetime
import json
import re
import sys

import jsonschema

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DIALECT = jsonschema.Draft202012Validator


def out(ok, what, why=""):
    print(("PASS " if ok else "FAIL ") + what + ("" if ok else " :: " + why))


def pointer(doc, ref):
    """The object a local $ref names ('#/components/...'), or None."""
    if not ref.startswith("#/"):
        return None
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        node = pointer(doc, node["$ref"])
    return node


def refs(node, found):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            found.append(node["$ref"])
        for v in node.values():
            refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)
    return found


def schemas_of(op, doc):
    """(where, schema) of every schema an operation uses directly."""
    for p in op.get("parameters", []):
        p = resolve(doc, p)
        yield "parameter " + str(p.get("name")), p.get("schema", {})
    body = resolve(doc, op.get("requestBody", {})) or {}
    for mt, m in body.get("content", {}).items():
        yield "request " + mt, m.get("schema", {})
    for st, r in op.get("responses", {}).items():
        r = resolve(doc, r) or {}
        for mt, m in r.get("content", {}).items():
            yield "response %s %s" % (st, mt), m.get("schema", {})


def check_operation(doc, path, method, op):
    """The problems of one operation, as a list of strings."""
    bad = []
    if not isinstance(op.get("summary"), str) or not op["summary"].strip() or op.get("x-undescribed"):
        bad.append("no description (src/server/openapi.json has no %s under %s)" % (method, path))
    responses = op.get("responses")
    if not isinstance(responses, dict) or not responses:
        bad.append("no responses")
        responses = {}
    for st, r in responses.items():
        if not re.fullmatch(r"[1-5](\d\d|XX)|default", st):
            bad.append("response key %r is no status" % st)
        r = resolve(doc, r)
        if not isinstance(r, dict) or not isinstance(r.get("description"), str):
            bad.append("response %s has no description" % st)
    names = set(re.findall(r"{([^}]+)}", path))
    declared = set()
    for p in op.get("parameters", []):
        p = resolve(doc, p)
        if not isinstance(p, dict) or p.get("in") not in ("path", "query", "header", "cookie") or \
                not isinstance(p.get("name"), str):
            bad.append("a parameter without name or in: %r" % (p,))
            continue
        if p["in"] == "path":
            declared.add(p["name"])
            if p.get("required") is not True:
                bad.append("path parameter %s not required" % p["name"])
        if ("schema" in p) == ("content" in p):
            bad.append("parameter %s needs schema or content" % p["name"])
    if names != declared:
        bad.append("path parameters %s, declared %s" % (sorted(names), sorted(declared)))
    for where, s in schemas_of(op, doc):
        try:
            DIALECT.check_schema(s)
        except jsonschema.SchemaError as e:
            bad.append("%s: not a JSON Schema: %s" % (where, e.message))
    return bad


def check_doc(doc):
    ok = isinstance(doc, dict) and re.fullmatch(r"3\.1\.\d+", str(doc.get("openapi", "")))
    out(bool(ok), "openapi is 3.1.x", "openapi = %r" % (doc.get("openapi") if isinstance(doc, dict) else doc))
    info = doc.get("info", {})
    out(isinstance(info.get("title"), str) and isinstance(info.get("version"), str) and info["version"] != "",
        "info has a title and the version", repr(info))
    paths = doc.get("paths", {})
    out(isinstance(paths, dict) and paths and all(p.startswith("/") for p in paths),
        "paths are absolute", repr(list(paths)[:5]))
    for name, s in doc.get("components", {}).get("schemas", {}).items():
        try:
            DIALECT.check_schema(s)
        except jsonschema.SchemaError as e:
            out(False, "components schema " + name, e.message)
    missing = sorted({r for r in refs(doc, []) if pointer(doc, r) is None})
    out(not missing, "every $ref points into the document", ", ".join(missing))
    schemes = doc.get("components", {}).get("securitySchemes", {})
    ids = set()
    for path, item in paths.items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            bad = check_operation(doc, path, method, op)
            for req in op.get("security", []):
                bad += ["unknown security scheme " + k for k in req if k not in schemes]
            oid = op.get("operationId")
            if oid is not None:
                bad += ["operationId %s twice" % oid] if oid in ids else []
                ids.add(oid)
            out(not bad, "%s %s is described" % (method.upper(), path), "; ".join(bad))


# ---- the walk ---------------------------------------------------------------------------

FORMATS = jsonschema.FormatChecker(())


@FORMATS.checks("date-time", raises=ValueError)
def iso_with_offset(value):
    if not isinstance(value, str):
        return True
    t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError("no offset")
    return True


def media_matches(ctype, content):
    base = ctype.split(";")[0].strip().lower()
    for mt in content:
        m = mt.lower()
        if m == base or m == "*/*" or (m.endswith("/*") and base.startswith(m[:-1])):
            return mt
    return None


def check_answer(doc, op, status, ctype, body):
    """The problems of one answer to @p op."""
    responses = op.get("responses", {})
    if status not in responses:
        return ["status %s is not listed (%s)" % (status, ", ".join(sorted(responses)))]
    r = resolve(doc, responses[status])
    content = r.get("content")
    if not content:
        return [] if body == b"" else ["a body that the description says nothing of"]
    mt = media_matches(ctype, content)
    if mt is None:
        return ["content type %s, described %s" % (ctype, ", ".join(content))]
    if "json" not in mt:
        return []
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return ["no JSON: %s" % e]
    schema = content[mt].get("schema", {})
    v = DIALECT(schema, resolver=jsonschema.RefResolver.from_schema(doc), format_checker=FORMATS)
    return ["%s at %s" % (e.message[:200], "/".join(str(x) for x in e.absolute_path) or "the top")
            for e in v.iter_errors(value)][:5]


def walk(doc, index, folder):
    seen, good, walks = {}, set(), {}
    for line in open(index, encoding="utf-8"):
        n, method, pattern, who, status, ctype = (line.rstrip("\n").split("\t") + [""] * 6)[:6]
        key = "%s %s" % (method, pattern)
        op = doc.get("paths", {}).get(pattern, {}).get(method.lower())
        with open("%s/%s" % (folder, n), "rb") as f:
            body = f.read()
        bad = ["no such operation"] if op is None else check_answer(doc, op, status, ctype, body)
        walks[key] = walks.get(key, 0) + 1
        seen.setdefault(key, []).extend("as %s: %s %s" % (who, status, b) for b in bad)
        if not bad and status.startswith("2") and who != "anonymous" or \
                not bad and status.startswith("2") and "public" in op.get("x-roles", []):
            good.add(key)
    for key in seen:
        out(not seen[key], key + ": every answer fits its description", "; ".join(seen[key][:4]))
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            key = "%s %s" % (method.upper(), path)
            if method in item:
                out(key in good, key + ": answered with success to a caller it is open to",
                    "walked %d time(s), never a described success" % walks.get(key, 0))


def main(argv):
    with open(argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    if argv[1] == "doc":
        check_doc(doc)
    elif argv[1] == "walk":
        walk(doc, argv[3], argv[4])
    else:
        sys.exit("usage: openapi_check.py doc DOC | walk DOC INDEX DIR")


if __name__ == "__main__":
    main(sys.argv)
