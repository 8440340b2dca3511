# SPDX-License-Identifier: MIT
"""Generated hostile inputs (too large, binary or repetitive to keep as fixtures), shared
by tests/e2e/hostile_inputs.sh (CLI) and tests/e2e/hostile_http.sh (HTTP API):
    python3 generate.py ORDER OUTDIR XXE
ORDER is a valid CEB311 (samples/xml/unsigned/CEB311-order.xml), XXE the xxe-passwd fixture."""
import sys
order = open(sys.argv[1], "rb").read()
out = sys.argv[2]
decl_end = order.index(b"?>") + 3
head, body = order[:decl_end], order[decl_end:]
root_end = body.index(b">") + 1


def write(name, data):
    with open(out + "/" + name, "wb") as f:
        f.write(data)


# 10,000-deep nesting inside a CEB message and as a bare document.
deep = b"<ceb:note>" * 10000 + b"</ceb:note>" * 10000
write("deep-nesting.xml", head + body[:root_end] + deep + body[root_end:])
write("deep-nesting-bare.xml", b"<a>" * 10000 + b"</a>" * 10000)
# 20 MB: the order with 20,000,000 blanks after the root's start tag.
write("20mb.xml", head + body[:root_end] + b" " * 20000000 + body[root_end:])
# One start tag with 100 attributes.
attrs = b"".join(b' a%d="%d"' % (i, i) for i in range(100))
write("100-attributes.xml", order.replace(b"<ceb:Order>", b"<ceb:Order" + attrs + b">", 1))
# Invalid UTF-8 in a name; GB18030 bytes under a UTF-8 declaration.
write("invalid-utf8.xml", order.replace("李晓明".encode(), b"\xc3\x28", 1))
write("gb18030-as-utf8.xml", order.replace("李晓明".encode(), "李晓明".encode("gb18030"), 1))
# UTF-16 declared, UTF-8 bytes (also in the fixtures, here without the declaration's help).
write("utf16-bom-utf8-bytes.xml", b"\xff\xfe" + order)
# A NUL byte inside a value.
write("nul-in-value.xml", order.replace(b"SO202411110000123456", b"SO2024\x0011110000123456", 1))
# Two documents: back to back, and separated by a NUL byte.
write("two-documents.xml", order + order)
write("two-documents-nul.xml", order + b"\x00" + order)
write("nul-then-junk.xml", order + b"\x00<junk & not xml")
# Empty and blank inputs.
write("empty.xml", b"")
write("blank.xml", b" \n\t\n")
# A 50 MB text node (buyerName).
name = "李晓明".encode()
write("50mb-text.xml", order.replace(name, b"A" * (50 * 1024 * 1024), 1))
# Encodings: real UTF-16 carrying an XXE (with and without a BOM), UTF-32, and names
# that libxml2 would convert into something else (UTF-7, EBCDIC).
xxe = open(sys.argv[3], "rb").read().decode()
write("utf16-xxe.xml", xxe.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
write("utf16be-nobom-xxe.xml", xxe.replace('encoding="UTF-8"', 'encoding="UTF-16BE"').encode("utf-16-be"))
write("utf32.xml", order.decode().replace('encoding="UTF-8"', 'encoding="UTF-32"').encode("utf-32"))
write("utf7.xml", order.replace(b'encoding="UTF-8"', b'encoding="UTF-7"', 1).replace(
    b"<ceb:note>", b"<ceb:note>+ADw-ceb:x+AD4-", 1))
write("ebcdic.xml", order.replace(b'encoding="UTF-8"', b'encoding="IBM037"', 1))
# Namespace confusion: the ceb prefix bound to another URI, rebound inside, bound twice,
# an undeclared prefix, an element pulled out of the namespace, and the xml prefix rebound.
ceb = b'xmlns:ceb="http://www.chinaport.gov.cn/ceb"'
write("ns-wrong-uri.xml", order.replace(ceb, b'xmlns:ceb="http://www.chinaport.gov.cn/ceb/"', 1))
write("ns-rebound.xml", order.replace(b"<ceb:OrderHead>", b'<ceb:OrderHead xmlns:ceb="urn:cebgate:other">', 1))
write("ns-twice.xml", order.replace(ceb, ceb + b' xmlns:ceb="urn:cebgate:other"', 1))
write("ns-undeclared.xml", order.replace(b"<ceb:OrderHead>", b"<ceb:OrderHead><evil:x/>", 1))
write("ns-unqualified.xml", order.replace(b"<ceb:OrderHead>", b'<ceb:OrderHead><guid xmlns="">x</guid>', 1))
write("ns-xml-prefix.xml", order.replace(ceb, ceb + b' xmlns:xml="urn:cebgate:other"', 1))
