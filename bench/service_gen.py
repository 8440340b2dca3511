#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Distinct CEB messages for the cebgated benchmarks, from the bundled samples.

    service_gen.py SAMPLES OUTDIR TAG COUNT inventory|scenario

Message i (0 <= i < COUNT) of set TAG (one letter, so that several sets never
share a key) gets its own guid (root attribute and head), orderNo, copNo,
logisticsNo, payTransactionId and buyer (a valid GB 11643 ID number), the same
in all four documents of a scenario so that they match.

inventory: OUTDIR/D4/TAG-NNNNNN-4-inventory.xml (CEB621 only)
scenario:  OUTDIR/A1/...-1-order.xml, OUTDIR/C3/...-2-payment.xml,
           OUTDIR/D4/...-3-waybill.xml and ...-4-inventory.xml
One directory per signing enterprise (4403960XA1, 4403960XC3, 4403980XD4), so
that each is signed with one `cebgate sign DIR -o OUT` run. Seeded: the same
arguments give the same files.
"""
import datetime
import os
import sys
import uuid

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# The values of the samples that every message replaces.
ORDER_NO = "SO202411110000123456"
LOGISTICS_NO = "EX2024111100012345"
COP_NO = "QH20241111000001"
PAY_TX = "420000202411110005400012345678"
BUYER_ID = "330106199003071236"
GUIDS = {
    "order": "309FF3B5-9896-4379-93C3-706DB153EEF5",
    "payment": "51029244-909E-4A1E-A8DE-167D1089F6BB",
    "waybill": "4688C967-0D48-4EE5-B0CE-864217B327EF",
    "inventory": "6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0784",
}
FILES = {
    "order": ("A1", "1", "CEB311-order.xml"),
    "payment": ("C3", "2", "CEB411-payment.xml"),
    "waybill": ("D4", "3", "CEB511-waybill.xml"),
    "inventory": ("D4", "4", "CEB621-inventory.xml"),
}


def buyer_id(i):
    """A distinct valid 18-digit ID: birth dates from 1970-01-01 on, 1000 per day."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=i // 1000)
    first17 = "330106" + birth.strftime("%Y%m%d") + "%03d" % (i % 1000)
    return first17 + ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def main():
    if len(sys.argv) != 6 or sys.argv[5] not in ("inventory", "scenario"):
        sys.exit(__doc__)
    samples, outdir, tag, count, mode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    if len(tag) != 1 or not tag.isalpha() or not 0 < count < 1000000:
        sys.exit("service_gen.py: TAG is one letter, COUNT 1-999999")
    kinds = ["inventory"] if mode == "inventory" else ["order", "payment", "waybill", "inventory"]
    text = {}
    for k in kinds:
        with open(os.path.join(samples, FILES[k][2]), encoding="utf-8") as fp:
            text[k] = fp.read()
        os.makedirs(os.path.join(outdir, FILES[k][0]), exist_ok=True)
    ns = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
    for i in range(count):
        key = "%s%06d" % (tag.upper(), i)
        subst = [
            (ORDER_NO, "SO2026BENCH" + key),
            (LOGISTICS_NO, "EX2026BENCH" + key),
            (COP_NO, "QH2026B" + key),
            (PAY_TX, "4200002026BENCH" + key),
            (BUYER_ID, buyer_id(i + (ord(tag.upper()) - 65) * 20000)),
        ]
        for k in kinds:
            s = text[k].replace(GUIDS[k], str(uuid.uuid5(ns, "%s-%s" % (key, k))).upper())
            for a, b in subst:
                s = s.replace(a, b)
            d, n, _ = FILES[k]
            with open(os.path.join(outdir, d, "%s-%s-%s.xml" % (key, n, k)), "w", encoding="utf-8") as fp:
                fp.write(s)


if __name__ == "__main__":
    main()
