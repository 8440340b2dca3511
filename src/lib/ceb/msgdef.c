/* SPDX-License-Identifier: MIT */
/*
 * Field tables of the import-family messages, in XSD order (ceb-spec.md §2.1,
 * §3.1-§3.10). Lengths count characters. Defaults are the spec's own defaults
 * (§2 item 11, fixed currency 142), filled in by normalize and logged there.
 */
#include "config.h"

#include <string.h>
#include "ceb/model.h"

#define R CG_F_REQ
#define RR (CG_F_REQ | CG_F_REAL)
#define N CG_F_NONNEG
#define P CG_F_POS

#define FD(n, zh, k, fl, t, mn, mx, d) { n, zh, CG_K_##k, fl, CG_T_##t, mn, mx, d }
#define TXT(n, zh, fl, mx) FD(n, zh, TEXT, fl, NONE, 0, mx, NULL)
#define CODE(n, zh, fl, mn, mx) FD(n, zh, CODE, fl, NONE, mn, mx, NULL)
#define TAB(n, zh, fl, t, mn, mx) FD(n, zh, CODE, fl, t, mn, mx, NULL)
#define DEC(n, zh, fl) FD(n, zh, DEC, fl, NONE, 0, 0, NULL)
#define INT(n, zh, fl) FD(n, zh, INT, fl, NONE, 0, 0, NULL)
#define PHONE(n, zh, fl, mx) FD(n, zh, PHONE, fl, NONE, 0, mx, NULL)
#define DT14(n, zh, fl) FD(n, zh, DT14, fl, NONE, 14, 14, NULL)
#define D8(n, zh, fl) FD(n, zh, D8, fl, NONE, 8, 8, NULL)
#define T17(n) FD(n, "回执时间", T17, R, NONE, 17, 17, NULL)
#define GUID FD("guid", "系统唯一序号", GUID, R, NONE, 36, 36, NULL)
#define APPTYPE FD("appType", "报送类型", CODE, R, NONE, 1, 1, "1")
#define APPTIME DT14("appTime", "报送时间", R)
#define APPSTATUS(d) FD("appStatus", "业务状态", CODE, R, NONE, 1, 3, d)
#define CURRENCY FD("currency", "币制", CODE, R, CURRENCY, 3, 3, "142")
#define IDTYPE(n, zh) FD(n, zh, CODE, R, IDTYPE, 1, 1, "1")
#define NOTE TXT("note", "备注", 0, 1000)
#define RSTATUS CODE("returnStatus", "回执状态", R, 1, 10)
#define RINFO TXT("returnInfo", "回执信息", R, 1000)
#define NF(a) (sizeof(a) / sizeof((a)[0]))
#define EDEF(var, name, fields) const struct cg_edef var = { name, fields, NF(fields) }

static const struct cg_fdef base_transfer[] = {
	CODE("copCode", "传输企业代码", R, 1, 18),
	TXT("copName", "传输企业名称", RR, 100),
	FD("dxpMode", "报文传输模式", CODE, R, NONE, 3, 3, "DXP"),
	CODE("dxpId", "报文传输编号", R, 0, 30),
	NOTE,
};
EDEF(cg__basetransfer, "BaseTransfer", base_transfer);

