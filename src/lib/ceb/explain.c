/* SPDX-License-Identifier: MIT */
/*
 * The code catalogue (include/cebgate/explain.h), written from ceb-spec.md
 * §5.1 (returnStatus per receipt), §5.3 (business and transport errors) and
 * cebgate's finding catalogue (finding.c). Meanings are paraphrased; the
 * advice is cebgate's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cebgate/explain.h"
#include "ceb/finding_codes.h"
#include "util/internal.h"

struct entry {
	const char *code;
	const char *zh, *en, *todo_zh, *todo_en;
	int final;
};

#define WAIT_ZH "无需操作，等待后续回执"
#define WAIT_EN "nothing to do: wait for the next receipt"
#define FIX_ZH "按回执信息改正数据，以变更（appType=2）或新的申报重新发送"
#define FIX_EN "correct the data as returnInfo says and declare again (a change, appType 2, or a new declaration)"
#define SYS_ZH "系统故障：稍后原样重发（同一guid会被识别为同一申报）"
#define SYS_EN "a system fault: resend the same message later (the same guid is recognised as the same submission)"

static const struct entry statuses[] = {
	{ "1", "电子口岸已暂存，未发往海关", "saved at the e-port, not sent on to customs",
	  "确认申报（appStatus=2）后重新发送", "declare it for real (appStatus 2) and send it again", 0 },
	{ "2", "电子口岸申报中", "declaring at the e-port: accepted and being forwarded", WAIT_ZH, WAIT_EN, 0 },
	{ "3", "发送海关成功", "sent to customs", WAIT_ZH, WAIT_EN, 0 },
	{ "4", "发送海关失败", "sending to customs failed", "联系电子口岸；必要时原样重发",
	  "ask the e-port; resend the same message if they say so", 0 },
	{ "100", "海关退单", "rejected by customs; the reason is in returnInfo", FIX_ZH, FIX_EN, 1 },
	{ "120", "海关入库（订单、支付单、运单的正常终态）",
	  "stored by customs (the normal end for orders, payments and waybills)",
	  "订单、支付单、运单：完成；清单：等待审结", "order, payment, waybill: done; inventory: wait for the review", 1 },
	{ "300", "人工审核", "held for manual review by an officer", "等待海关审核结果，必要时准备补充材料",
	  "wait for the officer's decision; have supporting documents ready", 0 },
	{ "399", "海关审结", "customs review concluded", WAIT_ZH, WAIT_EN, 1 },
	{ "500", "查验", "selected for physical inspection", "配合查验", "make the goods available for inspection", 0 },
	{ "501", "扣留移送通关", "detained, transferred to clearance", "联系海关", "contact customs", 1 },
	{ "502", "扣留移送缉私", "detained, transferred to anti-smuggling", "联系海关", "contact customs", 1 },
	{ "503", "扣留移送法规", "detained, transferred to the legal department", "联系海关", "contact customs", 1 },
	{ "599", "其它扣留", "other detention", "联系海关", "contact customs", 1 },
	{ "700", "退运", "returned abroad", "安排退运", "arrange the return shipment", 1 },
	{ "800", "放行", "released: the goods may leave the warehouse or site", "可以出区配送",
	  "the parcel may be delivered", 1 },
	{ "899", "结关", "closed", "无需操作", "nothing to do", 1 },
};

/*
 * The export family's receipts (ceb-export-spec.md §4, §2.7): where a code
 * means something else than for imports. An export inventory concluded (399)
 * still waits for its arrival and release (800), and released for its
 * departure (899). Each row names the receipts it applies to.
 */
struct export_entry {
	int receipts[3]; /* the receipt numbers it applies to; 0 ends the list */
	struct entry e;
};

#define STORED_ZH "海关入库（订单、收款单、运单的正常终态）"
#define STORED_EN "stored by customs (the normal end for orders, receipts of payment and waybills)"
#define DONE_ZH "完成：等待清单申报与审结"
#define DONE_EN "done: the inventory that uses it is declared and concluded on its own"

