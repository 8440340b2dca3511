/* SPDX-License-Identifier: MIT */
/*
 * The merchant's pages (upload, status): their texts in Chinese and English,
 * added to the shared dictionary (app.js).
 */
'use strict';

const M = (() => {
	const texts = {
		zh: {
			title: 'cebgate 跨境电商单一窗口', upload: '上传申报', status: '申报状态',
			intro: '选择或拖入店铺导出的订单文件（CSV：UTF-8 或 GB18030；NDJSON；CEB XML），可一次多个。',
			drop: '把文件拖到这里', files: '文件', profile: '字段映射方案', none: '（按列名）',
			reading: '正在处理', readSoFar: '已读 {r} 单，有效 {v}，有问题 {i}', uploaded: '上传完成',
			downloadFindings: '下载问题清单 (CSV)', findings: '发现的问题', line: '行', column: '列', code: '代码',
			field: '字段', problem: '问题', changes: '规范化所做的修改', before: '原值', after: '新值', why: '原因',
			documents: '可申报的单证', file: '文件', result: '申报结果', submit: '签名并申报有效单证',
			recent: '最近上传', state: '状态', records: '单证数', valid: '有效', invalid: '有问题',
			submitted: '已申报', by: '上传人', open: '查看', noFindings: '没有发现问题', sha256: 'SHA-256',
			ready: '已处理', failed: '无法处理', processing: '处理中', accepted: '已受理', rejected: '被拒绝',
			duplicate: '重复（已受理）', conflict: '冲突', notYet: '未申报', submitting: '正在签名并申报…',
			submittedN: '已申报 {n} 份，受理 {a} 份', noKey: '本企业尚未托管签名密钥，请自行签名后通过接口申报',
			search: '订单号 / 运单号 / 清单编号', kind: '单证类型', all: '全部', k311: '订单', k411: '支付单',
			k511: '运单', k513: '运单状态', k621: '清单', declared: '已申报', apply: '查询', number: '编号',
			receipts: '回执', updated: '更新时间', more: '更多', nothing: '没有符合条件的申报', tooBig: '文件太大',
			tooMany: '上传过于频繁，请一分钟后再试', error: '出错了', saveProfile: '保存字段映射方案',
			profileName: '方案名称', profileText: '映射（[columns] 店铺列名 = CEB 字段；[defaults] 字段 = 固定值）',
			save: '保存', saved: '已保存', needsAction: '只看需要我处理的', outcome: '清单结果',
			noOutcome: '尚无清单', action: '需要处理',
			taxBill: '电子税单', taxBill1: '已生成', taxBill2: '已汇总', taxBill3: '已作废',
			customsTax: '关税', vat: '增值税', consumptionTax: '消费税',
		},
		en: {
			title: 'cebgate single window', upload: 'Upload', status: 'Declarations',
			intro: 'Choose or drop the order files your shop exported (CSV in UTF-8 or GB18030, NDJSON, CEB XML), several at once.',
			drop: 'Drop files here', files: 'Files', profile: 'Column mapping', none: '(by column names)',
			reading: 'Working on', readSoFar: '{r} read, {v} valid, {i} with problems', uploaded: 'Uploaded',
			downloadFindings: 'Download the findings (CSV)', findings: 'Findings', line: 'Line', column: 'Column', code: 'Code',
			field: 'Field', problem: 'Problem', changes: 'Changes made by normalization', before: 'Before', after: 'After', why: 'Why',
			documents: 'Declarations ready to submit', file: 'File', result: 'Result', submit: 'Sign and submit the valid ones',
			recent: 'Recent uploads', state: 'State', records: 'Documents', valid: 'Valid', invalid: 'With problems',
			submitted: 'Submitted', by: 'By', open: 'Open', noFindings: 'No problems found', sha256: 'SHA-256',
			ready: 'done', failed: 'could not be read', processing: 'working', accepted: 'accepted', rejected: 'rejected',
			duplicate: 'duplicate (accepted)', conflict: 'conflict', notYet: 'not submitted', submitting: 'Signing and submitting…',
			submittedN: '{n} submitted, {a} accepted', noKey: 'Your enterprise has no custodial signing key: sign the declarations yourself and send them through the API',
			search: 'Order, waybill or inventory no.', kind: 'Kind', all: 'All', k311: 'Order', k411: 'Payment',
			k511: 'Waybill', k513: 'Waybill status', k621: 'Inventory', declared: 'declared', apply: 'Search', number: 'Number',
			receipts: 'Receipts', updated: 'Updated', more: 'More', nothing: 'No declarations match', tooBig: 'The file is too large',
			tooMany: 'Too many uploads: wait a minute', error: 'Something went wrong', saveProfile: 'Save a column mapping',
			profileName: 'Name', profileText: 'Mapping ([columns] shop column = CEB field; [defaults] field = value)',
			save: 'Save', saved: 'Saved', needsAction: 'Only what needs my action', outcome: 'Inventory outcome',
			noOutcome: 'no inventory yet', action: 'needs action',
			taxBill: 'Tax bill', taxBill1: 'issued', taxBill2: 'summarised', taxBill3: 'cancelled',
			customsTax: 'duty', vat: 'VAT', consumptionTax: 'consumption tax',
		},
	};

	CG.addTexts(texts);

	/* What a returnStatus or error code means, from the service's catalogue (app.js, cached). */
	const explain = CG.explain;

	return { explain };
})();
