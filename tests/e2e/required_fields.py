#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cases for required_fields.sh.

generate XSD SAMPLES_DIR OUT_DIR: for each valid sample, one copy per non-empty leaf element
that the XSD declares required, with that element emptied (bytes edited in place, so the
encoding, BOM and prefixes of the sample are kept). Prints "case-file<TAB>element" lines.

check CASES_TSV REPORT_JSON: every case must have a CG0100 finding on its element; prints
the cases that have none and exits 1 if there is one.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

XS = "{http://www.w3.org/2001/XMLSchema}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
# Types of required elements the standard lets be empty: C0..n (CEB900 returnInfo,
# oriCopMsgId, oriMessageType) and the free original message oriBizMessage.
MAY_BE_EMPTY = ("Str0To", "string")


def local(name):
    return name.split("}")[-1].split(":")[-1]


def load_xsd(path):
    """Complex types as {name: {child: (type, required)}}, global elements as {name: type}."""
    root = ET.parse(path).getroot()
    groups = {g.get("name"): g for g in root.findall(XS + "group")}
    types = {}
    for ct in root.findall(XS + "complexType"):
        kids = {}

        def walk(node, optional):
            for c in node:
                opt = optional or c.get("minOccurs") == "0"
                if c.tag == XS + "element":
                    kids[c.get("name")] = (local(c.get("type", "")), not opt)
                elif c.tag in (XS + "sequence", XS + "all"):
                    walk(c, opt)
                elif c.tag == XS + "choice":
                    walk(c, opt)
                elif c.tag == XS + "group":
                    walk(groups[local(c.get("ref"))], opt)

        walk(ct, False)
        types[ct.get("name")] = kids
    tops = {e.get("name"): local(e.get("type")) for e in root.findall(XS + "element")}
    return types, tops


def required_leaves(types, tops, root):
    """(local name, index among elements of that name in document order) of each case."""
    order = {}
    seen = {}
    for el in root.iter():
        name = local(el.tag)
        order[id(el)] = seen.get(name, 0)
        seen[name] = order[id(el)] + 1
    out = []

    def visit(el, tname):
        kids = types.get(tname)
        if kids is None:
            return
        for c in el:
            if not isinstance(c.tag, str) or c.tag.startswith(DS):
                continue
            decl = kids.get(local(c.tag))
            if decl is None:
                continue
            ctype, required = decl
            if ctype in types:
                if ctype != "XMLElement":
                    visit(c, ctype)
            elif (required and not ctype.startswith(MAY_BE_EMPTY) and len(c) == 0 and
                  (c.text or "").strip()):
                out.append((local(c.tag), order[id(c)]))

    visit(root, tops.get(local(root.tag)))
    return out


def empty_nth(data, name, nth):
    """@data with the content of the nth element called @name (any prefix) removed."""
    starts = [m for m in re.finditer(rb"<(?:[\w.-]+:)?" + name.encode() + rb"(?=[\s/>])", data)]
    m = starts[nth]
    gt = data.index(b">", m.end())
    end = data.index(b"</", gt)
    return data[: gt + 1] + data[end:]


def as_text(data):
    """The document as text without its declaration (expat reads no GB18030)."""
    m = re.match(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"']([\w.-]+)[\"'][^>]*\?>", data)
    enc = m.group(1).decode() if m else "utf-8"
    text = data.decode(enc.replace("utf-8", "utf-8-sig"))
    return re.sub(r"^\ufeff?<\?xml[^>]*\?>", "", text)


def generate(xsd, samples, out):
    types, tops = load_xsd(xsd)
    for f in sorted(os.listdir(samples)):
        if not f.endswith(".xml"):
            continue
        data = open(os.path.join(samples, f), "rb").read()
        root = ET.fromstring(as_text(data))
        for name, nth in required_leaves(types, tops, root):
            case = "%s--%s-%d.xml" % (f, name, nth + 1)
            with open(os.path.join(out, case), "wb") as w:
                w.write(empty_nth(data, name, nth))
            print("%s\t%s" % (case, name))


def check(tsv, report):
    d = json.load(open(report))
    found = {}
    for f in d["files"]:
        names = set()
        for x in f["findings"]:
            if x["code"] == "CG0100":
                last = re.sub(r"\[\d+\]", "", x.get("xpath", "")).split("/")[-1]
                names.add(local(last))
        found[os.path.basename(f["file"])] = names
    bad = 0
    for line in open(tsv).read().splitlines():
        case, name = line.split("\t")
        if name not in found.get(case, ()):
            print("%s: no CG0100 on %s" % (case, name))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(*sys.argv[2:5])
    else:
        sys.exit(check(*sys.argv[2:4]))