static const struct export_entry export_statuses[] = {
	{ { 304, 404, 506 }, { "120", STORED_ZH, STORED_EN, DONE_ZH, DONE_EN, 1 } },
	{ { 304, 404, 506 }, { "399", "海关审结（订单、收款单、运单的正常终态）",
			   "concluded by customs (the normal end for orders, receipts of payment and waybills)",
			   DONE_ZH, DONE_EN, 1 } },
	{ { 604 }, { "120", "出口清单已入库，等待与订单、运单比对和审结",
		   "the export inventory is stored, waiting for its order and waybill and the review",
		   WAIT_ZH, WAIT_EN, 0 } },
	{ { 604 }, { "300", "出口清单人工审核", "the export inventory is held for an officer's review",
		   "等待海关审核结果，必要时准备补充材料",
		   "wait for the officer's decision; have supporting documents ready", 0 } },
	{ { 604 }, { "399", "出口清单审结，清单编号（invtNo）已分配；货物运抵监管场所后放行",
		   "the export inventory is concluded and has its number (invtNo); it is released once the "
		   "goods arrive at the supervised site",
		   "把货物送到监管场所，由场所经营人发送运抵单（CEB507）",
		   "take the goods to the supervised site; its operator sends the arrival report (CEB507)",
		   0 } },
	{ { 604 }, { "500", "出口清单查验", "the export inventory is selected for inspection",
		   "配合查验", "make the goods available for inspection", 0 } },
	{ { 604 }, { "800", "出口清单放行：货物可以离境，离境单（CEB509）后结关",
		   "the export inventory is released: the goods may leave; the departure (CEB509) closes it",
		   "安排运输离境，由物流企业发送离境单（CEB509）",
		   "ship the goods; the carrier sends the departure (CEB509)", 0 } },
	{ { 604 }, { "899", "出口清单结关：货物已离境，可纳入汇总申报",
		   "the export inventory is closed: the goods have left and it may go into a summary declaration",
		   "按月汇总申报（CEB701）", "apply for the monthly summary declaration (CEB701)", 1 } },
	{ { 508 }, { "399", "运抵单审结：货物已运抵监管场所", "arrival concluded: the goods are at the supervised site",
		   "等待清单放行（CEB604 800）", "wait for the inventory's release (CEB604 800)", 1 } },
	{ { 510 }, { "399", "离境单审结：货物已离境", "departure concluded: the goods have left the country",
		   "等待清单结关（CEB604 899）", "wait for the inventories to close (CEB604 899)", 1 } },
	{ { 606 }, { "399", "撤销申请审结：清单已撤销", "cancellation concluded: the inventory is cancelled",
		   "无需操作", "nothing to do", 1 } },
	{ { 608 }, { "120", "总分单已入库", "the master/house list is stored", WAIT_ZH, WAIT_EN, 1 } },
	{ { 608 }, { "399", "总分单审结", "the master/house list is concluded", "无需操作", "nothing to do", 1 } },
	{ { 608 }, { "800", "总分单所列清单放行（仅供参考）", "the listed inventories are released (informational)",
		   "无需操作", "nothing to do", 0 } },
	{ { 214 }, { "120", "退货申请已入库", "the return request is stored", WAIT_ZH, WAIT_EN, 0 } },
	{ { 214 }, { "300", "退货申请人工审核", "the return is held for an officer's review",
		   "等待海关审核结果", "wait for the officer's decision", 0 } },
	{ { 214 }, { "500", "退货查验", "the returned goods are selected for inspection", "配合查验",
		   "make the goods available for inspection", 0 } },
	{ { 214 }, { "505", "退货申请已移交", "the return is handed over (to another department)", WAIT_ZH,
		   WAIT_EN, 0 } },
	{ { 214 }, { "600", "退货申请挂起", "the return is suspended", "联系海关", "contact customs", 0 } },
	{ { 214 }, { "800", "退货放行：货物可以复运进境", "the return is released: the goods may come back in",
		   "无需操作", "nothing to do", 1 } },
	{ { 216 }, { "399", "理货明细审结", "the return tally is concluded", "无需操作", "nothing to do", 1 } },
	{ { 702 }, { "399", "汇总申请审结，汇总编号（sumNo）已分配；等待汇总结果（CEB792）",
		   "the summary application is concluded and has its number (sumNo); the summary result "
		   "(CEB792) follows",
		   WAIT_ZH, WAIT_EN, 1 } },
};

