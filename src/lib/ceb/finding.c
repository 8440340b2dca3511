/* SPDX-License-Identifier: MIT */
/* The findings list and the catalogue of finding codes (docs/findings.md). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "util/internal.h"
#include "ceb/finding_codes.h"

struct cg_findings {
	cg_finding *items;
	size_t n;
	size_t cap;
};

/* Keep in step with docs/findings.md; append only. */
static const struct cg_code_info catalogue[] = {
	{ "CG0001", CG_SEV_ERROR, "报文不是格式正确的XML", "not well-formed XML" },
	{ "CG0002", CG_SEV_ERROR, "报文含有禁止的结构（DOCTYPE、实体、XInclude、处理指令或值内注释）",
	  "forbidden construct (DOCTYPE, entity, XInclude, processing instruction or comment in a value)" },
	{ "CG0003", CG_SEV_ERROR, "输入超出限制", "input over a limit" },
	{ "CG0004", CG_SEV_ERROR, "字符编码错误或与声明不符", "bad or contradictory character encoding" },
	{ "CG0005", CG_SEV_ERROR, "未知的报文类型或命名空间", "unknown message type or namespace" },
	{ "CG0006", CG_SEV_ERROR, "本单一窗口暂不受理出口报文（出口报文可以校验、签名和验签）",
	  "this single window does not accept export messages yet (they validate, sign and verify)" },
	{ "CG0100", CG_SEV_ERROR, "报文不符合XSD", "XSD violation" },
	{ "CG0200", CG_SEV_ERROR, "缺少必需的数字签名ds:Signature", "required ds:Signature missing" },
	{ "CG1001", CG_SEV_ERROR, "实际支付金额不等于商品价格+运杂费+代扣税款-非现金抵扣金额",
	  "acturalPaid differs from goodsValue + freight + taxTotal - discount" },
	{ "CG1002", CG_SEV_ERROR, "总价不等于单价×数量", "totalPrice differs from price x qty" },
	{ "CG1003", CG_SEV_ERROR, "商品价格不等于各商品总价之和",
	  "goodsValue differs from the sum of the lines' totalPrice" },
	{ "CG1004", CG_SEV_ERROR, "身份证号码格式或校验位错误",
	  "resident ID number malformed or wrong check character" },
	{ "CG1005", CG_SEV_ERROR, "证件类型必须为1（身份证）", "ID type must be 1 (resident ID card)" },
	{ "CG1006", CG_SEV_ERROR, "超过单次交易限值5000元（-621005）",
	  "over the single-transaction limit of 5000 CNY (-621005)" },
	{ "CG1007", CG_SEV_ERROR, "代扣税款与按清单重新计算的税额不符（限值内按跨境电商综合税，超过限值按货物税率全额）",
	  "taxTotal differs from the tax recomputed from the inventory (retail rates within the limit, goods rates in full over it)" },
	{ "CG1008", CG_SEV_ERROR, "商品编码不在跨境电商零售进口商品清单内",
	  "HS code not on the positive list" },
	{ "CG1009", CG_SEV_ERROR, "必填项使用了占位值", "placeholder value in a required field" },
	{ "CG1010", CG_SEV_ERROR, "商品序号必须从1开始连续编号", "gnum must run 1, 2, 3 ... without gaps" },
	{ "CG1011", CG_SEV_ERROR, "第二数量与第二计量单位必须同时填写（数量大于0）或同时为空",
	  "qty2 and unit2 must be both present (qty2 > 0) or both absent" },
	{ "CG1012", CG_SEV_ERROR, "保税进口(1210)缺少账册编号、区内企业、账册备案料号或起运国不是142",
	  "bonded import (1210) needs emsNo, areaCode, areaName, itemRecordNo and country 142" },
	{ "CG1013", CG_SEV_ERROR, "直购进口(9610)缺少运输工具编号、航班航次号或提运单号",
	  "direct-purchase import (9610) needs trafNo, voyageNo and billNo" },
	{ "CG1014", CG_SEV_ERROR, "代码不在代码表内或不适用于该报文的进出口方向",
	  "code not in its code table, or not one of the message's direction (import or export)" },
	{ "CG1015", CG_SEV_ERROR, "日期或时间不存在", "impossible date or time" },
	{ "CG1016", CG_SEV_ERROR, "件数必须为1", "packNo must be 1" },
	{ "CG1017", CG_SEV_ERROR, "金额或数量必须为正数", "amount or quantity must be positive" },
	{ "CG1018", CG_SEV_ERROR, "法定计量单位与商品编码不符", "legal unit differs from the HS code's" },
	{ "CG1019", CG_SEV_WARNING, "单件不可分割商品超过5000元：按货物税率全额征税",
	  "single indivisible item over 5000 CNY: taxed in full at goods rates" },
	{ "CG1020", CG_SEV_ERROR, "物流运单状态只能为S（签收）", "logisticsStatus must be S (signed for)" },
	{ "CG1021", CG_SEV_ERROR, "回执状态既不是状态（正数）也不是错误代码（负数）",
	  "returnStatus is neither a state (positive) nor an error code (negative)" },
	{ "CG1022", CG_SEV_WARNING, "回执状态不在该回执类型的状态表中，按提示信息处理",
	  "returnStatus is not a state of this receipt type: treated as informational" },
	{ "CG1023", CG_SEV_ERROR, "税单状态只能为1（已生成）、2（已汇总）或3（作废）",
	  "tax-bill status must be 1 (generated), 2 (summarised) or 3 (voided)" },
	/* Retired: no longer issued (the full-rate tax is checked, CG1007); kept so codes stay stable. */
	{ "CG1024", CG_SEV_INFO, "（已停用）超过单次交易限值，未核对代扣税款；现按货物税率全额核对（CG1007）",
	  "(retired) over the single-transaction limit, taxTotal not checked; now checked at the goods rates in full (CG1007)" },
	{ "CG1025", CG_SEV_ERROR, "商品编码不在申报日期施行的税则中",
	  "HS code not in the tariff in force at the declaration date" },
	{ "CG1101", CG_SEV_ERROR, "支付金额与订单实际支付金额不符",
	  "payment amountPaid differs from the order's acturalPaid" },
	{ "CG1102", CG_SEV_ERROR, "支付人与订购人不一致", "payer differs from the buyer" },
	{ "CG1103", CG_SEV_ERROR, "订单与运单的收货人信息不一致",
	  "consignee differs between order and waybill" },
	{ "CG1104", CG_SEV_ERROR, "清单表体与订单表体不一致", "inventory lines differ from the order lines" },
	{ "CG1301", CG_SEV_ERROR, "出口订单类型只能为E（零售出口）、B（B2B出口）或W（海外仓订仓单）",
	  "export orderType must be E (retail), B (B2B) or W (overseas-warehouse booking)" },
	{ "CG1302", CG_SEV_ERROR, "进出口标记错误：出口申报为E，出口退货为I",
	  "wrong ieFlag: E for export declarations, I for export returns" },
	{ "CG1303", CG_SEV_ERROR, "申报业务类型只能为A（简化申报）或B（汇总申报）",
	  "statisticsFlag must be A (simplified) or B (summary declaration)" },
	{ "CG1304", CG_SEV_ERROR, "特殊区域出口(1210)缺少区内企业、账册编号或账册备案料号",
	  "special-zone export (1210) needs iacCode, iacName, emsNo and itemRecordNo" },
	{ "CG1305", CG_SEV_ERROR, "毛重和净重必须大于0", "grossWeight and netWeight must be more than 0" },
	{ "CG1306", CG_SEV_ERROR, "报文序号必须在1到报文总数之间",
	  "msgSeqNo must lie between 1 and msgCount" },
	{ "CG1307", CG_SEV_ERROR, "退货起运国不能为中国（142）",
	  "a return is shipped from abroad: country may not be 142 (China)" },
	{ "CG1308", CG_SEV_ERROR, "汇总时间段：开始时间与结束时间须同时填写，且结束不早于开始",
	  "summary window: startTime and endTime go together, the end not before the start" },
	{ "CG1311", CG_SEV_ERROR, "出口清单（或收款单）与其订单不一致",
	  "export inventory (or receipt of payment) differs from its order" },
	{ "CG1312", CG_SEV_ERROR, "出口清单的贸易方式与订单类型不符（9610零售E，9710为B，9810为W）",
	  "export inventory's tradeMode does not fit its order's orderType (9610 E, 9710 B, 9810 W)" },
	{ "CG1313", CG_SEV_WARNING, "出口清单与其运单的收发货人或运费不一致",
	  "export inventory and its waybill differ in consignor or freight" },
	{ "CG1314", CG_SEV_ERROR, "运单在清单总分单与清单中的提运单号不一致",
	  "a parcel's master bill differs between the master/house list and its inventory" },
	{ "CG1315", CG_SEV_ERROR, "汇总申请所列清单重复、不属于该收发货人或为简化申报",
	  "summary application lists an inventory twice, of another consignor, or of simplified declaration" },
	{ "CG1316", CG_SEV_ERROR, "退货商品不是原清单的商品，或数量超过出口数量",
	  "returned line is not a line of the original inventory, or more than was exported" },
	{ "CG2001", CG_SEV_ERROR, "无法将该值转换为代码", "value cannot be mapped to a code" },
	{ "CG2002", CG_SEV_ERROR, "缺少必填项且无法推导", "required field missing and not derivable" },
	{ "CG2003", CG_SEV_ERROR, "CSV行格式错误", "malformed CSV row" },
	{ "CG2004", CG_SEV_ERROR, "JSON行格式错误", "malformed JSON line" },
	{ "CG2005", CG_SEV_ERROR, "数字格式错误", "malformed number" },
	{ "CG2006", CG_SEV_ERROR, "日期时间格式错误", "malformed date or time" },
	{ "CG2007", CG_SEV_ERROR, "CSV单元格以公式字符开头", "CSV cell starts with a formula character" },
	{ "CG2008", CG_SEV_ERROR, "XML中的元素、属性或文本在CEB报文中没有位置",
	  "XML element, attribute or text with no place in the CEB message" },
	{ "CG2009", CG_SEV_WARNING, "输入列在CEB报文中没有对应字段，其值被丢弃",
	  "input column with no CEB field: its values are dropped" },
	{ "CG2010", CG_SEV_ERROR, "同一单证的各行对表头字段给出了不同的值",
	  "rows of one document give different values for a head field" },
	{ "CG3001", CG_SEV_ERROR, "缺少数字签名", "no ds:Signature" },
	{ "CG3002", CG_SEV_ERROR, "报文中有多个签名", "more than one ds:Signature" },
	{ "CG3003", CG_SEV_ERROR, "签名位置不正确", "ds:Signature in the wrong place" },
	{ "CG3004", CG_SEV_ERROR, "签名引用不正确（只允许一个URI=\"\"的Reference）",
	  "wrong Reference (exactly one with URI=\"\" is allowed)" },
	{ "CG3005", CG_SEV_ERROR, "签名变换不允许", "transforms not allowed" },
	{ "CG3006", CG_SEV_ERROR, "算法未知或不允许", "unknown or forbidden algorithm" },
	{ "CG3007", CG_SEV_ERROR, "签名中含有不允许的内容", "content not allowed in the signature" },
	{ "CG3008", CG_SEV_ERROR, "报文含有注释，注释不在签名范围内",
	  "a comment in the document: comments are outside the signed scope" },
	{ "CG3009", CG_SEV_ERROR, "签名证书缺失或无法读取", "signing certificate missing or unreadable" },
	{ "CG3010", CG_SEV_ERROR, "KeyName与证书序列号不符", "KeyName is not the certificate serial" },
	{ "CG3011", CG_SEV_ERROR, "证书已过期或尚未生效", "certificate expired or not yet valid" },
	{ "CG3012", CG_SEV_ERROR, "证书不受信任", "certificate not trusted" },
	{ "CG3013", CG_SEV_ERROR, "证书不是登记的证书", "certificate is not the registered one" },
	{ "CG3014", CG_SEV_ERROR, "摘要值与报文不符", "DigestValue does not match the document" },
	{ "CG3015", CG_SEV_ERROR, "签名值验证失败", "SignatureValue does not verify" },
	{ "CG3016", CG_SEV_WARNING, "KeyName为未补零的序列号", "KeyName is the serial without zero padding" },
	{ "CG3017", CG_SEV_WARNING, "摘要算法与签名方案不一致", "digest algorithm not the profile's" },
	{ "CG3018", CG_SEV_ERROR, "签名证书已被吊销", "signing certificate revoked by the single window" },
	/* The 179 payment-data interface (ceb-spec §8, docs/pay179.md). */
	{ "CG3101", CG_SEV_ERROR, "certNo/signValue不能为空", "payExInfoStr: certNo/signValue must not be empty" },
	{ "CG3102", CG_SEV_ERROR, "179上传所用证书未登记或已吊销", "the certificate named by certNo is not one the platform registered, or was revoked" },
	{ "CG3103", CG_SEV_ERROR, "179上传签名验证失败", "the 179 upload's signature does not verify" },
	{ "CG3104", CG_SEV_ERROR, "海关未发起该会话", "no request of customs has this sessionID" },
	{ "CG3105", CG_SEV_ERROR, "该会话的数据已上传并核验", "this session's data was uploaded and verified already" },
	{ "CG3106", CG_SEV_ERROR, "电商平台代码与申报不符", "payExchangeInfoHead.ebpCode is not the declared platform" },
	{ "CG3107", CG_SEV_ERROR, "上传数据不含所调取的订单", "payExchangeInfoLists does not include the order that was asked for" },
	{ "CG3108", CG_SEV_ERROR, "未找到申报的支付单或订单", "no declared payment or order for the order" },
	{ "CG3109", CG_SEV_ERROR, "支付企业或交易流水号与支付单不符", "payCode or payTransactionId differs from the declared payment" },
	{ "CG3110", CG_SEV_ERROR, "交易金额与支付单、订单实付金额不符", "totalAmount differs from the declared amountPaid or acturalPaid" },
	{ "CG3111", CG_SEV_ERROR, "平台未登记数据调取地址", "the platform registered no 179 URL" },
	{ "CG3112", CG_SEV_ERROR, "平台数据接口无法访问", "the platform's 179 URL did not answer" },
	{ "CG3113", CG_SEV_ERROR, "平台拒绝调取", "the platform refused the request" },
	{ "CG3114", CG_SEV_ERROR, "支付原始数据字段缺失或格式错误", "payExInfoStr is malformed or lacks a required field" },
	{ "CG0201", CG_SEV_ERROR, "标准不对此类报文签名（回执不带ds:Signature），不能签名或申报",
	  "the standard does not sign this message type (a receipt carries no ds:Signature)" },
	{ "CG1026", CG_SEV_INFO, "未核对代扣税款：税则中该编码的税率写法无法识别或无法适用于所申报的数量",
	  "taxTotal not checked: the tariff writes a rate of the code in a form cebgate cannot read or apply to the declared quantities" },
	{ "CG1027", CG_SEV_ERROR, "净重大于毛重", "netWeight is more than grossWeight" },
	{ "CG2011", CG_SEV_ERROR, "同一文件中的单证重复使用了guid或业务单号（订单号、支付交易号、运单号）",
	  "a guid or business key (orderNo, payTransactionId, logisticsNo) repeats an earlier document of the file" },
	/* cebgate doctor: the declarant's setup (CG4001-CG4049). */
	{ "CG4001", CG_SEV_ERROR, "签名私钥无法读取",
	  "the signing key cannot be read" },
	{ "CG4002", CG_SEV_ERROR, "签名证书无法读取",
	  "the signing certificate cannot be read" },
	{ "CG4003", CG_SEV_ERROR, "私钥与证书不匹配",
	  "the key does not belong to the certificate" },
	{ "CG4004", CG_SEV_ERROR, "证书尚未生效",
	  "the certificate is not valid yet" },
	{ "CG4005", CG_SEV_ERROR, "证书已过期",
	  "the certificate has expired" },
	{ "CG4006", CG_SEV_WARNING, "证书即将过期",
	  "the certificate expires soon" },
	{ "CG4007", CG_SEV_ERROR, "证书算法与签名方案不符",
	  "the certificate's algorithm does not fit the signature profile" },
	{ "CG4008", CG_SEV_ERROR, "传输企业代码格式不正确",
	  "the copCode has not the form of an enterprise code" },
	{ "CG4009", CG_SEV_ERROR, "DXP编号格式不正确",
	  "the DXP id has not the form of a DXP user number" },
	{ "CG4010", CG_SEV_WARNING, "代码表不可用或无现行版本",
	  "a code table cannot be read or has no edition in force" },
	{ "CG4011", CG_SEV_ERROR, "无法连接单一窗口服务",
	  "the single window cannot be reached" },
	{ "CG4012", CG_SEV_ERROR, "服务器的TLS证书验证失败",
	  "the server's TLS certificate does not verify" },
	{ "CG4013", CG_SEV_ERROR, "令牌被拒绝或不是企业令牌",
	  "the token is refused or is not an enterprise's token" },
	{ "CG4014", CG_SEV_ERROR, "证书未在单一窗口为本企业登记",
	  "the certificate is not registered for this enterprise" },
	{ "CG4015", CG_SEV_ERROR, "证书已被单一窗口吊销",
	  "the certificate was revoked at the single window" },
	{ "CG4016", CG_SEV_ERROR, "本机时钟与服务器相差过大",
	  "this machine's clock differs from the server's" },
	{ "CG4017", CG_SEV_ERROR, "发件箱无法读取",
	  "the outbox cannot be read" },
	{ "CG4018", CG_SEV_WARNING, "发件箱中有放弃发送的申报",
	  "the outbox holds declarations it gave up on" },
	{ "CG4019", CG_SEV_ERROR, "目录通道的文件夹不存在",
	  "a folder of the dir: channel is missing" },
	{ "CG4020", CG_SEV_ERROR, "目录通道的文件夹不可写",
	  "a folder of the dir: channel is not writable" },
	{ "CG4021", CG_SEV_ERROR, "令牌属于另一家企业",
	  "the token belongs to another enterprise" },
	{ "CG4022", CG_SEV_WARNING, "未使用TLS连接服务器",
	  "the server is reached without TLS" },
};

