/* SPDX-License-Identifier: MIT */
/*
 * The export summary declarations (ceb-export-spec §2.9): the applications
 * (CEB701) with their answer, the customs declarations each generated (CEB792)
 * and, for one of them, the later facts an officer records (decTmpNo,
 * decPreNo, entryId, decState): recording sends the declarant a later CEB792.
 */
'use strict';

CG.addTexts({
	zh: { summaryTitle: '出口汇总申报', applications: '汇总申请（701）', declarations: '汇总结果：生成的报关单（792）',
		consignor: '收发货人', customs: '申报地海关', applied: '申报时间', answer702: '回执（702）', declCount: '报关单数',
		grossWeight: '毛重（千克）', netWeight: '净重（千克）', rows: '清单商品行', inventories: '清单', decState: '报关单状态',
		decTmpNo: '暂存编号', decPreNo: '预录入编号', entryId: '报关单号', updatedAt: '更新时间', record: '记录后续信息',
		recordFor: '记录报关单后续信息：{no}', recordSend: '记录并发送汇总结果（792）', cancel: '取消',
		recordHint: '已有的编号不能改为另一个；与已记录的相同则不发送。海关的报关单状态代码未公布：可选值见 docs/export.md。',
		sent: '{no}：已记录，已向申报企业发送汇总结果（792）', unchanged: '{no}：与已记录的相同，未发送', noApplications: '没有汇总申请',
		refused: '退回', accepted: '审结' },
	en: { summaryTitle: 'Export summary declarations', applications: 'Summary applications (701)',
		declarations: 'Summary results: the customs declarations generated (792)', consignor: 'Consignor', customs: 'Customs office',
		applied: 'Applied', answer702: 'Answer (702)', declCount: 'Declarations', grossWeight: 'Gross weight (kg)',
		netWeight: 'Net weight (kg)', rows: 'Inventory lines', inventories: 'Inventories', decState: 'Declaration state',
		decTmpNo: 'Temporary no.', decPreNo: 'Pre-entry no.', entryId: 'Entry no.', updatedAt: 'Updated', record: 'Record later facts',
		recordFor: 'Later facts of declaration {no}', recordSend: 'Record and send the summary result (792)', cancel: 'Cancel',
		recordHint: 'A number recorded already cannot become another; the same facts again send nothing. Customs has not published its state codes: the accepted values are in docs/export.md.',
		sent: '{no}: recorded, the summary result (792) was sent to the declarant', unchanged: '{no}: the same as recorded, nothing sent',
		noApplications: 'No summary application', refused: 'refused', accepted: 'accepted' },
});

document.addEventListener('DOMContentLoaded', async () => {
	CG.chrome();
	await CG.session(['officer', 'admin']);
	let data = null, chosen = null;

	const cell = (text, cls) => CG.el('td', { class: cls, text: text === undefined || text === null || text === '' ? '—' : text });
	const stateName = (code) => {
		const s = (data.decStates || []).find((x) => x.code === code);
		return s ? code + ' ' + (CG.lang() === 'en' ? s.en : s.zh) : code;
	};

	function applications() {
		const body = document.querySelector('#applications tbody');
		if (!data.applications.length) {
			body.replaceChildren(CG.el('tr', {}, CG.el('td', { colspan: '7', text: CG.t('noApplications') })));
			return;
		}
		body.replaceChildren(...data.applications.map((a) => {
			const answer = a.returnStatus === '399' ? CG.t('accepted') : a.returnStatus === '100' ? CG.t('refused') : '';
			return CG.el('tr', { 'data-id': a.id }, cell(a.copNo), cell(a.ebcCode + ' ' + a.ebcName), cell(a.customsCode),
				cell(CG.time(a.created)), cell(a.returnStatus ? a.returnStatus + ' ' + answer : ''), cell(a.sumNo), cell(String(a.declarations.length)));
		}));
	}

	function declarations() {
		const body = document.querySelector('#declarations tbody');
		const rows = [];
		for (const a of data.applications) for (const d of a.declarations) {
			const button = CG.el('button', { type: 'button', class: 'record', 'aria-label': CG.t('record') + ' ' + d.declSeqNo,
				text: CG.t('record'), onclick: () => choose(a, d) });
			rows.push(CG.el('tr', { 'data-decl': d.declSeqNo }, CG.el('th', { scope: 'row', text: d.declSeqNo }), cell(a.sumNo),
				cell(a.ebcCode), cell(d.grossWeight, 'num'), cell(d.netWeight, 'num'), cell(String(d.rows), 'num'),
				cell(d.inventories.join(' ')), cell(stateName(d.decState), 'dec-state'), cell(d.decTmpNo, 'dec-tmp'),
				cell(d.decPreNo, 'dec-pre'), cell(d.entryId, 'entry-id'), cell(CG.time(d.updated)), CG.el('td', {}, button)));
		}
		body.replaceChildren(...rows);
	}

	/* The form for one declaration, filled with what is recorded. */
	function choose(a, d) {
		chosen = d.declSeqNo;
		const select = document.getElementById('r-state');
		select.replaceChildren(...data.decStates.map((s) => CG.el('option', { value: s.code, text: stateName(s.code) })));
		select.value = d.decState;
		document.getElementById('r-tmp').value = d.decTmpNo;
		document.getElementById('r-pre').value = d.decPreNo;
		document.getElementById('r-entry').value = d.entryId;
		document.getElementById('h-record').textContent = CG.t('recordFor', { no: d.declSeqNo });
		const card = document.getElementById('record-card');
		card.hidden = false;
		card.dataset.decl = d.declSeqNo;
		select.focus();
	}

	function render() {
		if (!data) return;
		applications();
		declarations();
	}

	async function load() {
		const r = await CG.api('GET', '/api/v1/summaries');
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')');
			return;
		}
		data = r.body;
		render();
		document.body.dataset.loaded = String(Date.now());
	}

	document.getElementById('record').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		if (!chosen) return;
		const r = await CG.api('POST', '/api/v1/summary-declarations/' + encodeURIComponent(chosen), {
			decState: document.getElementById('r-state').value, decTmpNo: document.getElementById('r-tmp').value.trim(),
			decPreNo: document.getElementById('r-pre').value.trim(), entryId: document.getElementById('r-entry').value.trim(),
		});
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')' + (r.body && r.body.error ? ': ' + r.body.error : ''));
			return;
		}
		CG.message(CG.t(r.body.changed ? 'sent' : 'unchanged', { no: chosen }), 'info');
		document.getElementById('record-card').hidden = true;
		await load();
	});
	document.getElementById('r-cancel').addEventListener('click', () => {
		document.getElementById('record-card').hidden = true;
		chosen = null;
	});
	CG.onLanguage(render);
	await load();
});
