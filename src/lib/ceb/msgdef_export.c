/* SPDX-License-Identifier: MIT */
/*
 * Field tables of the export-family messages (ceb-export-spec.md §3), made by
 * scripts/export-schema-from-spec together with schemas/ceb-export.xsd, so the
 * two cannot disagree (test_model checks them against each other). Do not
 * edit by hand. Lengths count characters.
 */
#include "config.h"

#include "ceb/model.h"

#define NF(a) (sizeof(a) / sizeof((a)[0]))
#define EDEF(var, name, fields) const struct cg_edef var = { name, fields, NF(fields) }

/* CEB303 电子订单: OrderHead */
static const struct cg_fdef x303_OrderHead[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "orderType", "订单类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, NULL },
	{ "orderNo", "订单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 60, NULL },
	{ "ebpCode", "电商平台代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebpName", "电商平台名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "ebcCode", "电商企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebcName", "电商企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "goodsValue", "商品金额", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "freight", "运杂费", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "currency", "币制", CG_K_CODE, CG_F_REQ, CG_T_CURRENCY, 3, 3, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x303_OrderHead_e, "OrderHead", x303_OrderHead);

/* CEB303 电子订单: OrderList */
static const struct cg_fdef x303_OrderList[] = {
	{ "gnum", "序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "itemNo", "企业商品货号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "itemName", "企业商品名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 250, NULL },
	{ "itemDescribe", "企业商品描述", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
	{ "barCode", "条形码", CG_K_TEXT, 0, CG_T_NONE, 0, 50, NULL },
	{ "unit", "计量单位", CG_K_CODE, CG_F_REQ, CG_T_UNIT, 3, 3, NULL },
	{ "currency", "币制", CG_K_CODE, CG_F_REQ, CG_T_CURRENCY, 3, 3, NULL },
	{ "qty", "数量", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "price", "单价", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "totalPrice", "总价", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x303_OrderList_e, "OrderList", x303_OrderList);

/* CEB304 电子订单回执: OrderReturn */
static const struct cg_fdef x304_OrderReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "ebpCode", "电商平台代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebcCode", "电商企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "orderNo", "订单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 60, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x304_OrderReturn_e, "OrderReturn", x304_OrderReturn);

/* CEB403 收款单: Receipts */
static const struct cg_fdef x403_Receipts[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "ebpCode", "电商平台代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebpName", "电商平台名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "ebcCode", "电商企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebcName", "电商企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "orderNo", "订单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 60, NULL },
	{ "payCode", "支付企业代码", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "payName", "支付企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "payNo", "支付交易编号", CG_K_CODE, 0, CG_T_NONE, 0, 60, NULL },
	{ "charge", "收款金额", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "currency", "币制", CG_K_CODE, CG_F_REQ, CG_T_CURRENCY, 3, 3, NULL },
	{ "accountingDate", "到账时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x403_Receipts_e, "Receipts", x403_Receipts);

/* CEB404 收款单回执: ReceiptsReturn */
static const struct cg_fdef x404_ReceiptsReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "ebcCode", "电商企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "orderNo", "订单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 60, NULL },
	{ "payNo", "支付交易编号", CG_K_CODE, 0, CG_T_NONE, 0, 60, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x404_ReceiptsReturn_e, "ReceiptsReturn", x404_ReceiptsReturn);

/* CEB505 物流运单: Logistics */
static const struct cg_fdef x505_Logistics[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsName", "物流企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "freight", "运费", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "insuredFee", "保价费", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "currency", "币制", CG_K_CODE, CG_F_REQ, CG_T_CURRENCY, 3, 3, NULL },
	{ "grossWeight", "毛重", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "packNo", "件数", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "goodsInfo", "主要货物信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 200, NULL },
	{ "ebcCode", "收发货人代码", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "ebcName", "收发货人名称", CG_K_TEXT, 0, CG_T_NONE, 0, 100, NULL },
	{ "ebcTelephone", "收发货人电话", CG_K_PHONE, 0, CG_T_NONE, 0, 50, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x505_Logistics_e, "Logistics", x505_Logistics);

/* CEB506 物流运单回执: LogisticsReturn */
static const struct cg_fdef x506_LogisticsReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x506_LogisticsReturn_e, "LogisticsReturn", x506_LogisticsReturn);

/* CEB507 运抵单: ArrivalHead */
static const struct cg_fdef x507_ArrivalHead[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "customsCode", "申报地海关代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 18, 18, NULL },
	{ "operatorCode", "监管场所经营人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "operatorName", "监管场所经营人名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "loctNo", "监管场所代码", CG_K_CODE, 0, CG_T_NONE, 0, 10, NULL },
	{ "ieFlag", "进出口标记", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, NULL },
	{ "trafMode", "运输方式", CG_K_CODE, CG_F_REQ, CG_T_TRANSPORT, 1, 1, NULL },
	{ "billNo", "提运单号", CG_K_CODE, 0, CG_T_NONE, 0, 37, NULL },
	{ "domesticTrafNo", "境内运输工具编号", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 100, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsName", "物流企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "msgCount", "报文总数", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "msgSeqNo", "报文序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x507_ArrivalHead_e, "ArrivalHead", x507_ArrivalHead);

/* CEB507 运抵单: ArrivalList */
static const struct cg_fdef x507_ArrivalList[] = {
	{ "gnum", "序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "totalPackageNo", "总包号", CG_K_CODE, 0, CG_T_NONE, 0, 37, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x507_ArrivalList_e, "ArrivalList", x507_ArrivalList);

/* CEB508 运抵单回执: ArrivalReturn */
static const struct cg_fdef x508_ArrivalReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "operatorCode", "监管场所经营人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 18, 18, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "billNo", "提运单号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 37, NULL },
	{ "msgSeqNo", "报文序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x508_ArrivalReturn_e, "ArrivalReturn", x508_ArrivalReturn);

/* CEB509 离境单: DepartureHead */
static const struct cg_fdef x509_DepartureHead[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "customsCode", "申报地海关代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 18, 18, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsName", "物流企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "trafMode", "运输方式", CG_K_CODE, CG_F_REQ, CG_T_TRANSPORT, 1, 1, NULL },
	{ "trafName", "运输工具名称", CG_K_TEXT, 0, CG_T_NONE, 0, 100, NULL },
	{ "voyageNo", "航班航次号", CG_K_CODE, 0, CG_T_NONE, 0, 32, NULL },
	{ "billNo", "提运单号", CG_K_CODE, 0, CG_T_NONE, 0, 37, NULL },
	{ "leaveTime", "离境时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "msgCount", "报文总数", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "msgSeqNo", "报文序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x509_DepartureHead_e, "DepartureHead", x509_DepartureHead);

/* CEB509 离境单: DepartureList */
static const struct cg_fdef x509_DepartureList[] = {
	{ "gnum", "序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "totalPackageNo", "总包号", CG_K_CODE, 0, CG_T_NONE, 0, 37, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x509_DepartureList_e, "DepartureList", x509_DepartureList);

/* CEB510 离境单回执: DepartureReturn */
static const struct cg_fdef x510_DepartureReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 18, 18, NULL },
	{ "msgSeqNo", "报文序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x510_DepartureReturn_e, "DepartureReturn", x510_DepartureReturn);

/* CEB603 申报清单: InventoryHead */
static const struct cg_fdef x603_InventoryHead[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "customsCode", "申报地海关代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "ebpCode", "电商平台代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebpName", "电商平台名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "orderNo", "订单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 60, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsName", "物流企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 18, 18, NULL },
	{ "invtNo", "清单编号", CG_K_CODE, 0, CG_T_NONE, 0, 20, NULL },
	{ "ieFlag", "进出口标记", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, NULL },
	{ "portCode", "出口口岸代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "ieDate", "出口日期", CG_K_D8, CG_F_REQ, CG_T_NONE, 8, 8, NULL },
	{ "statisticsFlag", "申报业务类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "agentName", "申报企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "ebcCode", "收发货人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebcName", "收发货人名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "ownerCode", "生产销售单位代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ownerName", "生产销售单位名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "iacCode", "区内企业代码", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "iacName", "区内企业名称", CG_K_TEXT, 0, CG_T_NONE, 0, 100, NULL },
	{ "emsNo", "账册编号", CG_K_CODE, 0, CG_T_NONE, 0, 30, NULL },
	{ "tradeMode", "贸易方式", CG_K_CODE, CG_F_REQ, CG_T_TRADEMODE, 4, 4, NULL },
	{ "trafMode", "运输方式", CG_K_CODE, CG_F_REQ, CG_T_TRANSPORT, 1, 1, NULL },
	{ "trafName", "运输工具名称", CG_K_TEXT, 0, CG_T_NONE, 0, 100, NULL },
	{ "voyageNo", "航班航次号", CG_K_CODE, 0, CG_T_NONE, 0, 32, NULL },
	{ "billNo", "提运单号", CG_K_CODE, 0, CG_T_NONE, 0, 37, NULL },
	{ "totalPackageNo", "总包号", CG_K_CODE, 0, CG_T_NONE, 0, 37, NULL },
	{ "loctNo", "监管场所代码", CG_K_CODE, 0, CG_T_NONE, 0, 10, NULL },
	{ "licenseNo", "许可证号", CG_K_CODE, 0, CG_T_NONE, 0, 19, NULL },
	{ "country", "运抵国（地区）", CG_K_CODE, CG_F_REQ, CG_T_COUNTRY, 3, 3, NULL },
	{ "POD", "指运港代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 3, 4, NULL },
	{ "freight", "运费", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "fCurrency", "运费币制", CG_K_CODE, CG_F_REQ, CG_T_CURRENCY, 3, 3, NULL },
	{ "fFlag", "运费标志", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "3" },
	{ "insuredFee", "保费", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "iCurrency", "保费币制", CG_K_CODE, CG_F_REQ, CG_T_CURRENCY, 3, 3, NULL },
	{ "iFlag", "保费标志", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "3" },
	{ "wrapType", "包装种类代码", CG_K_CODE, CG_F_REQ, CG_T_WRAP, 1, 1, NULL },
	{ "packNo", "件数", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "grossWeight", "毛重（千克）", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "netWeight", "净重（千克）", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x603_InventoryHead_e, "InventoryHead", x603_InventoryHead);

/* CEB603 申报清单: InventoryList */
static const struct cg_fdef x603_InventoryList[] = {
	{ "gnum", "商品项号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "itemNo", "企业商品货号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 20, NULL },
	{ "itemRecordNo", "账册备案料号", CG_K_CODE, 0, CG_T_NONE, 0, 30, NULL },
	{ "itemName", "企业商品名称", CG_K_TEXT, 0, CG_T_NONE, 0, 250, NULL },
	{ "gcode", "商品编码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 10, 10, NULL },
	{ "gname", "商品名称", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 250, NULL },
	{ "gmodel", "规格型号", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 250, NULL },
	{ "barCode", "条形码", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 50, NULL },
	{ "country", "最终目的国（地区）", CG_K_CODE, CG_F_REQ, CG_T_COUNTRY, 3, 3, NULL },
	{ "currency", "币制", CG_K_CODE, CG_F_REQ, CG_T_CURRENCY, 3, 3, NULL },
	{ "qty", "申报数量", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "qty1", "法定数量", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "qty2", "第二数量", CG_K_DEC, CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "unit", "申报计量单位", CG_K_CODE, CG_F_REQ, CG_T_UNIT, 3, 3, NULL },
	{ "unit1", "法定计量单位", CG_K_CODE, CG_F_REQ, CG_T_UNIT, 3, 3, NULL },
	{ "unit2", "第二计量单位", CG_K_CODE, 0, CG_T_UNIT, 0, 3, NULL },
	{ "price", "单价", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "totalPrice", "总价", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x603_InventoryList_e, "InventoryList", x603_InventoryList);

/* CEB604 申报清单回执: InventoryReturn */
static const struct cg_fdef x604_InventoryReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 18, 18, NULL },
	{ "invtNo", "清单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 20, NULL },
	{ "ebcCode", "收发货人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebpCode", "电商平台代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "orderNo", "订单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 60, NULL },
	{ "statisticsFlag", "申报业务类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x604_InventoryReturn_e, "InventoryReturn", x604_InventoryReturn);

/* CEB605 撤销申请单: InvtCancel */
static const struct cg_fdef x605_InvtCancel[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "customsCode", "申报地海关代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 18, 18, NULL },
	{ "invtNo", "清单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 20, NULL },
	{ "reason", "撤单原因", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "agentName", "申报企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "ebcCode", "收发货人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebcName", "收发货人名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x605_InvtCancel_e, "InvtCancel", x605_InvtCancel);

/* CEB606 撤销申请单回执: InvtCancelReturn */
static const struct cg_fdef x606_InvtCancelReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 18, 18, NULL },
	{ "invtNo", "清单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 20, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x606_InvtCancelReturn_e, "InvtCancelReturn", x606_InvtCancelReturn);

/* CEB607 清单总分单: WayBillHead */
static const struct cg_fdef x607_WayBillHead[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "customsCode", "申报地海关代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 18, 18, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "agentName", "申报企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "loctNo", "监管场所代码", CG_K_CODE, 0, CG_T_NONE, 0, 10, NULL },
	{ "trafMode", "运输方式", CG_K_CODE, CG_F_REQ, CG_T_TRANSPORT, 1, 1, NULL },
	{ "trafName", "运输工具名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "voyageNo", "航班航次号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "billNo", "提运单号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 37, NULL },
	{ "domesticTrafNo", "境内运输工具编号", CG_K_TEXT, 0, CG_T_NONE, 0, 100, NULL },
	{ "grossWeight", "毛重（千克）", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsName", "物流企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "msgCount", "报文总数", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "msgSeqNo", "报文序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x607_WayBillHead_e, "WayBillHead", x607_WayBillHead);

/* CEB607 清单总分单: WayBillList */
static const struct cg_fdef x607_WayBillList[] = {
	{ "gnum", "项号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "totalPackageNo", "总包号", CG_K_CODE, 0, CG_T_NONE, 0, 60, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "invtNo", "原出口清单编号", CG_K_CODE, 0, CG_T_NONE, 0, 20, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x607_WayBillList_e, "WayBillList", x607_WayBillList);

/* CEB608 清单总分单回执: WayBillReturn */
static const struct cg_fdef x608_WayBillReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 18, 18, NULL },
	{ "billNo", "提运单号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 37, NULL },
	{ "msgSeqNo", "报文序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x608_WayBillReturn_e, "WayBillReturn", x608_WayBillReturn);

/* CEB213 退货申请单: InvtRefundHead */
static const struct cg_fdef x213_InvtRefundHead[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "customsCode", "关区代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "loctNo", "监管场所代码", CG_K_CODE, 0, CG_T_NONE, 0, 10, NULL },
	{ "ebpCode", "电商平台代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebpName", "电商平台名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "ebcCode", "电商企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebcName", "电商企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 80, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsName", "物流企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "coElNo", "企业内部编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "invtNo", "原清单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 20, NULL },
	{ "tradeMode", "退货监管方式", CG_K_CODE, 0, CG_T_NONE, 4, 4, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "agentName", "申报企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "billNo", "提运单号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 37, NULL },
	{ "ieFlag", "进出口标记", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 1, NULL },
	{ "trafMode", "运输方式", CG_K_CODE, CG_F_REQ, CG_T_TRANSPORT, 0, 1, NULL },
	{ "trafName", "运输工具名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "portCode", "进出口岸", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 0, 4, NULL },
	{ "reason", "退货原因", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 500, NULL },
	{ "country", "起运国（地区）", CG_K_CODE, CG_F_REQ, CG_T_COUNTRY, 0, 3, NULL },
	{ "voyageNo", "航班航次", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 500, NULL },
};
static EDEF(x213_InvtRefundHead_e, "InvtRefundHead", x213_InvtRefundHead);

/* CEB213 退货申请单: InvtRefundList */
static const struct cg_fdef x213_InvtRefundList[] = {
	{ "gnum", "商品项号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "gcode", "商品编码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 10, NULL },
	{ "gname", "商品名称", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 250, NULL },
	{ "gmodel", "规格型号", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 250, NULL },
	{ "qty", "申报数量", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "qty1", "法定数量", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "unit", "申报计量单位", CG_K_CODE, CG_F_REQ, CG_T_UNIT, 3, 3, NULL },
	{ "unit1", "法定计量单位", CG_K_CODE, CG_F_REQ, CG_T_UNIT, 3, 3, NULL },
	{ "qty2", "第二数量", CG_K_DEC, CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "unit2", "第二计量单位", CG_K_CODE, 0, CG_T_UNIT, 3, 3, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 500, NULL },
};
static EDEF(x213_InvtRefundList_e, "InvtRefundList", x213_InvtRefundList);

/* CEB214 退货申请单回执: RefundReturn */
static const struct cg_fdef x214_RefundReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "ebpCode", "电商平台代码", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "ebcCode", "电商企业代码", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "coElNo", "企业内部编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "invtNo", "清单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 20, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x214_RefundReturn_e, "RefundReturn", x214_RefundReturn);

/* CEB215 理货明细单: InvtRefundDetail */
static const struct cg_fdef x215_InvtRefundDetail[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "customsCode", "关区代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "operatorCode", "监管场所经营人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "operatorName", "监管场所经营人名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsName", "物流企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 80, NULL },
	{ "invtNo", "原清单号", CG_K_CODE, 0, CG_T_NONE, 0, 20, NULL },
	{ "coElNo", "企业内部编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 20, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "billNo", "提运单号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 37, NULL },
	{ "ieFlag", "进出口标记", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, NULL },
	{ "trafMode", "运输方式", CG_K_CODE, CG_F_REQ, CG_T_TRANSPORT, 1, 1, NULL },
	{ "trafName", "运输工具名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "voyageNo", "航班航次", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "location", "卸货堆货的仓储位置", CG_K_TEXT, 0, CG_T_NONE, 0, 250, NULL },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 250, NULL },
};
static EDEF(x215_InvtRefundDetail_e, "InvtRefundDetail", x215_InvtRefundDetail);

/* CEB216 理货明细单回执: InvtRefundDetailReturn */
static const struct cg_fdef x216_InvtRefundDetailReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "operatorCode", "监管场所经营人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsCode", "物流企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 80, NULL },
	{ "coElNo", "企业内部编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x216_InvtRefundDetailReturn_e, "InvtRefundDetailReturn", x216_InvtRefundDetailReturn);

/* CEB701 汇总申请单: SummaryApplyHead */
static const struct cg_fdef x701_SummaryApplyHead[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "appType", "报送类型", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "1" },
	{ "appTime", "报送时间", CG_K_DT14, CG_F_REQ, CG_T_NONE, 14, 14, NULL },
	{ "appStatus", "报送状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, "2" },
	{ "customsCode", "申报地海关代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "sumNo", "汇总申请编号", CG_K_CODE, 0, CG_T_NONE, 0, 18, NULL },
	{ "agentCode", "申报单位代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "agentName", "申报单位名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "ebcCode", "收发货人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebcName", "收发货人名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "declAgentCode", "报关单位代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "declAgentName", "报关单位名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "startTime", "汇总开始时间", CG_K_DT14, 0, CG_T_NONE, 14, 14, NULL },
	{ "endTime", "汇总结束时间", CG_K_DT14, 0, CG_T_NONE, 14, 14, NULL },
	{ "loctNo", "监管场所代码", CG_K_CODE, 0, CG_T_NONE, 0, 10, NULL },
	{ "summaryFlag", "收发货人汇总标志", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, NULL },
	{ "itemNameFlag", "按商品名汇总标志", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 1, NULL },
	{ "msgCount", "报文总数", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "msgSeqNo", "报文序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x701_SummaryApplyHead_e, "SummaryApplyHead", x701_SummaryApplyHead);

/* CEB701 汇总申请单: SummaryApplyList */
static const struct cg_fdef x701_SummaryApplyList[] = {
	{ "invtNo", "清单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 20, NULL },
};
static EDEF(x701_SummaryApplyList_e, "SummaryApplyList", x701_SummaryApplyList);

/* CEB702 汇总申请单回执: SummaryReturn */
static const struct cg_fdef x702_SummaryReturn[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebcCode", "收发货人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "copNo", "企业唯一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 30, NULL },
	{ "preNo", "预录入编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 18, 18, NULL },
	{ "sumNo", "汇总申请编号", CG_K_CODE, 0, CG_T_NONE, 18, 18, NULL },
	{ "msgSeqNo", "报文序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "returnStatus", "回执状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 10, NULL },
	{ "returnTime", "回执时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "returnInfo", "回执信息", CG_K_TEXT, CG_F_REQ, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x702_SummaryReturn_e, "SummaryReturn", x702_SummaryReturn);

/* CEB792 汇总结果单: SummaryResultHead */
static const struct cg_fdef x792_SummaryResultHead[] = {
	{ "guid", "系统唯一序号", CG_K_GUID, CG_F_REQ, CG_T_NONE, 36, 36, NULL },
	{ "customsCode", "申报地海关代码", CG_K_CODE, CG_F_REQ, CG_T_CUSTOMS, 4, 4, NULL },
	{ "sumNo", "汇总申请编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 18, 18, NULL },
	{ "opDate", "汇总处理时间", CG_K_T17, CG_F_REQ, CG_T_NONE, 17, 17, NULL },
	{ "declSeqNo", "汇总统一编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 18, 18, NULL },
	{ "decTmpNo", "报关单暂存编号", CG_K_CODE, 0, CG_T_NONE, 18, 18, NULL },
	{ "decPreNo", "报关单预录入编号", CG_K_CODE, 0, CG_T_NONE, 18, 18, NULL },
	{ "entryId", "报关单编号", CG_K_CODE, 0, CG_T_NONE, 18, 18, NULL },
	{ "decState", "报关单状态", CG_K_CODE, CG_F_REQ, CG_T_NONE, 1, 3, NULL },
	{ "agentCode", "申报企业代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "agentName", "申报企业名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "ebcCode", "收发货人代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "ebcName", "收发货人名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "declAgentCode", "报关单位代码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 18, NULL },
	{ "declAgentName", "报关单位名称", CG_K_TEXT, CG_F_REQ | CG_F_REAL, CG_T_NONE, 0, 100, NULL },
	{ "grossWeight", "毛重（公斤）", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "netWeight", "净重（公斤）", CG_K_DEC, CG_F_REQ | CG_F_NONNEG, CG_T_NONE, 0, 0, NULL },
	{ "msgCount", "报文总数", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "msgSeqNo", "报文序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, "1" },
	{ "note", "备注", CG_K_TEXT, 0, CG_T_NONE, 0, 1000, NULL },
};
static EDEF(x792_SummaryResultHead_e, "SummaryResultHead", x792_SummaryResultHead);

/* CEB792 汇总结果单: SummaryResultList */
static const struct cg_fdef x792_SummaryResultList[] = {
	{ "invtNo", "清单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 20, NULL },
	{ "logisticsNo", "物流运单编号", CG_K_CODE, CG_F_REQ, CG_T_NONE, 0, 32, NULL },
	{ "gseqno", "汇总结果单顺序号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "gnum", "清单商品项号", CG_K_INT, CG_F_REQ | CG_F_POS, CG_T_NONE, 0, 0, NULL },
	{ "gcode", "清单商品编码", CG_K_CODE, CG_F_REQ, CG_T_NONE, 10, 10, NULL },
};
static EDEF(x792_SummaryResultList_e, "SummaryResultList", x792_SummaryResultList);

static const struct cg_msgdef x303 = { 303, "CEB303Message", "Order", &x303_OrderHead_e, &x303_OrderList_e, 100, 100, true, true, { "ebpCode", "orderNo", NULL }, true };
static const struct cg_msgdef x304 = { 304, "CEB304Message", NULL, &x304_OrderReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x403 = { 403, "CEB403Message", NULL, &x403_Receipts_e, NULL, 100, 0, true, true, { "ebcCode", "orderNo", NULL }, true };
static const struct cg_msgdef x404 = { 404, "CEB404Message", NULL, &x404_ReceiptsReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x505 = { 505, "CEB505Message", NULL, &x505_Logistics_e, NULL, 100, 0, true, true, { "logisticsCode", "logisticsNo", NULL }, true };
static const struct cg_msgdef x506 = { 506, "CEB506Message", NULL, &x506_LogisticsReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x507 = { 507, "CEB507Message", "Arrival", &x507_ArrivalHead_e, &x507_ArrivalList_e, 100, 0, true, true, { "operatorCode", "copNo", NULL }, true };
static const struct cg_msgdef x508 = { 508, "CEB508Message", NULL, &x508_ArrivalReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x509 = { 509, "CEB509Message", "Departure", &x509_DepartureHead_e, &x509_DepartureList_e, 100, 0, true, true, { "logisticsCode", "copNo", NULL }, true };
static const struct cg_msgdef x510 = { 510, "CEB510Message", NULL, &x510_DepartureReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x603 = { 603, "CEB603Message", "Inventory", &x603_InventoryHead_e, &x603_InventoryList_e, 100, 100, true, true, { "agentCode", "copNo", NULL }, true };
static const struct cg_msgdef x604 = { 604, "CEB604Message", NULL, &x604_InventoryReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x605 = { 605, "CEB605Message", NULL, &x605_InvtCancel_e, NULL, 100, 0, true, true, { "agentCode", "copNo", NULL }, true };
static const struct cg_msgdef x606 = { 606, "CEB606Message", NULL, &x606_InvtCancelReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x607 = { 607, "CEB607Message", "WayBill", &x607_WayBillHead_e, &x607_WayBillList_e, 100, 0, true, true, { "agentCode", "copNo", NULL }, true };
static const struct cg_msgdef x608 = { 608, "CEB608Message", NULL, &x608_WayBillReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x213 = { 213, "CEB213Message", "InvtRefund", &x213_InvtRefundHead_e, &x213_InvtRefundList_e, 100, 100, true, true, { "agentCode", "coElNo", NULL }, true };
static const struct cg_msgdef x214 = { 214, "CEB214Message", NULL, &x214_RefundReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x215 = { 215, "CEB215Message", NULL, &x215_InvtRefundDetail_e, NULL, 100, 0, true, true, { "operatorCode", "coElNo", NULL }, true };
static const struct cg_msgdef x216 = { 216, "CEB216Message", NULL, &x216_InvtRefundDetailReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x701 = { 701, "CEB701Message", "SummaryApply", &x701_SummaryApplyHead_e, &x701_SummaryApplyList_e, 100, 0, true, true, { "agentCode", "copNo", NULL }, true };
static const struct cg_msgdef x702 = { 702, "CEB702Message", NULL, &x702_SummaryReturn_e, NULL, 100, 0, false, false, { NULL }, true };
static const struct cg_msgdef x792 = { 792, "CEB792Message", "SummaryResult", &x792_SummaryResultHead_e, &x792_SummaryResultList_e, 100, 0, false, false, { NULL }, true };

const struct cg_msgdef *const cg__export_msgdefs[] = {
	&x303, &x304, &x403, &x404, &x505, &x506, &x507, &x508,
	&x509, &x510, &x603, &x604, &x605, &x606, &x607, &x608,
	&x213, &x214, &x215, &x216, &x701, &x702, &x792,
	NULL,
};
