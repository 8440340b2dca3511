# SPDX-License-Identifier: MIT
# A stand-in for the e-port's transfer client and customs, for the dir: channel
# test: every DxpMsg that appears in CH/outbox is taken away and answered in
# CH/inbox with a receipt DxpMsg (CEB312/412/512/622 with the business keys of
# the declaration), except that orders whose number ends in REFUSE get a CEB900
# format receipt correlated by oriCopMsgId. Receipts are written under a hidden
# name and renamed, as the folder contract says. Stops when CH/stop exists.
import base64
import os
import sys
import time
import xml.etree.ElementTree as ET

CEB = "http://www.chinaport.gov.cn/ceb"
DXP = "http://www.chinaport.gov.cn/dxp"
KEYS = {"CEB311Message": ("OrderHead", "OrderReturn", ["ebpCode", "ebcCode", "orderNo"], "120"),
        "CEB411Message": ("PaymentHead", "PaymentReturn", ["payCode", "payTransactionId"], "120"),
        "CEB511Message": ("LogisticsHead", "LogisticsReturn", ["logisticsCode", "logisticsNo"], "120"),
        "CEB621Message": ("InventoryHead", "InventoryReturn", ["agentCode", "copNo"], "800")}


def q(ns, name):
    return "{%s}%s" % (ns, name)


def sub(parent, ns, name, text=None):
    e = ET.SubElement(parent, q(ns, name))
    if text is not None:
        e.text = text
    return e


def envelope(receipt_root, msg_type, copmsgid):
    body = ET.tostring(receipt_root, encoding="utf-8", xml_declaration=True)
    m = ET.Element(q(DXP, "DxpMsg"), {"ver": "1.0"})
    t = sub(m, DXP, "TransInfo")
    sub(t, DXP, "CopMsgId", copmsgid + "-R")
    sub(t, DXP, "SenderId", "DXPEDCCEB0000002")
    sub(sub(t, DXP, "ReceiverIds"), DXP, "ReceiverId", "DXPENT0000999901")
    sub(t, DXP, "CreatTime", "2026-11-28T10:00:00")
    sub(t, DXP, "MsgType", msg_type)
    sub(m, DXP, "Data", base64.b64encode(body).decode())
    return ET.tostring(m, encoding="utf-8", xml_declaration=True)


def business_receipt(decl, root_name):
    head_name, ret_name, keys, status = KEYS[root_name]
    rtype = "CEB%dMessage" % (int(root_name[3:6]) + 1)
    r = ET.Element(q(CEB, rtype), {"guid": "00000000-0000-4000-8000-000000000001", "version": "1.0"})
    for head in decl.iter(q(CEB, head_name)):
        ret = sub(r, CEB, ret_name)
        sub(ret, CEB, "guid", "00000000-0000-4000-8000-000000000002")
        for k in keys:
            v = head.find(q(CEB, k))
            if v is not None:
                sub(ret, CEB, k, v.text)
        sub(ret, CEB, "returnStatus", status)
        sub(ret, CEB, "returnTime", "20261128100000000")
        sub(ret, CEB, "returnInfo", "入库 stored")
    return r, rtype


def format_receipt(copmsgid, root_name):
    r = ET.Element(q(CEB, "CEB900Message"), {"guid": "00000000-0000-4000-8000-000000000003", "version": "1.0"})
    ret = sub(r, CEB, "MessageReturn")
    sub(ret, CEB, "guid", "00000000-0000-4000-8000-000000000004")
    sub(ret, CEB, "returnStatus", "-1")
    sub(ret, CEB, "returnInfo", "报文格式错误 format error")
    sub(ret, CEB, "returnTime", "20261128100000000")
    sub(ret, CEB, "oriCopMsgId", copmsgid)
    sub(ret, CEB, "oriMessageType", root_name)
    sub(ret, CEB, "oriBizMessage", "")
    return r, "CEB900Message"


def answer(ch, name, refuse):
    path = os.path.join(ch, "outbox", name)
    msg = ET.parse(path).getroot()
    copmsgid = msg.find(q(DXP, "TransInfo")).find(q(DXP, "CopMsgId")).text
    decl = ET.fromstring(base64.b64decode(msg.find(q(DXP, "Data")).text))
    root_name = decl.tag.split("}")[1]
    order = decl.find(".//" + q(CEB, "orderNo"))
    if refuse and order is not None and order.text.endswith(refuse):
        receipt, rtype = format_receipt(copmsgid, root_name)
    else:
        receipt, rtype = business_receipt(decl, root_name)
    data = envelope(receipt, rtype, copmsgid)
    tmp = os.path.join(ch, "inbox", ".%s.part" % name)
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(ch, "inbox", "R_" + name))
    os.rename(path, os.path.join(ch, "sent", name))


def main():
    ch, refuse = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(ch, "sent"), exist_ok=True)
    for _ in range(6000):
        if os.path.exists(os.path.join(ch, "stop")):
            return
        try:
            names = sorted(os.listdir(os.path.join(ch, "outbox")))
        except FileNotFoundError:
            names = []
        for name in names:
            if not name.startswith("."):
                answer(ch, name, refuse)
        time.sleep(0.05)


main()