static const struct entry business[] = {
	{ "-1", "报文格式校验失败（CEB900）", "the message failed format validation (CEB900)",
	  "用 cebgate validate 检查报文后重新发送", "check the message with cebgate validate and send it again", 1 },
	{ "-10101", "企业类型无效", "invalid enterprise type", "检查企业在电子口岸的备案类型",
	  "check the enterprise's registered type at the e-port", 1 },
	{ "-10102", "企业代码无效", "invalid enterprise code", "检查copCode、ebpCode等企业代码",
	  "check copCode, ebpCode and the other enterprise codes", 1 },
	{ "-301001", "订单没有商品表体", "the order has no goods lines", FIX_ZH, FIX_EN, 1 },
	{ "-301002", "订单表体商品序号重复", "duplicate gnum in the order lines", FIX_ZH, FIX_EN, 1 },
	{ "-301003", "订单不存在", "order not found", "确认订单已申报并入库", "check that the order was declared and stored", 1 },
	{ "-301004", "订单不存在", "order not found", "确认订单已申报并入库", "check that the order was declared and stored", 1 },
	{ "-301005", "订单不存在", "order not found", "确认订单已申报并入库", "check that the order was declared and stored", 1 },
	{ "-301006", "按该单号找到多个订单", "several orders found for the key", "联系电子口岸", "contact the e-port", 1 },
	{ "-301007", "订单业务数据为空", "order business data empty", FIX_ZH, FIX_EN, 1 },
	{ "-301008", "参数校验失败", "parameter validation failed (details in returnInfo)",
	  "用 cebgate validate 查看具体字段并改正", "run cebgate validate to see the field at fault, and correct it", 1 },
	{ "-301009", "报送类型错误：没有可操作的原订单", "appType wrong: no existing order to change or delete",
	  "先以新增（appType=1）申报", "declare it as new first (appType 1)", 1 },
	{ "-301010", "同一单号的订单已存在，不能重复新增", "an order with this number exists already",
	  "修改请用变更（appType=2）；若是重复发送则无需操作",
	  "to change it use appType 2; if this was a resend, nothing to do", 1 },
	{ "-301011", "该订单已申报清单，状态不允许此操作",
	  "an inventory is declared for this order: its state does not allow this", "先撤销清单", "cancel the inventory first (CEB623)", 1 },
	{ "-301012", "订单处理失败：无匹配的操作", "order processing failed: no matching operation", FIX_ZH, FIX_EN, 1 },
	{ "-301013", "订单处理失败：系统错误", "order processing failed: system error", SYS_ZH, SYS_EN, 1 },
	{ "-301014", "接收的数据比已存数据旧，已忽略", "older than the stored data: ignored", "无需操作（乱序重发）",
	  "nothing to do (an out-of-order resend)", 1 },
	{ "-301015", "一个报文中表头过多", "too many heads in one message", "拆分报文", "split the message", 1 },
	{ "-401001", "支付凭证不存在", "payment voucher not found", "确认支付单已申报", "check that the payment was declared", 1 },
	{ "-401005", "支付数据为空", "payment data empty", FIX_ZH, FIX_EN, 1 },
	{ "-401006", "报送类型错误：没有可操作的支付单", "appType wrong: no payment to operate on",
	  "先以新增（appType=1）申报", "declare it as new first (appType 1)", 1 },
	{ "-401007", "同一编号的支付单已存在", "a payment with this number exists already",
	  "修改请用变更（appType=2）", "to change it use appType 2", 1 },
	{ "-401008", "支付单已申报，状态不允许", "payment already declared: its state does not allow this", FIX_ZH, FIX_EN, 1 },
	{ "-401009", "参数校验失败", "parameter validation failed",
	  "用 cebgate validate 查看具体字段并改正", "run cebgate validate to see the field at fault, and correct it", 1 },
	{ "-401011", "系统错误", "system error", SYS_ZH, SYS_EN, 1 },
	{ "-401012", "数据比已存数据旧，已忽略", "older data: ignored", "无需操作", "nothing to do", 1 },
	{ "-504000", "运单报文无法解析", "the waybill message could not be parsed", "用 cebgate validate 检查报文",
	  "check the message with cebgate validate", 1 },
	{ "-504011", "参数校验失败", "parameter validation failed",
	  "用 cebgate validate 查看具体字段并改正", "run cebgate validate to see the field at fault, and correct it", 1 },
	{ "-504012", "运单已存在", "waybill exists already", "修改请用变更（appType=2）", "to change it use appType 2", 1 },
	{ "-504014", "报送类型错误：没有可操作的运单", "appType wrong: no waybill to operate on",
	  "先以新增（appType=1）申报", "declare it as new first (appType 1)", 1 },
	{ "-504015", "同一编号的运单已存在", "a waybill with this number exists already",
	  "修改请用变更（appType=2）", "to change it use appType 2", 1 },
	{ "-505002", "运单状态参数校验失败", "waybill status validation failed", FIX_ZH, FIX_EN, 1 },
	{ "-505003", "运单状态已存在", "waybill status exists already", "无需操作", "nothing to do", 1 },
	{ "-505005", "没有可操作的运单状态", "no waybill status to operate on", FIX_ZH, FIX_EN, 1 },
	{ "-621000", "清单没有表体", "the inventory has no lines", FIX_ZH, FIX_EN, 1 },
	{ "-621001", "清单校验失败", "inventory validation failed",
	  "用 cebgate validate 查看具体字段并改正", "run cebgate validate to see the field at fault, and correct it", 1 },
	{ "-621002", "四单回执无法解析", "the four-document receipt could not be parsed", SYS_ZH, SYS_EN, 1 },
	{ "-621003", "清单申报失败", "inventory declaration failed", SYS_ZH, SYS_EN, 1 },
	{ "-621004", "清单已申报，不能重复申报", "inventory declared already: do not repeat",
	  "若是重复发送则无需操作；修改请用变更", "if this was a resend, nothing to do; to change it use appType 2", 1 },
	{ "-621005", "超过单次交易限值（5000元）", "over the single-transaction limit (5,000 CNY)",
	  "拆分订单，或按一般贸易进口", "split the order, or import it under general trade", 1 },
	{ "-621011", "没有可变更的已申报清单", "no declared inventory to change",
	  "先以新增（appType=1）申报", "declare it as new first (appType 1)", 1 },
	{ "-621012", "清单状态不允许变更", "the inventory's state does not allow a change", "联系海关", "contact customs", 1 },
	{ "-621013", "查询个人额度失败", "querying the personal quota failed", SYS_ZH, SYS_EN, 1 },
	{ "-621015", "申报企业与证书不符", "declarant does not match the certificate",
	  "用登记在该企业名下的证书签名", "sign with the certificate registered for this enterprise", 1 },
	{ "-621016", "无权限", "no permission", "检查企业备案与角色", "check the enterprise's registration and roles", 1 },
	{ "-621017", "系统错误", "system error", SYS_ZH, SYS_EN, 1 },
	{ "-621018", "订购人年度额度（26000元）不足", "the buyer's annual limit (26,000 CNY) would be exceeded",
	  "告知订购人；该订单不能以跨境电商零售进口申报",
	  "tell the buyer; this order cannot clear as cross-border retail import", 1 },
	{ "-621026", "签名为空", "signature empty", "签名后再发送（cebgate sign）", "sign before sending (cebgate sign)", 1 },
	{ "-621028", "签名数据比对失败", "signed data does not match",
	  "签名后不得改动报文；重新签名", "do not change a message after signing; sign it again", 1 },
	{ "-621029", "验签失败", "signature verification failed",
	  "用 cebgate verify --explain 检查签名与证书", "check the signature and certificate with cebgate verify --explain", 1 },
	{ "-621030", "报文过大（清单过多）", "message too large (too many inventories)", "拆分报文", "split the message", 1 },
	{ "-623001", "撤销单校验失败", "cancellation validation failed", FIX_ZH, FIX_EN, 1 },
	{ "-623002", "要撤销的清单不存在", "the inventory to cancel was not found",
	  "检查清单编号invtNo", "check the inventory number invtNo", 1 },
	{ "-623005", "清单状态不允许撤销", "the inventory's state does not allow cancellation", "联系海关", "contact customs", 1 },
	{ "-623009", "撤销单已申报", "cancellation declared already", "无需操作", "nothing to do", 1 },
	{ "-623012", "缺少撤销原因", "missing cancellation reason", FIX_ZH, FIX_EN, 1 },
	{ "-623029", "验签失败", "signature verification failed",
	  "用 cebgate verify --explain 检查签名与证书", "check the signature and certificate with cebgate verify --explain", 1 },
	{ "-625001", "退货单校验失败", "return request validation failed", FIX_ZH, FIX_EN, 1 },
	{ "-625005", "退货单验签失败", "return request: verification failed",
	  "用 cebgate verify --explain 检查签名与证书", "check the signature and certificate with cebgate verify --explain", 1 },
	{ "-625022", "退货单已申报", "return request declared already", "无需操作", "nothing to do", 1 },
	{ "-625209", "原清单表体不存在", "the original inventory line was not found", FIX_ZH, FIX_EN, 1 },
	{ "-800001", "入库明细单校验失败", "warehouse-entry detail validation failed", FIX_ZH, FIX_EN, 1 },
	{ "-800003", "入库明细单已存在", "warehouse-entry detail exists already", "无需操作", "nothing to do", 1 },
};