/* §3.1 CEB311 */
static const struct cg_fdef order_head[] = {
	GUID, APPTYPE, APPTIME, APPSTATUS("2"),
	FD("orderType", "订单类型", CODE, R, NONE, 1, 1, "I"),
	CODE("orderNo", "订单编号", R, 0, 60),
	CODE("ebpCode", "电商平台代码", R, 0, 18),
	TXT("ebpName", "电商平台名称", RR, 100),
	CODE("ebcCode", "电商企业代码", R, 0, 18),
	TXT("ebcName", "电商企业名称", RR, 100),
	DEC("goodsValue", "商品价格", R | N),
	DEC("freight", "运杂费", R | N),
	DEC("discount", "非现金抵扣金额", R | N),
	DEC("taxTotal", "代扣税款", R | N),
	DEC("acturalPaid", "实际支付金额", R | N),
	CURRENCY,
	TXT("buyerRegNo", "订购人注册号", RR, 60),
	TXT("buyerName", "订购人姓名", RR, 60),
	PHONE("buyerTelephone", "订购人电话", RR, 30),
	IDTYPE("buyerIdType", "订购人证件类型"),
	FD("buyerIdNumber", "订购人证件号码", IDNO, R, NONE, 0, 60, NULL),
	CODE("payCode", "支付企业代码", 0, 0, 18),
	TXT("payName", "支付企业名称", 0, 100),
	CODE("payTransactionId", "支付交易编号", 0, 0, 60),
	TXT("batchNumbers", "商品批次号", 0, 100),
	TXT("consignee", "收货人姓名", RR, 100),
	PHONE("consigneeTelephone", "收货人电话", RR, 50),
	TXT("consigneeAddress", "收货地址", RR, 200),
	CODE("consigneeDistrict", "收货地址行政区划代码", 0, 6, 6),
	NOTE,
};
static const struct cg_fdef order_list[] = {
	INT("gnum", "商品序号", R | P),
	TXT("itemNo", "企业商品货号", 0, 30),
	TXT("itemName", "企业商品名称", RR, 250),
	TXT("gmodel", "商品规格型号", RR, 510),
	TXT("itemDescribe", "企业商品描述", 0, 1000),
	TXT("barCode", "条形码", 0, 50),
	TAB("unit", "单位", R, UNIT, 3, 3),
	DEC("qty", "数量", R | P),
	DEC("price", "单价", R | N),
	DEC("totalPrice", "总价", R | N),
	CURRENCY,
	TAB("country", "原产国", R, COUNTRY, 3, 3),
	NOTE,
};
static EDEF(order_head_e, "OrderHead", order_head);
static EDEF(order_list_e, "OrderList", order_list);

/* §3.2 CEB411 */
static const struct cg_fdef payment_head[] = {
	GUID, APPTYPE, APPTIME, APPSTATUS("2"),
	CODE("payCode", "支付企业代码", R, 0, 18),
	TXT("payName", "支付企业名称", RR, 100),
	CODE("payTransactionId", "支付交易编号", R, 0, 60),
	CODE("orderNo", "订单编号", R, 0, 60),
	CODE("ebpCode", "电商平台代码", R, 0, 18),
	TXT("ebpName", "电商平台名称", RR, 100),
	IDTYPE("payerIdType", "支付人证件类型"),
	FD("payerIdNumber", "支付人证件号码", IDNO, R, NONE, 0, 60, NULL),
	TXT("payerName", "支付人姓名", RR, 60),
	PHONE("telephone", "支付人电话", 0, 60),
	DEC("amountPaid", "支付金额", R | P),
	CURRENCY,
	DT14("payTime", "支付时间", R),
	NOTE,
};
static EDEF(payment_head_e, "PaymentHead", payment_head);

/* §3.3 CEB511 */
static const struct cg_fdef logistics_head[] = {
	GUID, APPTYPE, APPTIME, APPSTATUS("2"),
	CODE("logisticsCode", "物流企业代码", R, 0, 18),
	TXT("logisticsName", "物流企业名称", RR, 100),
	CODE("logisticsNo", "物流运单编号", R, 0, 60),
	CODE("billNo", "提运单号", 0, 0, 37),
	CODE("orderNo", "订单编号", R, 0, 60),
	DEC("freight", "运费", N),
	DEC("insuredFee", "保价费", N),
	CURRENCY,
	DEC("weight", "毛重", R | P),
	INT("packNo", "件数", R | P),
	TXT("goodsInfo", "主要货物信息", 0, 200),
	TXT("consignee", "收货人姓名", RR, 100),
	TXT("consigneeAddress", "收货地址", RR, 200),
	PHONE("consigneeTelephone", "收货人电话", RR, 50),
	NOTE,
};
static EDEF(logistics_head_e, "LogisticsHead", logistics_head);

/* §3.4 CEB513 */
static const struct cg_fdef logistics_status[] = {
	GUID, APPTYPE, APPTIME, APPSTATUS("2"),
	CODE("logisticsCode", "物流企业代码", R, 0, 18),
	TXT("logisticsName", "物流企业名称", RR, 100),
	CODE("logisticsNo", "物流运单编号", R, 0, 60),
	CODE("logisticsStatus", "物流运单状态", R, 1, 1),
	DT14("logisticsTime", "物流状态时间", R),
	NOTE,
};
static EDEF(logistics_status_e, "LogisticsStatus", logistics_status);

