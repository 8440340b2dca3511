#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate N valid merchant orders as CSV, in the samples/merchant/orders-en.csv format.

    gen_orders.py OUT [N] [--seed S] [--codes DIR]

OUT is a path ("-" for stdout); N defaults to 1,000,000. Output is streamed row by
row, never held in memory. The same seed gives the same file.

Every order is meant to pass `cebgate normalize --map samples/merchant/default.profile`:
  * one row per goods line (1 to 3 lines), head fields repeated, rows of an order contiguous;
  * totalPrice = price x qty, goodsValue = sum of totalPrice,
    acturalPaid = goodsValue + freight + taxTotal - discount, all exact in fen;
  * taxTotal = round-half-up, once on the total, of sum over lines of
    (totalPrice + the line's share of freight) x (vat + ct) / (1 - ct) x 0.7, with the
    rates of the HS code intended for each SKU (hs.tsv; orders carry no HS code, so
    cebgate cannot check this figure, but it is the right one);
  * goodsValue + freight <= 5000 (the single-transaction limit);
  * 18-digit resident ID numbers with the GB 11643 check character and a real birth date;
  * units and countries written as merchants write them (zh names, aliases, ISO alpha-2 or
    alpha-3), each spelling taken from schemas/codes/unit.tsv and country.tsv.
"""

import argparse
import csv
import datetime
import math
import os
import re
import random
import sys

HEADER = ("orderNo,ebpCode,ebpName,ebcCode,ebcName,goodsValue,freight,discount,taxTotal,"
          "acturalPaid,buyerRegNo,buyerName,buyerTelephone,buyerIdType,buyerIdNumber,payCode,"
          "payName,payTransactionId,consignee,consigneeTelephone,consigneeAddress,"
          "consigneeDistrict,appTime,gnum,itemNo,itemName,gmodel,barCode,unit,qty,price,"
          "totalPrice,country").split(",")

EBP = ("4403960XA1", "示例跨境购平台（深圳）有限公司")
EBCS = (("4403960XB2", "示例海外直营贸易（深圳）有限公司"),
        ("4403960XE5", "示例优品跨境电子商务（深圳）有限公司"))
PAY = ("4403960XC3", "示例支付科技有限公司")

# sku, itemName, gmodel, has barcode, unit code, origin countries (ISO alpha-2), HS code,
# price range in yuan, sold by weight (qty in half kilograms)
CATALOGUE = (
    ("SKU-AU-MILK-900", "示例牌婴幼儿配方奶粉3段900克", "示例牌|3段|900克/罐|生牛乳、乳清粉、乳糖",
     True, "122", ("AU", "NZ"), "1901101010", (150, 330), False),
    ("SKU-JP-CREAM-50", "示例牌保湿面霜50毫升", "示例牌|保湿面霜|50毫升/瓶|护肤用",
     True, "142", ("JP", "KR"), "3304990099", (80, 400), False),
    ("SKU-US-TEE-M", "示例牌纯棉短袖T恤M码", "示例牌|纯棉针织|短袖|M码",
     True, "011", ("US",), "6109100000", (59, 199), False),
    ("SKU-FR-WINE-750", "示例酒庄波尔多干红葡萄酒750毫升",
     "示例酒庄|波尔多|干红|750毫升/瓶|酒精度13.5%",
     True, "142", ("FR", "IT", "AU"), "2204210000", (99, 599), False),
    ("SKU-BE-CHOC-200", "示例牌黑巧克力200克", "示例牌|黑巧克力, 可可含量70%|200克/盒",
     True, "140", ("BE", "CH"), "1806320000", (29, 89), False),
    ("SKU-US-ALMOND-BULK", "示例牌烘焙扁桃仁（散装称重）", "示例牌|扁桃仁|原味|按千克计价",
     False, "035", ("US",), "0802120000", (60, 120), True),
    ("SKU-FR-EDP-50", "示例牌淡香精50毫升", "示例牌|淡香精EDP|50毫升/瓶|花香调",
     True, "142", ("FR",), "3303000020", (300, 499), False),
    ("SKU-US-RUN-42", "示例牌缓震跑步鞋42码", "示例牌|跑步鞋|纺织鞋面橡胶底|42码",
     True, "025", ("US", "DE"), "6404110000", (299, 899), False),
    ("SKU-JP-DIAPER-L", "示例牌婴儿纸尿裤L号54片", "示例牌|纸尿裤|L号|54片/包",
     True, "125", ("JP",), "9619001100", (89, 169), False),
    ("SKU-AU-FISHOIL-400", "示例牌深海鱼油软胶囊400粒",
     "示例牌|鱼油软胶囊|1000毫克×400粒/瓶|鱼油、明胶、甘油",
     False, "142", ("AU", "NZ", "US"), "2106909090", (99, 259), False),
    ("SKU-CH-WATCH-40", "示例牌石英腕表40毫米", "示例牌|石英机芯|表径40毫米|不锈钢表带",
     True, "008", ("CH",), "9102110000", (800, 2800), False),
    ("SKU-JP-BRUSH-4", "示例牌软毛牙刷", "示例牌|软毛|成人用",
     True, "012", ("JP",), "9603210000", (9, 29), False),
    ("SKU-JP-PASTE-140", "示例牌美白牙膏140克", "示例牌|牙膏|140克/支|薄荷味",
     True, "012", ("JP",), "3306109000", (19, 49), False),
    ("SKU-IT-SUN-01", "示例牌偏光太阳镜", "示例牌|偏光镜片|金属镜框|UV400",
     True, "019", ("IT",), "9004100000", (300, 1200), False),
    ("SKU-US-EARBUD-1", "示例牌无线入耳式耳机", "示例牌|蓝牙5.3|入耳式|含充电盒",
     True, "007", ("US",), "8518300000", (199, 999), False),
    ("SKU-NZ-HONEY-500", "示例牌麦卢卡蜂蜜500克", "示例牌|麦卢卡蜂蜜|UMF10+|500克/瓶",
     True, "142", ("NZ", "AU"), "0409000000", (89, 399), False),
    ("SKU-LK-TEA-100", "示例牌锡兰红茶100袋", "示例牌|红茶|2克×100袋/盒",
     True, "140", ("LK",), "0902309000", (39, 99), False),
    ("SKU-GB-SOAP-100", "示例牌手工香皂100克", "示例牌|香皂|100克/块|薰衣草",
     True, "017", ("GB", "FR"), "3401110090", (19, 59), False),
    ("SKU-CO-COFFEE-200", "示例牌速溶咖啡200克", "示例牌|速溶咖啡|200克/罐",
     True, "122", ("CO", "BR"), "2101110000", (49, 129), False),
)

DISTRICTS = (
    ("110105", "北京市朝阳区"), ("310115", "上海市浦东新区"), ("440106", "广东省广州市天河区"),
    ("440305", "广东省深圳市南山区"), ("330106", "浙江省杭州市西湖区"),
    ("330102", "浙江省杭州市上城区"), ("320106", "江苏省南京市鼓楼区"),
    ("510107", "四川省成都市武侯区"), ("420106", "湖北省武汉市武昌区"),
    ("370202", "山东省青岛市市南区"), ("350102", "福建省福州市鼓楼区"), ("500103", "重庆市渝中区"),
    ("610113", "陕西省西安市雁塔区"), ("210202", "辽宁省大连市中山区"), ("120101", "天津市和平区"),
    ("430104", "湖南省长沙市岳麓区"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀英", "晓明", "雪", "华", "建国", "志强", "海燕", "丹", "晨", "宇轩",
         "欣怡", "子涵", "浩然")
STREETS = ("示例南路", "示例大道", "示例中路", "示例街", "示例东路", "示例巷")
FREIGHTS = (0, 0, 0, 0, 5, 8, 10, 12, 15, 20, 25, 30)
DISCOUNTS = (5, 10, 15, 20, 30, 50)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
BIRTH_FIRST = datetime.date(1960, 1, 1).toordinal()
BIRTH_LAST = datetime.date(2005, 12, 31).toordinal()
APPTIME_FIRST = datetime.datetime(2026, 11, 1, 0, 0, 0)
APPTIME_SPAN = 27 * 86400  # up to 2026-11-27 23:59:59, before CEBGATE_NOW=20261128100000


def id_check_char(first17):
    """GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def ean13(rng, prefix):
    body = prefix + "".join(rng.choice("0123456789") for _ in range(12 - len(prefix)))
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return body + str((10 - s % 10) % 10)


def yuan(fen):
    """CEB form of an amount in fen: 0 or two decimals."""
    if fen == 0:
        return "0"
    return "%d.%02d" % divmod(fen, 100)


def read_table(path):
    """Rows of a schemas/codes/*.tsv as dicts keyed by the #columns: names."""
    cols, rows = None, []
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            line = line.rstrip("\n")
            if line.startswith("#columns:"):
                cols = line[len("#columns:"):].split("\t")
            elif line.startswith("#") or not line:
                continue
            else:
                rows.append(dict(zip(cols, line.split("\t"))))
    return rows


def edition(codes_dir, table):
    """The newest edition of a table: schemas/codes/TABLE/EDITION.tsv, last by name."""
    d = os.path.join(codes_dir, table)
    return os.path.join(d, sorted(f for f in os.listdir(d) if f.endswith(".tsv"))[-1])


def percent(v):
    """A rate as the tables write it ("13%" or 0.13), as a fraction."""
    # A rate by dutiable value per legal unit ("完税价大于等于10000元：15%，完税价小于10000元：0。",
    # per kg, i.e. 10 CNY per ml or g for cosmetics; per watch): the catalogue's prices stay
    # below the thresholds (the 50 ml perfume under 500 CNY, the watch under 10,000), so the
    # lower band's rate applies.
    m = re.search(r"小于[^：]*：([0-9.]+%?)", v)
    if m:
        v = m.group(1)
    return float(v[:-1]) / 100 if v.endswith("%") else float(v)


def load_codes(codes_dir):
    """Spellings a merchant may write for each unit code and each catalogue country."""
    units, countries, hs = {}, {}, {}
    for r in read_table(edition(codes_dir, "unit")):
        spellings = [r["zh"]] + [a for a in r["aliases"].split("|") if a]
        units[r["code"]] = sorted(set(spellings), key=spellings.index)
    for r in read_table(edition(codes_dir, "country")):
        if r["iso2"]:
            countries[r["iso2"]] = (r["iso2"], r["iso3"], r["code"])
    wanted = {p[6] for p in CATALOGUE}
    for r in read_table(edition(codes_dir, "hs")):
        # Only the catalogue's codes: other rows may carry compound rates (per litre ...).
        if r["code"] in wanted:
            hs[r["code"]] = (round(percent(r["vat"]) * 100), round(percent(r["ct"]) * 100))
    for p in CATALOGUE:
        if p[4] not in units:
            sys.exit("gen_orders: unit %s of %s not in unit.tsv" % (p[4], p[0]))
        for c in p[5]:
            if c not in countries:
                sys.exit("gen_orders: country %s of %s not in country.tsv" % (c, p[0]))
        if p[6] not in hs:
            sys.exit("gen_orders: HS %s of %s not in hs.tsv" % (p[6], p[0]))
    return units, countries, hs


class Generator:
    def __init__(self, seed, codes_dir):
        self.rng = random.Random(seed)
        self.units, self.countries, self.hs = load_codes(codes_dir)
        # tax = round((gv + fr) / gv * sum(tp * (vat + ct) * 7 / ((100 - ct) * 10)))
        # in integers: every (100 - ct) divides L.
        self.lcm = math.lcm(*(100 - ct for _, ct in self.hs.values()))
        self.products = []
        for p in CATALOGUE:
            vat, ct = self.hs[p[6]]
            barcode = ean13(self.rng, "93") if p[3] else ""
            self.products.append(p + (barcode, (vat + ct) * 7 * (self.lcm // (100 - ct))))

    def person(self):
        rng = self.rng
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        phone = "1" + rng.choice("35789") + "%09d" % rng.randrange(10 ** 9)
        return name, phone

    def idno(self, district):
        rng = self.rng
        birth = datetime.date.fromordinal(rng.randint(BIRTH_FIRST, BIRTH_LAST))
        first17 = "%s%s%03d" % (district, birth.strftime("%Y%m%d"), rng.randint(1, 999))
        return first17 + id_check_char(first17)

    def lines(self):
        """1 to 3 goods lines: (product, qty text, price fen, total fen)."""
        rng = self.rng
        out = []
        for p in rng.sample(self.products, rng.choice((1, 1, 1, 2, 2, 3))):
            lo, hi = p[7]
            price = rng.randint(lo * 100, hi * 100)
            price -= price % 10  # prices end in 0 fen, often in .00
            if rng.random() < 0.5:
                price -= price % 100
            if p[8]:  # sold by weight: 0.5 kg steps
                halves = rng.randint(1, 6)
                qty = "%d.5" % (halves // 2) if halves % 2 else str(halves // 2)
                total = price * halves // 2
            else:
                n = rng.choice((1, 1, 1, 2, 2, 3)) if hi < 500 else 1
                qty, total = str(n), price * n
            out.append((p, qty, price, total))
        return out

    def order(self, i):
        """The rows of order number @i."""
        rng = self.rng
        freight = rng.choice(FREIGHTS) * 100
        lines = self.lines()
        # the single-transaction limit: goods + freight (+ insuredFee 0) <= 5000.00
        while len(lines) > 1 and sum(x[3] for x in lines) + freight > 500000:
            lines.pop()
        gv = sum(x[3] for x in lines)
        num = (gv + freight) * sum(x[3] * x[0][10] for x in lines)
        den = gv * 10 * self.lcm
        tax = (2 * num + den) // (2 * den)
        discount = 0
        if rng.random() < 0.3:
            discount = rng.choice(DISCOUNTS) * 100
            if discount >= gv:
                discount = 0
        paid = gv + freight + tax - discount

        district, area = rng.choice(DISTRICTS)
        buyer, phone = self.person()
        if rng.random() < 0.8:
            consignee, cphone = buyer, phone
        else:
            consignee, cphone = self.person()
        address = "%s%s%d号%d栋%d单元%d%02d" % (area, rng.choice(STREETS), rng.randint(1, 999),
                                           rng.randint(1, 30), rng.randint(1, 6),
                                           rng.randint(1, 33), rng.randint(1, 8))
        regno = rng.choice(("u%08d", "buyer_%d", "m%d")) % rng.randrange(10 ** 8)
        ebc = EBCS[i % len(EBCS)]
        order_no = "BO2026%014d" % i
        app = APPTIME_FIRST + datetime.timedelta(seconds=i * 7919 % APPTIME_SPAN)
        head = [order_no, EBP[0], EBP[1], ebc[0], ebc[1], yuan(gv), yuan(freight),
                yuan(discount), yuan(tax), yuan(paid), regno, buyer, phone, "1",
                self.idno(district), PAY[0], PAY[1], "42%018d" % i, consignee, cphone, address,
                district, app.strftime("%Y-%m-%d %H:%M:%S")]
        rows = []
        for gnum, (p, qty, price, total) in enumerate(lines, 1):
            unit = rng.choice(self.units[p[4]])
            iso2, iso3, _ = self.countries[rng.choice(p[5])]
            country = iso2 if rng.random() < 0.8 else iso3
            rows.append(head + [str(gnum), p[0], p[1], p[2], p[9], unit, qty, yuan(price),
                                yuan(total), country])
        return rows


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Generate N valid merchant orders as CSV.")
    ap.add_argument("out", help='output path, "-" for stdout')
    ap.add_argument("n", nargs="?", type=int, default=1000000, help="orders (default 1000000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--codes", default=os.path.join(here, "..", "schemas", "codes"),
                    help="directory of the code tables (default: ../schemas/codes)")
    args = ap.parse_args()

    gen = Generator(args.seed, args.codes)
    fp = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="",
                                                  buffering=1 << 20)
    try:
        w = csv.writer(fp, lineterminator="\n")
        w.writerow(HEADER)
        for i in range(1, args.n + 1):
            w.writerows(gen.order(i))
    finally:
        if fp is not sys.stdout:
            fp.close()


if __name__ == "__main__":
    main()