static const struct entry transport[] = {
	{ "0001", "报文格式错误", "bad message format", "用 cebgate validate 检查DxpMsg与报文",
	  "check the DxpMsg and the message with cebgate validate", 1 },
	{ "0002", "报文未通过XSD校验", "the message fails schema validation", "用 cebgate validate 检查",
	  "check it with cebgate validate", 1 },
	{ "0999", "其他格式错误", "other format error", "用 cebgate validate 检查", "check it with cebgate validate", 1 },
	{ "1001", "签名无效", "invalid signature", "用 cebgate verify --explain 检查",
	  "check it with cebgate verify --explain", 1 },
	{ "1002", "签名已过期", "signature expired", "更新证书后重新签名", "renew the certificate and sign again", 1 },
	{ "1003", "解密错误", "decryption error", "联系电子口岸", "contact the e-port", 1 },
	{ "1004", "签名与数据不符", "the signature does not match the data",
	  "签名后不得改动报文；重新签名", "do not change a message after signing; sign it again", 1 },
	{ "1999", "其他安全错误", "other security error", "联系电子口岸", "contact the e-port", 1 },
	{ "2001", "接收方不存在", "receiver does not exist", "检查ReceiverId（进口为DXPEDCCEB0000002）",
	  "check ReceiverId (DXPEDCCEB0000002 for import)", 1 },
	{ "2002", "实际接收方与声明的接收方不符", "the real receiver differs from the declared one",
	  "检查ReceiverId", "check ReceiverId", 1 },
	{ "2999", "其他路由错误", "other routing error", "联系电子口岸", "contact the e-port", 1 },
	{ "3001", "数据库或中间件错误", "database or middleware error", SYS_ZH, SYS_EN, 1 },
	{ "3002", "远程连接错误", "remote connection error", SYS_ZH, SYS_EN, 1 },
	{ "3003", "远程连接超时", "remote connection timeout", SYS_ZH, SYS_EN, 1 },
	{ "3999", "其他系统错误", "other system error", SYS_ZH, SYS_EN, 1 },
};

