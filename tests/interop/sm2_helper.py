# SPDX-License-Identifier: MIT
"""Text-level helpers for tests/e2e/interop_openssl_sm2.sh.

They work on the serialized XML with regular expressions on purpose: the SM2
check must not reuse cebgate's code (nor its XML library) for anything but
canonicalization, which is done by `xmllint --c14n`.

  field FILE NAME          text of the (only) ds:NAME element, whitespace removed
  signedinfo FILE OUT      ds:SignedInfo as a standalone document carrying the
                           namespace declarations in scope at its position
                           (those of the root and of ds:Signature)
  strip-signature FILE OUT the document with the ds:Signature element removed
  raw2der IN OUT           64-byte r||s to a DER SEQUENCE { INTEGER r, INTEGER s }
  der2raw IN OUT           the reverse
  b64decode IN OUT         base64 text (line breaks allowed) to bytes
"""
import base64
import re
import sys

DS = "http://www.w3.org/2000/09/xmldsig#"
XMLNS = re.compile(r'\sxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*("[^"]*"|\'[^\']*\')')


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def ds_prefix(doc):
    m = re.search(r'xmlns:([A-Za-z_][\w.-]*)="' + re.escape(DS) + '"', doc)
    if m is None:
        sys.exit("no xmldsig namespace declaration")
    return m.group(1)


def element(doc, prefix, name):
    """The only element prefix:name, as (start, end) offsets of its text."""
    pat = re.compile(r"<%s:%s[\s>/]" % (prefix, name))
    hits = list(pat.finditer(doc))
    if len(hits) != 1:
        sys.exit("expected one %s:%s, found %d" % (prefix, name, len(hits)))
    start = hits[0].start()
    close = "</%s:%s>" % (prefix, name)
    end = doc.find(close, start)
    if end < 0:
        sys.exit("%s:%s is not closed" % (prefix, name))
    return start, end + len(close)


def start_tag(doc, pos):
    return doc[pos:doc.index(">", pos) + 1]


def root_start(doc):
    # Skip the XML declaration, comments and processing instructions.
    m = re.search(r"<(?![?!])", doc)
    return m.start()


def field(doc, name):
    p = ds_prefix(doc)
    s, e = element(doc, p, name)
    inner = doc[doc.index(">", s) + 1:e - len("</%s:%s>" % (p, name))]
    return re.sub(r"\s+|&#13;|&#xD;|&#xd;", "", inner)


def signedinfo(doc):
    p = ds_prefix(doc)
    sig_s, _ = element(doc, p, "Signature")
    si_s, si_e = element(doc, p, "SignedInfo")
    decls = {}
    # In scope at SignedInfo: the root's declarations, then the Signature's
    # (ceb-spec §6.2: Signature is a child of the root), then its own.
    for tag in (start_tag(doc, root_start(doc)), start_tag(doc, sig_s), start_tag(doc, si_s)):
        for m in XMLNS.finditer(tag):
            decls[m.group(1) or ""] = m.group(2)
    si = doc[si_s:si_e]
    own = start_tag(si, 0)
    bare = XMLNS.sub("", own)
    add = "".join(" xmlns%s=%s" % (":" + k if k else "", v) for k, v in sorted(decls.items()))
    head = bare[:len("<%s:SignedInfo" % p)] + add + bare[len("<%s:SignedInfo" % p):]
    return head + si[len(own):]


def strip_signature(doc):
    p = ds_prefix(doc)
    s, e = element(doc, p, "Signature")
    return doc[:s] + doc[e:]


def der_int(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + der_len(len(b)) + b


def der_len(n):
    if n < 0x80:
        return bytes([n])
    out = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(out)]) + out


def raw2der(raw):
    if len(raw) != 64:
        sys.exit("raw SM2 value must be 64 bytes, got %d" % len(raw))
    body = der_int(raw[:32]) + der_int(raw[32:])
    return b"\x30" + der_len(len(body)) + body


def der_read(b, pos, tag):
    if b[pos] != tag:
        sys.exit("DER: expected tag %#x at %d" % (tag, pos))
    n = b[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[pos:pos + k], "big")
        pos += k
    return b[pos:pos + n], pos + n


def der2raw(der):
    seq, end = der_read(der, 0, 0x30)
    if end != len(der):
        sys.exit("DER: trailing bytes")
    r, pos = der_read(seq, 0, 0x02)
    s, pos = der_read(seq, pos, 0x02)
    r, s = r.lstrip(b"\0"), s.lstrip(b"\0")
    if pos != len(seq) or len(r) > 32 or len(s) > 32:
        sys.exit("DER: not an SM2 signature")
    return r.rjust(32, b"\0") + s.rjust(32, b"\0")


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "field" and len(argv) == 4:
        print(field(read(argv[2]), argv[3]))
    elif cmd == "signedinfo" and len(argv) == 4:
        write(argv[3], signedinfo(read(argv[2])))
    elif cmd == "strip-signature" and len(argv) == 4:
        write(argv[3], strip_signature(read(argv[2])))
    elif cmd in ("raw2der", "der2raw", "b64decode") and len(argv) == 4:
        with open(argv[2], "rb") as f:
            data = f.read()
        if cmd == "raw2der":
            write(argv[3], raw2der(data))
        elif cmd == "der2raw":
            write(argv[3], der2raw(data))
        else:
            write(argv[3], base64.b64decode(re.sub(rb"\s+", b"", data), validate=True))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
