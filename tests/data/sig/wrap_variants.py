# SPDX-License-Identifier: MIT
"""Signature-wrapping and shape variants for tests/e2e/sig_wrapping.sh (standard library only).

  wrap_variants.py TMP SECRET PORT

TMP holds the validly signed originals (rsa-CEB621-inventory.xml, sm2-CEB621-inventory.xml,
rsa-CEB311-order.xml, rsa-CEB303-export.xml, sm2-CEB621-extend.xml) and keys/ (rsa2.der,
rsa3.der, rsa.modulus). Every variant is a textual edit of one original, so the bytes not
touched stay as signed. Variants go to TMP/v/NAME.xml; TMP/list gets one line per variant:
NAME <tab> expected code <tab> what it is <tab> why the current code fails it (empty unless
it is a known bug). SECRET is a local file and PORT a loopback listener: references point
at them (and at /etc/passwd) to show the verifier never fetches anything.
"""
import base64
import os
import re
import sys

tmp, secret, port = sys.argv[1:]
SECRET = "file://" + secret
HTTP = "http://127.0.0.1:%s/cebgate-fetch" % port

def load(name):
    return open(os.path.join(tmp, name), encoding="utf-8").read()

rsa = load("rsa-CEB621-inventory.xml")
sm2 = load("sm2-CEB621-inventory.xml")
order = load("rsa-CEB311-order.xml")
export = load("rsa-CEB303-export.xml")
extend = load("sm2-CEB621-extend.xml")
listing = []

def sub(text, pattern, repl, flags=re.S):
    """Replace exactly one match; a variant that misses its target is a broken test."""
    out, k = re.subn(pattern, lambda m: m.expand(repl), text, count=1, flags=flags)
    if k != 1:
        raise SystemExit("no match for %r" % pattern)
    return out

def variant(name, code, text, why, bug=""):
    """bug: why the current code fails this one (reported as KNOWN BUG when it does)."""
    open(os.path.join(tmp, "v", name + ".xml"), "w", encoding="utf-8").write(text)
    listing.append("%s\t%s\t%s\t%s" % (name, code, why, bug))

def sig_of(text):
    return re.search(r"<ds:Signature .*?</ds:Signature>", text, re.S).group(0)

def inventory_of(text):
    return re.search(r"<ceb:Inventory>.*?</ceb:Inventory>", text, re.S).group(0)

def forged(inv):
    """Same shape, a much lower price: what an attacker would want customs to see."""
    return sub(inv, r"<ceb:price>198\.00</ceb:price>", "<ceb:price>1.00</ceb:price>")

def add_transform(text, xml):
    return sub(text, r"(<ds:Transform Algorithm=\"[^\"]*enveloped-signature\"/>)", r"\1" + xml)

for label, doc in (("rsa", rsa), ("sm2", sm2)):
    S = sig_of(doc)
    INV = inventory_of(doc)
    # --- count and placement
    variant(label + "-two-signatures", "CG3002", doc.replace(S, S + S, 1),
            "a second, identical ds:Signature after the first")
    variant(label + "-second-signature-in-inventory", "CG3002",
            sub(doc, r"(</ceb:InventoryHead>)", r"\1" + S.replace("\\", "\\\\")),
            "a copy of the Signature hidden inside ceb:Inventory")
    moved = doc.replace(S, "", 1).replace("</ceb:Inventory>", S + "</ceb:Inventory>", 1)
    variant(label + "-signature-inside-inventory", "CG3003", moved,
            "the only Signature moved into ceb:Inventory: one Signature (not CG3002) but not a "
            "child of the root, so CG3003")
    variant(label + "-signature-not-last", "CG3003",
            doc.replace(S, S + forged(INV), 1),
            "a forged ceb:Inventory appended after the Signature")
    variant(label + "-signature-first", "CG3003",
            sub(doc.replace(S, "", 1), r"(<ceb:CEB621Message[^>]*>)", r"\1" + S.replace("\\", "\\\\")),
            "the Signature as the first child of the root")
    # --- wrapping: the signed Inventory moved into ds:Object, a forged one in its place
    wrapped = doc.replace("</ds:KeyInfo>", "</ds:KeyInfo><ds:Object>" + INV + "</ds:Object>", 1)
    wrapped = wrapped.replace(INV, forged(INV), 1)
    variant(label + "-object-wrapping", "CG3007", wrapped,
            "the signed ceb:Inventory moved into ds:Object and a forged one in its place")

# --- placement around ExtendMessage (export: before it; import: last)
ES = sig_of(export)
if not re.search(re.escape(ES) + r"<ceb:ExtendMessage>", export):
    raise SystemExit("the signer did not put the export Signature right before ExtendMessage")