static const struct entry *
find(const struct entry *t, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(t[i].code, code) == 0)
			return &t[i];
	}
	return NULL;
}

static void
fill(cg_explanation *out, const struct entry *e, const char *kind)
{
	out->code = e->code;
	out->kind = kind;
	out->zh = e->zh;
	out->en = e->en;
	out->todo_zh = e->todo_zh;
	out->todo_en = e->todo_en;
	out->final = e->final;
}

/* A code of a recognised form that the catalogue does not list. */
static cg_rc
unknown(cg_explanation *out, const char *kind, const char *zh, const char *en, int final)
{
	out->kind = kind;
	out->zh = zh;
	out->en = en;
	out->todo_zh = final ? FIX_ZH : WAIT_ZH;
	out->todo_en = final ? FIX_EN : WAIT_EN;
	out->final = final;
	return CG_ENOTFOUND;
}

static bool
digits(const char *s, size_t min, size_t max)
{
	size_t n = strspn(s, "0123456789");

	return s[n] == '\0' && n >= min && n <= max;
}

/* Findings whose remedy is not "correct the field": what to do instead. */
static const struct entry finding_advice[] = {
	{ "CG0201", NULL, NULL,
	  "回执（CEB312、412、512、514、622、624、626、712、816、818、900）由海关和电子口岸发出，"
	  "标准不对其签名：不要签名或申报回执，只签名并申报它所回复的申报报文",
	  "receipts (CEB312, 412, 512, 514, 622, 624, 626, 712, 816, 818, 900) come from customs "
	  "and the e-port and the standard signs none of them: do not sign or submit a receipt; "
	  "sign and submit the declaration it answers", 1 },
	{ "CG1007", NULL, NULL,
	  "代扣税款应按申报日期施行的税则计算：限值内关税为0，增值税和消费税按70%征收；"
	  "单件不可分割商品超过5000元时，按货物税率全额征收关税（有暂定税率的用暂定税率）、"
	  "增值税和消费税。消费税按税则所写：从价、从量（按法定数量）、复合或按单位完税价格分档。"
	  "改正代扣税款（及实际支付金额）后重新申报订单",
	  "taxTotal is computed with the tariff in force at the declaration date: within the "
	  "limits no duty, and VAT and consumption tax at 70 %; for a single indivisible item "
	  "over 5000 CNY, duty (the provisional rate when there is one, else MFN), VAT and "
	  "consumption tax in full. Consumption tax as the tariff writes it: ad valorem, per unit "
	  "of the legal quantity, compound, or by value per unit. Correct taxTotal (and "
	  "acturalPaid) and declare the order again", 1 },
	{ "CG1024", NULL, NULL,
	  "已停用：cebgate不再报告该代码；超过限值的单件商品现按货物税率全额核对（CG1007）",
	  "retired: cebgate no longer reports it; a single item over the limit is now checked at "
	  "the goods rates in full (CG1007)", 1 },
	{ "CG1026", NULL, NULL,
	  "cebgate未能核对该税款（报告说明是哪一项及原因：税则未列税率、写法无法识别，或从量税的"
	  "计量单位不是所申报的法定单位）：请人工核对税款；若原因是法定单位，改正qty1/unit1或qty2/unit2",
	  "cebgate could not check the tax (the report names the line and why: no rate in the "
	  "tariff, a form it cannot read, or an amount per unit that no declared legal quantity "
	  "is in): check the tax by hand; when the reason is the legal unit, correct qty1/unit1 "
	  "or qty2/unit2", 0 },
	{ "CG3010", NULL, NULL,
	  "KeyName必须是签名证书序列号的十六进制形式（如01691fe9）；缺少KeyName时（如JDK签名），"
	  "用cebgate sign重新签名，或在KeyInfo中补上该序列号",
	  "KeyName must hold the signing certificate's serial number in hexadecimal (e.g. "
	  "01691fe9); when it is missing (as the JDK signs), sign again with cebgate sign or "
	  "add the serial to KeyInfo", 1 },
	{ "CG1027", NULL, NULL,
	  "净重是不含包装的货物重量，不能大于含包装的毛重：核对两个重量的单位（公斤）和填写位置后改正",
	  "net weight is the goods without packing and cannot exceed the gross weight with it: "
	  "check that both are in kg and not swapped, and correct them", 1 },
	{ "CG2011", NULL, NULL,
	  "每个单证的guid和业务单号在文件中只能出现一次：删除重复的行，或给它自己的单号；"
	  "同一订单的多行商品在CSV中须连续排列",
	  "each document's guid and business key may appear once in a file: remove the repeated "
	  "line or give it its own number; the goods rows of one order go together in a CSV", 1 },
};