/* §3.5 CEB621 */
static const struct cg_fdef inventory_head[] = {
	GUID, APPTYPE, APPTIME, APPSTATUS("1"),
	CODE("orderNo", "订单编号", R, 0, 60),
	CODE("ebpCode", "电商平台代码", R, 0, 18),
	TXT("ebpName", "电商平台名称", RR, 100),
	CODE("ebcCode", "电商企业代码", R, 0, 18),
	TXT("ebcName", "电商企业名称", RR, 100),
	CODE("logisticsNo", "物流运单编号", R, 0, 60),
	CODE("logisticsCode", "物流企业代码", R, 0, 18),
	TXT("logisticsName", "物流企业名称", RR, 100),
	CODE("copNo", "企业内部编号", 0, 0, 20),
	CODE("preNo", "预录入编号", 0, 0, 18),
	CODE("assureCode", "担保企业编号", R, 0, 30),
	CODE("emsNo", "账册编号", 0, 0, 30),
	CODE("invtNo", "清单编号", 0, 0, 18),
	FD("ieFlag", "进出口标记", CODE, R, NONE, 1, 1, "I"),
	D8("declTime", "申报日期", R),
	TAB("customsCode", "申报海关代码", R, CUSTOMS, 4, 4),
	TAB("portCode", "口岸海关代码", R, CUSTOMS, 4, 4),
	D8("ieDate", "进口日期", 0),
	IDTYPE("buyerIdType", "订购人证件类型"),
	FD("buyerIdNumber", "订购人证件号码", IDNO, R, NONE, 0, 60, NULL),
	TXT("buyerName", "订购人姓名", RR, 60),
	PHONE("buyerTelephone", "订购人电话", RR, 30),
	TXT("consigneeAddress", "收件地址", RR, 200),
	CODE("agentCode", "申报企业代码", R, 0, 18),
	TXT("agentName", "申报企业名称", RR, 100),
	CODE("areaCode", "区内企业代码", 0, 0, 18),
	TXT("areaName", "区内企业名称", 0, 100),
	TAB("tradeMode", "贸易方式", R, TRADEMODE, 4, 4),
	TAB("trafMode", "运输方式", R, TRANSPORT, 1, 1),
	TXT("trafNo", "运输工具编号", 0, 100),
	CODE("voyageNo", "航班航次号", 0, 0, 32),
	CODE("billNo", "提运单号", 0, 0, 37),
	CODE("loctNo", "监管场所代码", 0, 0, 10),
	CODE("licenseNo", "许可证件号", 0, 0, 19),
	TAB("country", "起运国（地区）", R, COUNTRY, 3, 3),
	DEC("freight", "运费", R | N),
	DEC("insuredFee", "保费", R | N),
	CURRENCY,
	TAB("wrapType", "包装种类代码", 0, WRAP, 1, 1),
	INT("packNo", "件数", R | P),
	DEC("grossWeight", "毛重（公斤）", R | P),
	DEC("netWeight", "净重（公斤）", R | P),
	NOTE,
};
static const struct cg_fdef inventory_list[] = {
	INT("gnum", "序号", R | P),
	CODE("itemRecordNo", "账册备案料号", 0, 0, 30),
	TXT("itemNo", "企业商品货号", 0, 20),
	TXT("itemName", "企业商品品名", 0, 250),
	CODE("gcode", "商品编码", R, 10, 10),
	TXT("gname", "商品名称", RR, 250),
	TXT("gmodel", "商品规格型号", RR, 510),
	TXT("barCode", "条码", 0, 50),
	TAB("country", "原产国（地区）", R, COUNTRY, 3, 3),
	TAB("tradeCountry", "贸易国", 0, COUNTRY, 1, 3),
	CURRENCY,
	DEC("qty", "数量", R | P),
	TAB("unit", "计量单位", R, UNIT, 3, 3),
	DEC("qty1", "法定数量", R | P),
	TAB("unit1", "法定计量单位", R, UNIT, 3, 3),
	DEC("qty2", "第二数量", 0),
	TAB("unit2", "第二计量单位", 0, UNIT, 3, 3),
	DEC("price", "单价", R | N),
	DEC("totalPrice", "总价", R | N),
	NOTE,
};
static EDEF(inventory_head_e, "InventoryHead", inventory_head);
static EDEF(inventory_list_e, "InventoryList", inventory_list);