variant("rsa-export-signature-after-extend", "CG3003",
        export.replace(ES, "", 1).replace("</ceb:ExtendMessage>", "</ceb:ExtendMessage>" + ES, 1),
        "export declaration (CEB303) with the Signature moved after ExtendMessage")
variant("rsa-export-signature-before-basetransfer", "CG3003",
        export.replace(ES, "", 1).replace("<ceb:BaseTransfer>", ES + "<ceb:BaseTransfer>", 1),
        "export declaration with the Signature before BaseTransfer")
XS = sig_of(extend)
variant("sm2-import-signature-before-extend", "CG3003",
        extend.replace(XS, "", 1).replace("<ceb:ExtendMessage>", XS + "<ceb:ExtendMessage>", 1),
        "import declaration (CEB621) with the Signature before ExtendMessage (the export place)")

variant("rsa-manifest", "CG3007",
        rsa.replace("</ds:KeyInfo>", "</ds:KeyInfo><ds:Object><ds:Manifest><ds:Reference URI=\"%s\">"
                    "<ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/>"
                    "<ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:DigestValue></ds:Reference>"
                    "</ds:Manifest></ds:Object>" % SECRET, 1),
        "a ds:Manifest (in ds:Object) referencing a local file")
variant("rsa-manifest-in-signedinfo", "CG3007",
        rsa.replace("</ds:Reference></ds:SignedInfo>",
                    "</ds:Reference><ds:Manifest><ds:Reference URI=\"%s\"/></ds:Manifest>"
                    "</ds:SignedInfo>" % HTTP, 1),
        "a ds:Manifest inside SignedInfo referencing the loopback listener")
variant("rsa-empty-object", "CG3007",
        rsa.replace("</ds:KeyInfo>", "</ds:KeyInfo><ds:Object/>", 1),
        "an empty ds:Object")
variant("rsa-text-in-signature", "CG3007",
        rsa.replace("</ds:SignatureValue>", "</ds:SignatureValue>forged text", 1),
        "non-blank text directly inside ds:Signature")
variant("rsa-two-signedinfo", "CG3007",
        re.sub(r"(<ds:SignedInfo>.*?</ds:SignedInfo>)", lambda m: m.group(1) * 2, rsa, count=1, flags=re.S),
        "two SignedInfo elements")

# --- references
variant("rsa-reference-id", "CG3004",
        sub(sub(rsa, r"<ceb:CEB621Message ", "<ceb:CEB621Message Id=\"x\" "),
            r"<ds:Reference URI=\"\">", "<ds:Reference URI=\"#x\">"),
        "Reference URI=\"#x\" with Id=\"x\" on the root")
variant("rsa-reference-file", "CG3004",
        sub(rsa, r"<ds:Reference URI=\"\">", "<ds:Reference URI=\"%s\">" % SECRET),
        "Reference URI pointing at a local file")
variant("rsa-reference-http", "CG3004",
        sub(rsa, r"<ds:Reference URI=\"\">", "<ds:Reference URI=\"%s\">" % HTTP),
        "Reference URI pointing at the loopback listener")
variant("sm2-reference-no-uri", "CG3004",
        sub(sm2, r"<ds:Reference URI=\"\">", "<ds:Reference>"),
        "Reference without a URI attribute")
ref = re.search(r"<ds:Reference URI=\"\">.*?</ds:Reference>", rsa, re.S).group(0)
variant("rsa-two-references", "CG3004",
        rsa.replace(ref, ref + ref.replace('URI=""', 'URI="%s"' % SECRET), 1),
        "a second Reference (to a local file) after the real one")
variant("rsa-2000-references", "CG3004", rsa.replace(ref, ref * 2000, 1),
        "2000 identical References (xmlsec1 would digest each one)")

# --- transforms
variant("rsa-xpath-transform", "CG3005",
        add_transform(rsa, "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">"
                           "<ds:XPath xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">"
                           "not(ancestor-or-self::ceb:InventoryList)</ds:XPath></ds:Transform>"),
        "an XPath transform after the enveloped one (it could hide the goods lines)")
variant("rsa-xpath2-transform", "CG3005",
        add_transform(rsa, "<ds:Transform Algorithm=\"http://www.w3.org/2002/06/xmldsig-filter2\">"
                           "<dsig-xpath:XPath xmlns:dsig-xpath=\"http://www.w3.org/2002/06/xmldsig-filter2\" "
                           "Filter=\"subtract\">//ceb:InventoryList</dsig-xpath:XPath></ds:Transform>"),
        "an XPath Filter 2.0 transform")
variant("rsa-xslt-transform", "CG3005",
        add_transform(rsa, "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">"
                           "<xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\">"
                           "<xsl:template match=\"/\"><xsl:copy-of select=\"document('%s')\"/>"
                           "<xsl:copy-of select=\"document('%s')\"/></xsl:template>"
                           "</xsl:stylesheet></ds:Transform>" % (SECRET, HTTP)),
        "an XSLT transform whose stylesheet reads a local file and the loopback listener")
