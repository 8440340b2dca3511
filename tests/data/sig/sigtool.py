# SPDX-License-Identifier: MIT
"""Helpers of tests/e2e/sign_verify.sh (Python standard library only).

  sigtool.py shape FILE PROFILE KEYNAME   one ds:Signature, last child of the root, with the
                                          profile's URIs (ceb-spec 6.1), KeyName, KeyInfo shape
  sigtool.py sm2len FILE raw|der          SM2 SignatureValue: 64 bytes r||s, or DER (0x30 ...)
  sigtool.py children FILE NAME...        local names of the root's element children
  sigtool.py replace SRC DST REGEX TEXT   replace exactly one match, every other byte kept
  sigtool.py setvalue SRC DST B64|file:F  SignatureValue from base64 or from another signed file
  sigtool.py setcert SRC DST PEM          X509Certificate from a PEM certificate
  sigtool.py java SRC DST                 SignatureValue and X509Certificate wrapped at 76
                                          columns with "&#13;\\n" line ends (what Java writes)
  sigtool.py data ENVELOPE OUT            decode dxp:Data of a DxpMsg
  sigtool.py report JSON CODES...         verify --json: per file "valid:CODE,CODE" or
                                          "invalid:CODE" ("-" for no finding)

Exit status 0 when the check holds, 1 with a message otherwise.
"""
import base64
import json
import re
import sys
import xml.etree.ElementTree as ET

DS = "{http://www.w3.org/2000/09/xmldsig#}"
PROFILES = {
    "rsa-sha1": ("http://www.w3.org/2000/09/xmldsig#rsa-sha1",
                 "http://www.w3.org/2000/09/xmldsig#sha1", 20),
    "rsa-sha256": ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                   "http://www.w3.org/2001/04/xmlenc#sha256", 32),
    "sm2-sm3": ("http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3",
                "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3", 32),
}


def fail(msg):
    print(msg)
    sys.exit(1)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def shape(path, profile, keyname):
    root = ET.parse(path).getroot()
    sigs = list(root.iter(DS + "Signature"))
    if len(sigs) != 1:
        fail("%d ds:Signature elements" % len(sigs))
    if list(root)[-1] is not sigs[0]:
        fail("ds:Signature is not the last child of the root")
    sig = sigs[0]
    if [c.tag for c in sig] != [DS + "SignedInfo", DS + "SignatureValue", DS + "KeyInfo"]:
        fail("Signature children: %r" % [c.tag for c in sig])
    si = sig.find(DS + "SignedInfo")
    want_sig, want_dig, dlen = PROFILES[profile]
    got = {
        "c14n": si.find(DS + "CanonicalizationMethod").get("Algorithm"),
        "sig": si.find(DS + "SignatureMethod").get("Algorithm"),
        "references": len(si.findall(DS + "Reference")),
        "uri": si.find(DS + "Reference").get("URI"),
        "transforms": [t.get("Algorithm") for t in si.iter(DS + "Transform")],
        "dig": si.find(DS + "Reference/" + DS + "DigestMethod").get("Algorithm"),
    }
    want = {
        "c14n": "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        "sig": want_sig,
        "references": 1,
        "uri": "",
        "transforms": ["http://www.w3.org/2000/09/xmldsig#enveloped-signature"],
        "dig": want_dig,
    }
    if got != want:
        fail("SignedInfo %r, expected %r" % (got, want))
    dv = base64.b64decode(si.find(DS + "Reference/" + DS + "DigestValue").text)
    if len(dv) != dlen:
        fail("DigestValue is %d bytes, expected %d" % (len(dv), dlen))
    ki = sig.find(DS + "KeyInfo")
    if [c.tag for c in ki] != [DS + "KeyName", DS + "X509Data"]:
        fail("KeyInfo is not KeyName + X509Data: %r" % [c.tag for c in ki])
    if ki.find(DS + "KeyName").text != keyname:
        fail("KeyName %r, expected %r" % (ki.find(DS + "KeyName").text, keyname))
    certs = ki.findall(DS + "X509Data/" + DS + "X509Certificate")
    if len(certs) != 1 or base64.b64decode(certs[0].text)[0] != 0x30:
        fail("X509Data must hold one base64 DER certificate")


def sigvalue(path):
    return base64.b64decode(re.search(r"<ds:SignatureValue>([^<]*)<", read(path)).group(1))


def replace(src, dst, pattern, text):
    out, n = re.subn(pattern, lambda m: text, read(src), count=1)
    if n != 1:
        fail("no match for %s in %s" % (pattern, src))
    write(dst, out)


def java(src, dst):
    def wrap(m):
        b = m.group(2)
        lines = [b[i:i + 76] for i in range(0, len(b), 76)]
        return m.group(1) + "&#13;\n".join(lines) + "&#13;\n" + m.group(3)
    t = read(src)
    for el in ("SignatureValue", "X509Certificate"):
        t, n = re.subn(r"(<ds:%s>)([^<]*)(<)" % el, wrap, t)
        if n != 1:
            fail("no ds:%s in %s" % (el, src))
    write(dst, t)


def report(path, expected):
    rep = json.load(open(path, encoding="utf-8"))
    got = []
    for f in rep["files"]:
        codes = ",".join(sorted(x["code"] for x in f["findings"])) or "-"
        got.append(("valid:" if f["valid"] else "invalid:") + codes)
    if got != expected:
        fail("report %r, expected %r" % (got, expected))
    nerr = sum(1 for f in rep["files"] for x in f["findings"] if x["severity"] == "error")
    nwarn = sum(1 for f in rep["files"] for x in f["findings"] if x["severity"] == "warning")
    if rep["summary"]["errors"] != nerr or rep["summary"]["warnings"] != nwarn:
        fail("summary %r does not add up" % rep["summary"])


def main(argv):
    cmd = argv[1]
    if cmd == "shape":
        shape(argv[2], argv[3], argv[4])
    elif cmd == "sm2len":
        v = sigvalue(argv[2])
        if argv[3] == "raw" and len(v) != 64:
            fail("SM2 SignatureValue is %d bytes, expected 64" % len(v))
        if argv[3] == "der" and not (v[0] == 0x30 and 68 <= len(v) <= 72 and v[1] == len(v) - 2):
            fail("SM2 SignatureValue is not DER: %s" % v.hex())
    elif cmd == "children":
        got = [c.tag.split("}")[1] for c in ET.parse(argv[2]).getroot()]
        if got != argv[3:]:
            fail("root children %r, expected %r" % (got, argv[3:]))
    elif cmd == "replace":
        replace(argv[2], argv[3], argv[4], argv[5])
    elif cmd == "setvalue":
        v = argv[4]
        if v.startswith("file:"):
            v = base64.b64encode(sigvalue(v[5:])).decode()
        replace(argv[2], argv[3], r"(?<=<ds:SignatureValue>)[^<]*(?=<)", v)
    elif cmd == "setcert":
        pem = read(argv[4])
        b64 = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
        replace(argv[2], argv[3], r"(?<=<ds:X509Certificate>)[^<]*(?=<)", b64)
    elif cmd == "java":
        java(argv[2], argv[3])
    elif cmd == "data":
        d = re.search(r"<dxp:Data>([^<]*)</dxp:Data>", read(argv[2])).group(1)
        with open(argv[3], "wb") as f:
            f.write(base64.b64decode(d))
    elif cmd == "report":
        report(argv[2], argv[3:])
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