static cg_rc
explain_finding(const char *code, cg_explanation *out)
{
	const struct entry *a = find(finding_advice, sizeof(finding_advice) / sizeof(finding_advice[0]),
				     code);
	const struct cg_code_info *i = cg__code_info(code);

	if (i == NULL)
		return unknown(out, "finding", "未知的cebgate检查代码", "unknown cebgate finding code", 1);
	out->code = i->code;
	out->kind = "finding";
	out->zh = i->zh;
	out->en = i->en;
	out->todo_zh = a != NULL ? a->todo_zh : "按报告中的字段（XPath、行、列）改正后重新提交";
	out->todo_en = a != NULL ? a->todo_en
				 : "correct the field the report names (XPath, line, column) and submit again";
	out->final = 1;
	return CG_OK;
}

cg_rc
cg_explain(const char *code, cg_explanation *out)
{
	const struct entry *e;

	memset(out, 0, sizeof(*out));
	out->code = code;
	if (strncmp(code, "CG", 2) == 0)
		return explain_finding(code, out);
	if (strncmp(code, "DXP", 3) == 0)
		code += 3;
	if (code[0] == '-' && digits(code + 1, 1, 9)) {
		e = find(business, sizeof(business) / sizeof(business[0]), code);
		if (e != NULL) {
			fill(out, e, "business error");
			return CG_OK;
		}
		return unknown(out, "business error", "处理错误（负数回执状态），原因见回执信息",
			       "a processing error (negative returnStatus): returnInfo says why", 1);
	}
	if (digits(code, 4, 4) && (e = find(transport, sizeof(transport) / sizeof(transport[0]), code)) != NULL) {
		fill(out, e, "transport error");
		return CG_OK;
	}
	if (digits(code, 1, 10)) {
		e = find(statuses, sizeof(statuses) / sizeof(statuses[0]), code);
		if (e != NULL) {
			fill(out, e, "returnStatus");
			return CG_OK;
		}
		return unknown(out, "returnStatus", "未列出的正数状态：仅供参考",
			       "a positive status not in the lists: informational only", 0);
	}
	return unknown(out, "unknown", "不是回执状态、错误代码或检查代码",
		       "not a returnStatus, error code or finding code", 0);
}

