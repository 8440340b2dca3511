# SPDX-License-Identifier: MIT
"""Seed corpora of cebgate's fuzz targets, made from the repository's own
samples and test fixtures at run time (scripts/fuzz calls this):
    python3 fuzz/seeds.py TOP OUT
OUT/signed holds the signed and DxpMsg-wrapped samples made by mkseeds; this
writes OUT/<target>/ for every target. Where a target has modes, the first
byte of a seed selects the mode (see fuzz/fuzz_*.c)."""
import glob
import json
import os
import sys

top, out = sys.argv[1], sys.argv[2]
n = [0]


def put(target, data, prefix=None):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    if prefix is not None:
        data = bytes([prefix]) + data
    n[0] += 1
    with open(os.path.join(d, "seed-%05d" % n[0]), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


valid = sorted(glob.glob(top + "/samples/xml/unsigned/*.xml"))
invalid = sorted(glob.glob(top + "/samples/xml/invalid/*.xml"))
hostile = sorted(glob.glob(top + "/tests/data/hostile/*.xml"))
signed = sorted(glob.glob(out + "/signed/signed-*.xml"))
dxp = sorted(glob.glob(out + "/signed/dxp-*.xml"))
csvs = sorted(glob.glob(top + "/samples/merchant/*.csv"))
ndjson = [read(top + "/samples/merchant/orders.ndjson")]

# Small hand-written shapes that the samples do not show.
ndjson += [
    b'{"orderNo":"A1","orderNo":"A2"}\n',
    b'{"orderNo":"A1","items":[{"qty":1e309,"price":-0,"unit":"0x10"}]}\n',
    b"[" * 64 + b"]" * 64 + b"\n",
    b'{"a":' * 40 + b"1" + b"}" * 40 + b"\n",
    b'{"orderNo":"\\u0000","buyerName":"=cmd|\' /C calc\'!A0"}\n{"orderNo":\n',
]
csv_extra = [
    b"orderNo,qty\r\nSO1,1\r\nSO2\r\nSO3,1,2,3\r\n",
    b'orderNo,buyerName\n"SO1","=HYPERLINK(""http://x"")"\n"SO2,"unterminated\n',
    b"\xef\xbb\xbforderNo,price\nSO1,NaN\nSO2,1e309\nSO3,-0\n",
]

for f in valid + invalid + hostile + signed:
    put("xml", read(f))
for f in signed + dxp:
    put("verify", read(f))
for f in dxp:
    put("dxp", read(f))
for f in csvs:
    for enc in range(3):
        put("csv", read(f), enc)
for d in csv_extra:
    put("csv", d, 0)
for i, d in enumerate(ndjson):
    for t in range(4):
        put("ndjson", d, t)
for f in csvs:
    for sel in range(8):
        put("normalize", read(f), sel)
for d in csv_extra:
    put("normalize", d, 4)
for f in valid[:8]:
    put("normalize", read(f), 0x80)

# cebgated's handlers: 0 query, 1 path, 2 JSON body, 3 XML submission, 4 JSON batch.
for q in ["0&0&100", "18446744073709551616&-1&1000", "1&30&abc", ""]:
    put("http", q, 0)
for p in ["12", "0", "9223372036854775808", "SF/SF123456789CN", "/x", "a/b/c", "SF/"]:
    put("http", p, 1)
for b in ['{"user":"u","password":"p"}', '{"decision":"release","reason":"ok"}',
          '{"waybills":[{"logisticsCode":"4403961XB2","logisticsNo":"SF1"}]}',
          '[{"logisticsCode":"a","logisticsNo":"b"}]', '{"a":1,"a":2}', "[" * 100 + "]" * 100]:
    put("http", b, 2)
for f in signed[:12] + dxp[:4] + valid[:2] + hostile[:2]:
    put("http", read(f), 3)
if signed:
    msgs = [read(f).decode("utf-8") for f in signed[:3]]
    put("http", json.dumps({"messages": msgs}), 4)
    put("http", json.dumps({"messages": [msgs[0], msgs[0]]}), 4)
put("http", '{"messages": []}', 4)
put("http", '{"messages": [1, null, {"x": "y"}]}', 4)

for t in sorted(os.listdir(out)):
    if t != "signed":
        print("seeds: %-10s %d" % (t, len(os.listdir(os.path.join(out, t)))))