/* §3.6 CEB623; §3.7 says InvtRefundHead has the same fields */
#define CANCEL_FIELDS(reason_zh)                                         \
	GUID, APPTYPE, APPTIME, APPSTATUS("1"),                          \
	TAB("customsCode", "申报海关代码", R, CUSTOMS, 4, 4),            \
	CODE("orderNo", "订单编号", R, 0, 60),                           \
	CODE("ebpCode", "电商平台代码", R, 0, 18),                       \
	TXT("ebpName", "电商平台名称", RR, 100),                         \
	CODE("ebcCode", "电商企业代码", R, 0, 18),                       \
	TXT("ebcName", "电商企业名称", RR, 100),                         \
	CODE("logisticsNo", "物流运单编号", R, 0, 60),                   \
	CODE("logisticsCode", "物流企业代码", R, 0, 18),                 \
	TXT("logisticsName", "物流企业名称", RR, 100),                   \
	CODE("copNo", "企业内部编号", 0, 0, 20),                         \
	CODE("preNo", "预录入编号", 0, 0, 18),                           \
	CODE("invtNo", "清单编号", R, 0, 18),                            \
	IDTYPE("buyerIdType", "订购人证件类型"),                         \
	FD("buyerIdNumber", "订购人证件号码", IDNO, R, NONE, 0, 60, NULL), \
	TXT("buyerName", "订购人姓名", RR, 60),                          \
	PHONE("buyerTelephone", "订购人电话", RR, 30),                   \
	CODE("agentCode", "申报企业代码", R, 0, 18),                     \
	TXT("agentName", "申报企业名称", RR, 100),                       \
	TXT("reason", reason_zh, RR, 1000),                              \
	NOTE

static const struct cg_fdef invt_cancel[] = { CANCEL_FIELDS("撤单原因") };
static const struct cg_fdef invt_refund_head[] = { CANCEL_FIELDS("退货原因") };
static const struct cg_fdef invt_refund_list[] = {
	INT("gnum", "商品序号", R | P),
	CODE("gcode", "商品编码", R, 10, 10),
	TXT("gname", "商品名称", RR, 250),
	DEC("qty", "数量", R | P),
	TAB("unit", "计量单位", R, UNIT, 3, 3),
	NOTE,
};
static EDEF(invt_cancel_e, "InvtCancel", invt_cancel);
static EDEF(invt_refund_head_e, "InvtRefundHead", invt_refund_head);
static EDEF(invt_refund_list_e, "InvtRefundList", invt_refund_list);

/* §3.8 CEB711 */
static const struct cg_fdef delivery_head[] = {
	GUID, APPTYPE, APPTIME, APPSTATUS("1"),
	TAB("customsCode", "申报海关代码", R, CUSTOMS, 4, 4),
	CODE("copNo", "企业内部编号", 0, 0, 20),
	CODE("preNo", "预录入编号", 0, 0, 18),
	CODE("rkdNo", "入库明细单编号", 0, 0, 18),
	CODE("operatorCode", "监管场所经营人代码", R, 0, 18),
	TXT("operatorName", "监管场所经营人名称", RR, 100),
	FD("ieFlag", "进出口标记", CODE, R, NONE, 1, 1, "I"),
	TAB("trafMode", "运输方式", R, TRANSPORT, 1, 1),
	TXT("trafNo", "运输工具编号", RR, 100),
	CODE("voyageNo", "航班航次号", R, 0, 32),
	CODE("billNo", "提运单号", R, 0, 37),
	CODE("logisticsCode", "物流企业代码", R, 0, 18),
	TXT("logisticsName", "物流企业名称", RR, 100),
	TXT("unloadLocation", "卸货地点", 0, 100),
	NOTE,
};
static const struct cg_fdef delivery_list[] = {
	INT("gnum", "序号", R | P),
	CODE("logisticsNo", "物流运单编号", R, 0, 60),
	NOTE,
};
static EDEF(delivery_head_e, "DeliveryHead", delivery_head);
static EDEF(delivery_list_e, "DeliveryList", delivery_list);