/* The receipt number of "CEB604Message" or "604", or 0. */
static int
receipt_number(const char *receipt)
{
	char num[4];

	if (receipt == NULL)
		return 0;
	if (strncmp(receipt, "CEB", 3) == 0)
		receipt += 3;
	if (strspn(receipt, "0123456789") != 3 ||
	    (receipt[3] != '\0' && strcmp(receipt + 3, "Message") != 0))
		return 0;
	memcpy(num, receipt, 3);
	num[3] = '\0';
	return atoi(num);
}

/* Whether the row applies to receipt @p n. */
static bool
applies(const struct export_entry *x, int n)
{
	size_t i;

	for (i = 0; i < sizeof(x->receipts) / sizeof(x->receipts[0]) && x->receipts[i] != 0; i++) {
		if (x->receipts[i] == n)
			return true;
	}
	return false;
}

cg_rc
cg_explain_receipt(const char *receipt, const char *code, cg_explanation *out)
{
	int n = receipt_number(receipt);
	size_t i;

	if (n != 0 && digits(code, 1, 10)) {
		for (i = 0; i < sizeof(export_statuses) / sizeof(export_statuses[0]); i++) {
			if (strcmp(export_statuses[i].e.code, code) == 0 &&
			    applies(&export_statuses[i], n)) {
				memset(out, 0, sizeof(*out));
				fill(out, &export_statuses[i].e, "returnStatus");
				return CG_OK;
			}
		}
	}
	return cg_explain(code, out);
}