const struct cg_code_info *
cg__code_info(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++) {
		if (strcmp(catalogue[i].code, code) == 0)
			return &catalogue[i];
	}
	return NULL;
}

cg_rc
cg_findings_new(cg_findings **out)
{
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? CG_OK : CG_ENOMEM;
}

static void
finding_dispose(cg_finding *x)
{
	free((char *)x->source);
	free((char *)x->xpath);
	free((char *)x->message_zh);
	free((char *)x->message_en);
}

void
cg_findings_clear(cg_findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		finding_dispose(&f->items[i]);
	f->n = 0;
}

void
cg_findings_free(cg_findings *f)
{
	if (f == NULL)
		return;
	cg_findings_clear(f);
	free(f->items);
	free(f);
}

size_t
cg_findings_count(const cg_findings *f)
{
	return f->n;
}

size_t
cg_findings_count_sev(const cg_findings *f, cg_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		n += f->items[i].severity == sev;
	return n;
}

const cg_finding *
cg_findings_get(const cg_findings *f, size_t i)
{
	return i < f->n ? &f->items[i] : NULL;
}

cg_rc
cg_findings_move(cg_findings *dst, cg_findings *src)
{
	if (src->n == 0)
		return CG_OK;
	if (cg__grow((void **)&dst->items, &dst->cap, dst->n + src->n, sizeof(*dst->items)) != CG_OK)
		return CG_ENOMEM;
	memcpy(dst->items + dst->n, src->items, src->n * sizeof(*src->items));
	dst->n += src->n;
	src->n = 0; /* the strings belong to dst now */
	return CG_OK;
}