variant("sm2-xslt-transform", "CG3005",
        add_transform(sm2, "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">"
                           "<xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\">"
                           "<xsl:template match=\"/\"><xsl:copy-of select=\"document('file:///etc/passwd')\"/>"
                           "</xsl:template></xsl:stylesheet></ds:Transform>"),
        "an XSLT transform on the SM2 path (not xmlsec1) reading /etc/passwd")
variant("rsa-no-transforms", "CG3005",
        sub(rsa, r"<ds:Transforms>.*?</ds:Transforms>", ""),
        "no Transforms: the digest would cover the Signature itself")
variant("sm2-empty-transforms", "CG3005",
        sub(sm2, r"<ds:Transforms>.*?</ds:Transforms>", "<ds:Transforms/>"),
        "an empty Transforms element")
variant("rsa-base64-transform", "CG3005",
        sub(rsa, r"<ds:Transform Algorithm=\"[^\"]*enveloped-signature\"/>",
            "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#base64\"/>"),
        "a base64 transform instead of enveloped-signature")
variant("rsa-c14n-comments-transform", "CG3005",
        add_transform(rsa, "<ds:Transform Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments\"/>"),
        "enveloped followed by C14N WithComments")

# --- algorithms
c14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
variant("rsa-c14n-with-comments", "CG3006",
        rsa.replace('Algorithm="%s"' % c14n, 'Algorithm="%s#WithComments"' % c14n, 1),
        "CanonicalizationMethod C14N WithComments")
variant("sm2-exclusive-c14n", "CG3006",
        sm2.replace('Algorithm="%s"' % c14n, 'Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"', 1),
        "CanonicalizationMethod exclusive C14N")
variant("rsa-hmac-output-length", "CG3006",
        sub(rsa, r"<ds:SignatureMethod Algorithm=\"[^\"]*\"/>",
            "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#hmac-sha1\">"
            "<ds:HMACOutputLength>0</ds:HMACOutputLength></ds:SignatureMethod>"),
        "HMAC-SHA1 SignatureMethod with HMACOutputLength 0 (CVE-2009-0217)")
variant("rsa-hmac", "CG3006",
        sub(rsa, r"<ds:SignatureMethod Algorithm=\"[^\"]*\"/>",
            "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#hmac-sha1\"/>"),
        "HMAC-SHA1 SignatureMethod (a shared secret, not a certificate)")
variant("rsa-output-length-on-rsa", "CG3006",
        sub(rsa, r"(<ds:SignatureMethod Algorithm=\"[^\"]*\")/>",
            r"\1><ds:HMACOutputLength>160</ds:HMACOutputLength></ds:SignatureMethod>"),
        "HMACOutputLength inside an rsa-sha1 SignatureMethod")