/* Receipts, customs -> enterprise (§3.1-§3.10) */
static const struct cg_fdef order_return[] = {
	GUID, CODE("ebpCode", "电商平台代码", R, 0, 18), CODE("ebcCode", "电商企业代码", R, 0, 18),
	CODE("orderNo", "订单编号", R, 0, 60), RSTATUS, T17("returnTime"), RINFO,
};
static const struct cg_fdef payment_return[] = {
	GUID, CODE("payCode", "支付企业代码", R, 0, 18),
	CODE("payTransactionId", "支付交易编号", R, 0, 60), RSTATUS, T17("returnTime"), RINFO,
};
static const struct cg_fdef logistics_return[] = {
	GUID, CODE("logisticsCode", "物流企业代码", R, 0, 18),
	CODE("logisticsNo", "物流运单编号", R, 0, 60), RSTATUS, T17("returnTime"), RINFO,
};
static const struct cg_fdef logistics_status_return[] = {
	GUID, CODE("logisticsCode", "物流企业代码", R, 0, 18),
	CODE("logisticsNo", "物流运单编号", R, 0, 60),
	CODE("logisticsStatus", "物流运单状态", R, 1, 1), RSTATUS, T17("returnTime"), RINFO,
};
static const struct cg_fdef inventory_return[] = {
	GUID, CODE("customsCode", "申报海关代码", 0, 4, 4), CODE("ebpCode", "电商平台代码", 0, 1, 18),
	CODE("ebcCode", "电商企业代码", 0, 1, 18), CODE("agentCode", "申报企业代码", 0, 1, 18),
	CODE("copNo", "企业内部编号", R, 1, 20), CODE("preNo", "预录入编号", R, 18, 18),
	CODE("invtNo", "清单编号", 0, 18, 18), RSTATUS, T17("returnTime"), RINFO,
};
static const struct cg_fdef cancel_return[] = {
	GUID, CODE("customsCode", "申报海关代码", 0, 4, 4), CODE("agentCode", "申报企业代码", 0, 1, 18),
	CODE("ebpCode", "电商平台代码", 0, 1, 18), CODE("ebcCode", "电商企业代码", 0, 1, 18),
	CODE("copNo", "企业内部编号", R, 1, 20), CODE("preNo", "预录入编号", R, 18, 18),
	CODE("invtNo", "清单编号", 0, 18, 18), RSTATUS, T17("returnTime"), RINFO,
};
static const struct cg_fdef delivery_return[] = {
	GUID, CODE("customsCode", "申报海关代码", 0, 4, 4),
	CODE("operatorCode", "监管场所经营人代码", 0, 0, 18), CODE("copNo", "企业内部编号", 0, 0, 20),
	CODE("preNo", "预录入编号", 0, 0, 18), CODE("rkdNo", "入库明细单编号", 0, 0, 18), RSTATUS,
	T17("returnTime"), RINFO,
};
static const struct cg_fdef tax_head_rd[] = {
	GUID, T17("returnTime"), CODE("invtNo", "清单编号", R, 1, 18),
	CODE("taxNo", "电子税单编号", R, 1, 50), DEC("customsTax", "关税", R | N),
	DEC("valueAddedTax", "增值税", R | N), DEC("consumptionTax", "消费税", R | N),
	CODE("status", "税单状态", R, 1, 1), CODE("entDutyNo", "缴款书编号", 0, 0, 50), NOTE,
	CODE("assureCode", "担保企业编号", 0, 0, 64), CODE("ebcCode", "电商企业代码", 0, 0, 64),
	CODE("logisticsCode", "物流企业代码", 0, 0, 64), CODE("agentCode", "申报企业代码", 0, 1, 18),
	CODE("customsCode", "申报海关代码", 0, 4, 4),
};
static const struct cg_fdef tax_list_rd[] = {
	INT("gnum", "商品序号", R | P), CODE("gcode", "商品编码", R, 10, 10),
	DEC("taxPrice", "完税价格", R | N), DEC("customsTax", "关税", R | N),
	DEC("valueAddedTax", "增值税", R | N), DEC("consumptionTax", "消费税", R | N),
};
static const struct cg_fdef tax_head_status[] = {
	GUID, T17("returnTime"), CODE("invtNo", "清单编号", R, 1, 18),
	CODE("taxNo", "电子税单编号", R, 1, 50), CODE("status", "税单状态", R, 1, 1),
	CODE("entDutyNo", "缴款书编号", 0, 0, 50), CODE("assureCode", "担保企业编号", 0, 0, 64),
};
static const struct cg_fdef message_return[] = {
	GUID, RSTATUS, TXT("returnInfo", "回执信息", R, 5000), T17("returnTime"),
	/* C0..n in §3.10: present, possibly empty. */
	TXT("oriCopMsgId", "原报文传输编号", R, 255), TXT("oriMessageType", "原报文类型", R, 15),
	TXT("oriBizMessage", "原报文", R, 0),
};
static EDEF(order_return_e, "OrderReturn", order_return);
static EDEF(payment_return_e, "PaymentReturn", payment_return);
static EDEF(logistics_return_e, "LogisticsReturn", logistics_return);
static EDEF(logistics_status_return_e, "LogisticsStatusReturn", logistics_status_return);
static EDEF(inventory_return_e, "InventoryReturn", inventory_return);
static EDEF(cancel_return_e, "InvtCancelReturn", cancel_return);
static EDEF(refund_return_e, "InvtRefundReturn", cancel_return);
static EDEF(delivery_return_e, "DeliveryReturn", delivery_return);
static EDEF(tax_head_rd_e, "TaxHeadRd", tax_head_rd);
static EDEF(tax_list_rd_e, "TaxListRd", tax_list_rd);
static EDEF(tax_head_status_e, "TaxHeadStatus", tax_head_status);
static EDEF(message_return_e, "MessageReturn", message_return);