const char *
cg_severity_name(cg_severity sev)
{
	switch (sev) {
	case CG_SEV_ERROR:
		return "error";
	case CG_SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

cg_rc
cg__finding_add(cg_findings *f, const char *code, cg_severity sev, const char *source,
		const char *xpath, unsigned long line, unsigned long column, const char *zh,
		const char *en)
{
	const struct cg_code_info *info = cg__code_info(code);
	cg_finding *x;

	if (cg__grow((void **)&f->items, &f->cap, f->n + 1, sizeof(*f->items)) != CG_OK)
		return CG_ENOMEM;
	x = &f->items[f->n];
	memset(x, 0, sizeof(*x));
	x->code = info != NULL ? info->code : "CG0000";
	x->severity = sev;
	x->line = line;
	x->column = column;
	x->source = cg__strdup(source != NULL ? source : "");
	x->xpath = cg__strdup(xpath != NULL ? xpath : "");
	x->message_zh = cg__strdup(zh != NULL ? zh : "");
	x->message_en = cg__strdup(en != NULL ? en : "");
	if (x->source == NULL || x->xpath == NULL || x->message_zh == NULL ||
	    x->message_en == NULL) {
		finding_dispose(x);
		return CG_ENOMEM;
	}
	f->n++;
	return CG_OK;
}

static char *
join(const char *title, const char *detail)
{
	cg_buf b = CG_BUF_INIT(0);

	if (cg_buf_append(&b, title, strlen(title)) != CG_OK)
		goto fail;
	if (detail != NULL && *detail != '\0') {
		if (cg_buf_append(&b, ": ", 2) != CG_OK ||
		    cg_buf_append(&b, detail, strlen(detail)) != CG_OK)
			goto fail;
	}
	return cg_buf_detach(&b);
fail:
	cg_buf_dispose(&b);
	return NULL;
}

cg_rc
cg__finding_addf(cg_findings *f, const char *code, cg_severity sev, const char *source,
		 const char *xpath, unsigned long line, unsigned long column,
		 const char *detail_zh, const char *detail_en)
{
	const struct cg_code_info *info = cg__code_info(code);
	char *zh, *en;
	cg_rc rc = CG_ENOMEM;

	CG_ASSERT(info != NULL);
	if (info == NULL)
		return CG_EINTERNAL;
	zh = join(info->zh, detail_zh);
	en = join(info->en, detail_en);
	if (zh != NULL && en != NULL)
		rc = cg__finding_add(f, code, sev, source, xpath, line, column, zh, en);
	free(zh);
	free(en);
	return rc;
}