variant("sm2-rsa-uri-with-sm2-cert", "CG3006",
        sub(sm2, r"(<ds:SignatureMethod Algorithm=\")[^\"]*", r"\1http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
        "rsa-sha1 SignatureMethod with an SM2 certificate: the algorithm does not fit the key")
variant("rsa-sm2-uri-with-rsa-cert", "CG3006",
        sub(rsa, r"(<ds:SignatureMethod Algorithm=\")[^\"]*", r"\1http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"),
        "sm2-sm3 SignatureMethod with an RSA certificate")
variant("rsa-md5-digest", "CG3006",
        sub(rsa, r"(<ds:DigestMethod Algorithm=\")[^\"]*", r"\1http://www.w3.org/2001/04/xmldsig-more#md5"),
        "DigestMethod MD5")

# --- KeyInfo
variant("rsa-retrieval-method-passwd", "CG3007",
        rsa.replace("<ds:KeyInfo>", "<ds:KeyInfo><ds:RetrievalMethod URI=\"file:///etc/passwd\" "
                    "Type=\"http://www.w3.org/2000/09/xmldsig#X509Data\"/>", 1),
        "RetrievalMethod URI=file:///etc/passwd in KeyInfo")
variant("sm2-retrieval-method-http", "CG3007",
        sm2.replace("<ds:KeyInfo>", "<ds:KeyInfo><ds:RetrievalMethod URI=\"%s\"/>" % HTTP, 1),
        "RetrievalMethod to the loopback listener in KeyInfo")
modulus = open(os.path.join(tmp, "keys", "rsa.modulus")).read().strip()
variant("rsa-keyvalue", "CG3007",
        rsa.replace("</ds:KeyName>", "</ds:KeyName><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>%s"
                    "</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>"
                    % base64.b64encode(bytes.fromhex(modulus)).decode(), 1),
        "a KeyValue (the bare public key) in KeyInfo")
order_el = re.search(r"<ceb:Order>.*?</ceb:Order>", order, re.S).group(0)
variant("rsa-order-in-keyinfo", "CG3007",
        order.replace("</ds:X509Data>", "</ds:X509Data>" + order_el.replace("<ceb:goodsValue>", "<ceb:goodsValue>9", 1), 1),
        "a second, forged ceb:Order hidden inside KeyInfo of a signed CEB311")
variant("sm2-inventory-in-x509data", "CG3007",
        sm2.replace("</ds:X509Certificate>", "</ds:X509Certificate>" + forged(inventory_of(sm2)), 1),
        "a forged ceb:Inventory hidden inside X509Data")
cert = re.search(r"<ds:X509Certificate>[^<]*</ds:X509Certificate>", rsa).group(0)
variant("rsa-two-certificates", "CG3007", rsa.replace(cert, cert + cert, 1),
        "a second X509Certificate")
variant("rsa-x509-issuer-serial", "CG3007",
        rsa.replace("</ds:X509Data>", "<ds:X509IssuerSerial><ds:X509IssuerName>CN=t</ds:X509IssuerName>"
                    "<ds:X509SerialNumber>23666665</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>", 1),
        "X509IssuerSerial next to the certificate")
variant("rsa-two-keynames", "CG3007",
        rsa.replace("</ds:KeyName>", "</ds:KeyName><ds:KeyName>01691fe9</ds:KeyName>", 1),
        "two KeyName elements")
variant("rsa-no-keyinfo", "CG3009", sub(rsa, r"<ds:KeyInfo>.*?</ds:KeyInfo>", ""),
        "no KeyInfo: no certificate")
variant("sm2-garbage-certificate", "CG3009",
        sub(sm2, r"(?<=<ds:X509Certificate>)[^<]*", base64.b64encode(b"not a certificate").decode()),
        "X509Certificate that is not a DER certificate")
cert_der = base64.b64decode(re.search(r"<ds:X509Certificate>([^<]*)<", rsa).group(1))
variant("rsa-certificate-trailing-bytes", "CG3009",
        sub(rsa, r"(?<=<ds:X509Certificate>)[^<]*",
            base64.b64encode(cert_der + b"<ceb:price>1.00</ceb:price> hidden payload").decode()),
        "X509Certificate with bytes after the DER certificate (a channel for unsigned data)")

def with_cert(text, der):
    return sub(text, r"(?<=<ds:X509Certificate>)[^<]*",
               base64.b64encode(open(os.path.join(tmp, "keys", der), "rb").read()).decode())
variant("rsa-cert-same-keyname", "CG3015", with_cert(rsa, "rsa2.der"),
        "certificate of another RSA key with the same serial: KeyName still matches, the "
        "signature value does not verify with the substituted key, so CG3015")
variant("rsa-cert-other-serial", "CG3010", with_cert(rsa, "rsa3.der"),
        "certificate of another key with another serial: KeyName no longer matches, and the "
        "key name is checked before any cryptography, so CG3010")

# --- comments, DOCTYPE, XInclude
variant("rsa-comment-between-elements", "CG3008",
        rsa.replace("</ceb:InventoryHead>", "</ceb:InventoryHead><!-- injected -->", 1),
        "a comment between elements of the signed content")
variant("sm2-comment-in-signedinfo", "CG3008",
        sub(sm2, r"<ds:Reference URI=\"\">", "<!--x--><ds:Reference URI=\"\">"),
        "a comment inside SignedInfo")
variant("rsa-comment-after-root", "CG3008", rsa.rstrip("\n") + "\n<!-- trailing -->\n",
        "a comment after the root element")
variant("rsa-comment-in-leaf", "CG0002",
        rsa.replace("<ceb:price>198.00</ceb:price>", "<ceb:price>1<!-- -->98.00</ceb:price>", 1),
        "a comment inside a leaf value: refused by the parser")
variant("rsa-pi", "CG0002",
        rsa.replace("</ceb:InventoryHead>", "</ceb:InventoryHead><?evil data?>", 1),
        "a processing instruction in the document")
variant("rsa-doctype-entity", "CG0002",
        sub(rsa, r"(<\?xml[^>]*\?>\n)", r'\1<!DOCTYPE ceb:CEB621Message [<!ENTITY s SYSTEM "%s">]>\n' % SECRET)
        .replace("<ceb:buyerName>", "<ceb:buyerName>&s;", 1),
        "a DOCTYPE with an external entity reading a local file")
variant("rsa-xinclude", "CG0002",
        rsa.replace("<ceb:buyerName>", "<ceb:buyerName><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
                    "href=\"%s\" parse=\"text\"/>" % SECRET, 1),
        "an XInclude of a local file")

open(os.path.join(tmp, "list"), "w").write("\n".join(listing) + "\n")