#define DECL(t, doc, head, list, md, ml, sig, k1, k2)                                      \
	static const struct cg_msgdef m##t = { t,   "CEB" #t "Message", doc, head, list, md, \
					      ml,  true, sig, { k1, k2, NULL }, false }
#define RCPT(t, doc, head, list, md, ml)                                                     \
	static const struct cg_msgdef m##t = { t,  "CEB" #t "Message", doc, head, list, md, ml, \
					      false, false, { NULL }, false }

DECL(311, "Order", &order_head_e, &order_list_e, 100, 99, false, "ebpCode", "orderNo");
DECL(411, "Payment", &payment_head_e, NULL, 100, 0, false, "payCode", "payTransactionId");
DECL(511, "Logistics", &logistics_head_e, NULL, 100, 0, false, "logisticsCode", "logisticsNo");
DECL(513, NULL, &logistics_status_e, NULL, 100, 0, false, "logisticsCode", "logisticsNo");
DECL(621, "Inventory", &inventory_head_e, &inventory_list_e, 100, 99, true, "agentCode", "copNo");
DECL(623, NULL, &invt_cancel_e, NULL, 100, 0, true, "agentCode", "invtNo");
DECL(625, "InvtRefund", &invt_refund_head_e, &invt_refund_list_e, 100, 99, true, "agentCode",
     "invtNo");
DECL(711, "Delivery", &delivery_head_e, &delivery_list_e, 1, 0, true, "operatorCode", "billNo");
RCPT(312, NULL, &order_return_e, NULL, 100, 0);
RCPT(412, NULL, &payment_return_e, NULL, 100, 0);
RCPT(512, NULL, &logistics_return_e, NULL, 100, 0);
RCPT(514, NULL, &logistics_status_return_e, NULL, 100, 0);
RCPT(622, NULL, &inventory_return_e, NULL, 100, 0);
RCPT(624, NULL, &cancel_return_e, NULL, 100, 0);
RCPT(626, NULL, &refund_return_e, NULL, 100, 0);
RCPT(712, NULL, &delivery_return_e, NULL, 100, 0);
RCPT(816, "Tax", &tax_head_rd_e, &tax_list_rd_e, 0, 99);
RCPT(818, "Tax", &tax_head_status_e, NULL, 0, 0);
RCPT(900, NULL, &message_return_e, NULL, 1, 0);

const struct cg_msgdef *const cg__msgdefs[] = {
	&m311, &m312, &m411, &m412, &m511, &m512, &m513, &m514, &m621, &m622,
	&m623, &m624, &m625, &m626, &m711, &m712, &m816, &m818, &m900, NULL,
};

static const struct cg_msgdef *const *const families[] = { cg__msgdefs, cg__export_msgdefs };

const struct cg_msgdef *
cg__msgdef_by_root(const char *root)
{
	size_t f, i;

	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		for (i = 0; families[f][i] != NULL; i++) {
			if (strcmp(families[f][i]->root, root) == 0)
				return families[f][i];
		}
	}
	return NULL;
}

const struct cg_msgdef *
cg__msgdef_by_type(int type)
{
	size_t f, i;

	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		for (i = 0; families[f][i] != NULL; i++) {
			if (families[f][i]->type == type)
				return families[f][i];
		}
	}
	return NULL;
}

int
cg__edef_find(const struct cg_edef *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nf; i++) {
		if (strcmp(e->f[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}
