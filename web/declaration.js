/* SPDX-License-Identifier: MIT */
/*
 * One held inventory (import, or export with its own head fields) beside its
 * order, payment and waybill: the head and the
 * decision at the top (no decision chosen until the officer chooses one), every
 * field that differs highlighted, the goods lines with what the tariff says of
 * their codes, the rules hit, tax and quota, the receipts with their meaning
 * and the audit trail. The keyboard does it all (keysHelp); after a decision
 * the next queued item opens.
 */
'use strict';

CG.addTexts({
	zh: { exportInventory: '出口清单', exportFacts: '出口申报要素', x_tradeMode: '贸易方式', x_statisticsFlag: '申报业务类型（A 按规定 / B 简化）',
		x_country: '运抵国（地区）', x_portCode: '出口口岸', x_invtNo: '清单编号', x_grossWeight: '毛重（千克）',
		x_netWeight: '净重（千克）', x_packNo: '件数', x_currency: '币制',
		st_review: '人工审核', st_concluded: '已审结', st_closed: '已结关', st_cancelled: '已撤销', st_summarized: '已汇总申报',
		xcomparison: '出口单证对照', xd_order: '订单 / 订仓单（303）', xd_payment: '收款单（403）', xd_waybill: '运单（505）',
		xd_arrival: '运抵单（507）', xd_departure: '离境单（509）', xd_list: '清单总分单（607）', xd_inventory: '清单（603）',
		notReceived: '未收到', check: '核对', agree: '一致', xf_goodsValue: '商品金额（清单为总价合计）', xf_currency: '币制', xf_charge: '收款金额（订单为商品金额加运杂费）',
		xf_ebcName: '电商企业名称', xf_invtNo: '清单编号', xf_customsCode: '申报地海关', xf_trafMode: '运输方式',
		xf_trafName: '运输工具名称', xf_voyageNo: '航班航次号', xf_totalPackageNo: '总包号', xf_loctNo: '监管场所代码',
		xf_grossWeight: '毛重（千克）', xf_logisticsNo: '物流运单编号' },
	en: { exportInventory: 'Export inventory', exportFacts: 'Export declaration', x_tradeMode: 'Trade mode',
		x_statisticsFlag: 'Statistics flag (A in full / B simplified)', x_country: 'Destination country',
		x_portCode: 'Port of exit', x_invtNo: 'Inventory no.', x_grossWeight: 'Gross weight (kg)', x_netWeight: 'Net weight (kg)',
		x_packNo: 'Packages', x_currency: 'Currency',
		st_review: 'held for review', st_concluded: 'concluded', st_closed: 'closed', st_cancelled: 'cancelled',
		st_summarized: 'in a summary declaration',
		xcomparison: 'The export documents compared', xd_order: 'Order / booking (303)', xd_payment: 'Receipt of payment (403)',
		xd_waybill: 'Waybill (505)', xd_arrival: 'Arrival (507)', xd_departure: 'Departure (509)', xd_list: 'Master/house list (607)',
		xd_inventory: 'Inventory (603)', notReceived: 'not received', check: 'Check', agree: 'agree',
		xf_goodsValue: 'Goods value (inventory: Σ total price)', xf_currency: 'Currency', xf_charge: 'Amount received (order: goods value + freight)', xf_ebcName: 'Consignor name',
		xf_invtNo: 'Inventory no.', xf_customsCode: 'Customs office', xf_trafMode: 'Transport mode', xf_trafName: 'Carrier name',
		xf_voyageNo: 'Voyage / flight', xf_totalPackageNo: 'Pallet / bag no.', xf_loctNo: 'Site code',
		xf_grossWeight: 'Gross weight (kg)', xf_logisticsNo: 'Waybill no.' },
});

document.addEventListener('DOMContentLoaded', async () => {
	CG.chrome();
	const me = await CG.session(['officer', 'admin']);
	const id = Number(new URLSearchParams(location.search).get('id'));
	const docs = ['inventory', 'order', 'payment', 'waybill'];
	/* The receipt each decision sends (review.c). */
	const statusOf = { release: '800', inspect: '500', return: '100', detain: '501' };
	let view = null, skew = 0, revealed = null;

	function cell(text, cls) {
		return CG.el('td', { class: cls, text: text === undefined || text === null ? '—' : text });
	}

	/* A code with its name from the code tables, in the current language. */
	function named(x) {
		if (!x) return '';
		const name = CG.lang() === 'en' ? x.en : x.zh;
		return name ? `${x.code} ${name}` : x.code;
	}

	/*
	 * An export inventory beside its documents (view.documents names the
	 * columns): a column per document, said when it has not come, and a last
	 * column that says in words whether the row agrees (not by colour only).
	 */
	function exportComparison() {
		const table = document.getElementById('comparison');
		const cols = view.documents;
		const label = (d) => CG.t('xd_' + d.name) + (d.present ? '' : ' — ' + CG.t('notReceived'));
		document.getElementById('h-comparison').textContent = CG.t('xcomparison');
		table.dataset.export = '1';
		table.tHead.replaceChildren(CG.el('tr', {}, CG.el('th', { scope: 'col', text: CG.t('field') }),
			...cols.map((d) => CG.el('th', { scope: 'col', 'data-doc': d.name, class: d.present ? '' : 'absent', text: label(d) })),
			CG.el('th', { scope: 'col', text: CG.t('check') })));
		table.tBodies[0].replaceChildren(...view.comparison.map((row) => {
			const name = CG.t('xf_' + row.field) === 'xf_' + row.field ? CG.t(row.field) : CG.t('xf_' + row.field);
			const tr = CG.el('tr', { class: row.differs ? 'differs' : '', 'data-field': row.field },
				CG.el('th', { scope: 'row', text: name }));
			for (const d of cols) {
				const has = row.fields[d.name] !== undefined;
				const v = row.values[d.name];
				const td = cell(has ? v : '', !has ? 'absent' : row.differs && v !== undefined ? 'differs' : '');
				if (row.differs && v !== undefined) td.prepend(CG.el('span', { 'aria-hidden': 'true', text: '≠ ' }));
				td.dataset.doc = d.name;
				tr.append(td);
			}
			tr.append(CG.el('td', { class: 'check' + (row.differs ? ' differs' : ''), text: row.differs ? '≠ ' + CG.t('differs') : CG.t('agree') }));
			return tr;
		}));
	}

	function comparison() {
		if (view.documents) {
			exportComparison();
			return;
		}
		const body = document.querySelector('#comparison tbody');
		body.replaceChildren(...view.comparison.map((row) => {
			const tr = CG.el('tr', { class: row.differs ? 'differs' : '', 'data-field': row.field },
				CG.el('th', { scope: 'row', text: CG.t(row.field) }));
			for (const d of docs) {
				const f = row.fields[d];
				let v = row.values[d];
				if (revealed && f && revealed[d] && revealed[d][f] !== undefined) v = revealed[d][f];
				const td = cell(f ? v : '', !f ? 'absent' : row.differs && v !== undefined ? 'differs' : '');
				td.dataset.doc = d;
				tr.append(td);
			}
			return tr;
		}));
	}

	function goods() {
		const lines = document.querySelector('#lines tbody');
		lines.replaceChildren();
		for (const l of view.lines) {
			const diff = new Set(l.differs);
			const inv = l.inventory || {}, ord = l.order || {}, tf = l.tariff || {};
			const mark = (k) => (diff.has(k) ? 'differs' : '');
			const legal = (l.legal || []).map((q) => q.qty + ' ' + (q.unit ? (CG.lang() === 'en' ? q.unit.en : q.unit.zh) || q.unit.code : '')).join('; ');
			lines.append(CG.el('tr', { class: diff.size ? 'differs' : '', 'data-gnum': l.gnum }, cell(l.gnum), cell(CG.t('inventory')),
				cell(l.gcode, 'hs'), cell(tf.name, 'tariff-name'), cell(inv.gname, mark('gname')), cell(named(l.origin), 'origin'),
				cell(inv.qty, 'num ' + mark('qty')), cell(legal, 'legal'), cell(inv.price, 'num ' + mark('price')), cell(inv.totalPrice, 'num ' + mark('totalPrice')),
				// What the tariff in force says of the code: the officer checks licences and inspection.
				cell(tf.supervision, 'supervision'), cell(tf.inspection, 'inspection')));
			lines.append(CG.el('tr', { class: diff.size ? 'differs' : '' }, cell(''), cell(CG.t('order')), cell(''), cell(''),
				cell(ord.itemName, mark('gname')), cell(''), cell(ord.qty, 'num ' + mark('qty')), cell(''),
				cell(ord.price, 'num ' + mark('price')), cell(ord.totalPrice, 'num ' + mark('totalPrice')), cell(''), cell('')));
		}
	}

	function facts() {
		const tx = view.tax || {}, q = tx.quota || {};
		const dl = document.getElementById('tax');
		dl.replaceChildren();
		for (const [k, v] of [['recomputed', tx.recomputed], ['declared', tx.declared], ['goodsValue', tx.goodsValue],
			['freight', tx.freight], ['quotaUsed', q.used + ' (' + q.year + ')'], ['quotaLimit', q.limit], ['quotaRemaining', q.remaining]])
			dl.append(CG.el('dt', { text: CG.t(k) }), CG.el('dd', { id: 'tax-' + k, text: v === undefined ? '—' : v }));
	}

	function rules() {
		const ul = document.getElementById('rules');
		const hits = (view.review && view.review.rules) || [];
		ul.replaceChildren(...hits.map((r) => CG.el('li', { 'data-rule': r.code, text: (CG.lang() === 'en' ? r.en : r.zh) + ' (' + r.code + ')' })));
		if (view.reason && !hits.length) ul.append(CG.el('li', { text: view.reason }));
	}

	/* True while the officer holds a running lease: the decision form is theirs. */
	function mine() {
		const rv = view && view.review;
		return !!rv && rv.state === 'claimed' && rv.claimedBy === me.user && CG.secs(rv.leaseUntil) > Date.now() / 1000 + skew;
	}

	function lease() {
		const box = document.getElementById('lease');
		const claim = document.getElementById('claim');
		const rv = view.review;
		const now = Date.now() / 1000 + skew;
		box.className = 'lease';
		claim.hidden = !rv || rv.state === 'decided' || (view.state !== 'held' && view.state !== 'review');
		const form = document.getElementById('decide');
		if (!rv || rv.state === 'decided') {
			form.hidden = true;
			box.textContent = rv ? CG.t('decidedBy') + ': ' + CG.t(rv.decision) + ' — ' + (rv.decisionReason || '') +
				(rv.decidedAt ? ' (' + CG.time(rv.decidedAt) + ')' : '') : '';
			return;
		}
		const holder = rv.claimedBy === me.user;
		claim.textContent = CG.t(holder ? 'renew' : 'claim');
		const until = CG.secs(rv.leaseUntil);
		if (rv.state !== 'claimed' || !rv.leaseUntil) {
			box.textContent = CG.t('notClaimed');
		} else if (until <= now) {
			box.textContent = holder ? CG.t('leaseExpired') : CG.t('claimedBy') + ' ' + rv.claimedBy + ' — ' + CG.t('leaseExpired');
			box.className = 'lease expired';
		} else {
			box.textContent = CG.t('claimedBy') + ' ' + rv.claimedBy + ' — ' + CG.t('leaseUntil') + ' ' + CG.time(rv.leaseUntil) +
				' (' + CG.t('left') + ' ' + CG.countdown(until - now) + ')';
			box.className = 'lease running';
		}
		const wasHidden = form.hidden;
		form.hidden = !mine();
		if (wasHidden && !form.hidden && document.activeElement === document.body) document.getElementById('decision').scrollIntoView({ block: 'nearest' });
	}

	function receipts() {
		const body = document.querySelector('#receipts tbody');
		body.replaceChildren(...view.receipts.map((r) => {
			const meaning = cell('', 'meaning');
			CG.explainInto(meaning, r.returnStatus, isExport() ? 'CEB604Message' : undefined);
			return CG.el('tr', { 'data-status': r.returnStatus }, cell(CG.time(r.created)), cell(r.returnStatus, 'code'), meaning);
		}));
		/* Once decided, the receipt the decision sent, as it went out. */
		const box = document.getElementById('receipt');
		box.replaceChildren();
		const rv = view.review;
		if (rv && rv.state === 'decided') {
			const r = [...view.receipts].reverse().find((x) => x.returnStatus === statusOf[rv.decision]);
			if (r) box.append(CG.el('h3', { text: CG.t('receipt') + ': ' + r.returnStatus }), CG.el('pre', { class: 'xml', id: 'receipt-xml', text: r.xml }));
		}
	}

	/* Beside the documents: the electronic tax bill (CEB816/818) and the 179 payment data. */
	function beside() {
		const b = view.taxBill, dl = document.getElementById('taxbill');
		dl.replaceChildren();
		if (b) for (const [k, v] of [['taxNo', b.taxNo], ['status', b.status + ' ' + b.statusText], ['customsTax', b.customsTax],
			['valueAddedTax', b.valueAddedTax], ['consumptionTax', b.consumptionTax], ['assureCode', b.assureCode]])
			dl.append(CG.el('dt', { text: k }), CG.el('dd', { id: 'taxbill-' + k, text: v }));
		else dl.append(CG.el('dt', { text: 'taxNo' }), CG.el('dd', { text: '— 放行后生成 / issued at release' }));
		document.querySelector('#pay179 tbody').replaceChildren(...(view.pay179 || []).map((p) => CG.el('tr', { 'data-state': p.state },
			cell(CG.time(p.requested)), cell(p.state), cell(p.actor),
			cell(p.reason || (p.data ? [p.data.payTransactionId, p.data.totalAmount, p.data.signForm].join(' · ') : '')))));
	}

	function audit() {
		const body = document.querySelector('#audit tbody');
		body.replaceChildren(...view.audit.map((a) => {
			const act = CG.t('act_' + a.action);
			const what = cell(act === 'act_' + a.action ? a.action : act);
			/* A receipt's status as the action: its meaning from the catalogue. */
			if (/^-?\d+$/.test(a.action)) {
				const m = CG.el('span', { class: 'sub' });
				CG.explainInto(m, a.action);
				what.append(m);
			}
			return CG.el('tr', { 'data-action': a.action }, cell(CG.time(a.at)), cell(a.actor), what, cell(a.detail));
		}));
	}

	/* An export inventory (ceb-export-spec.md §3.6): its own head fields; release (399) and return (100) only. */
	function isExport() {
		return !!(view && view.inventory && view.inventory.h && view.inventory.h.ieFlag === 'E');
	}

	function exportFacts() {
		let box = document.getElementById('export-facts');
		if (!isExport()) {
			if (box) box.remove();
			return;
		}
		const h = view.inventory.h;
		if (!box) {
			box = CG.el('section', { class: 'card', id: 'export-facts', 'aria-labelledby': 'h-export' });
			document.getElementById('summary').after(box);
		}
		const dl = CG.el('dl', { class: 'facts' });
		for (const k of ['tradeMode', 'statisticsFlag', 'country', 'portCode', 'invtNo', 'grossWeight', 'netWeight', 'packNo', 'currency'])
			dl.append(CG.el('dt', { text: CG.t('x_' + k) }), CG.el('dd', { 'data-field': k, text: h[k] === undefined ? '—' : h[k] }));
		box.replaceChildren(CG.el('h2', { id: 'h-export', text: CG.t('exportFacts') }), dl);
		for (const v of ['inspect', 'detain']) document.querySelector(`#decision input[value="${v}"]`).closest('label').hidden = true;
		statusOf.release = '399';
	}

	function render() {
		if (!view) return;
		document.getElementById('title').textContent = CG.t(isExport() ? 'exportInventory' : 'inventory') + ' ' + view.id + ' — ' + (view.inventory.h.copNo || '');
		document.getElementById('state-line').textContent = CG.t('state') + ': ' + CG.state(view.state);
		document.body.dataset.state = view.state;
		exportFacts();
		rules();
		comparison();
		goods();
		facts();
		lease();
		receipts();
		beside();
		audit();
	}

	async function load() {
		const r = await CG.api('GET', `/api/v1/declarations/${id}`);
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')');
			return;
		}
		view = r.body;
		skew = CG.secs(view.now) - Date.now() / 1000;
		render();
		document.body.dataset.loaded = String(Date.now());
	}

	/* The queued items in the queue's order (highest priority, oldest first). */
	async function queued() {
		const r = await CG.api('GET', '/api/v1/review?state=queued');
		return r.status === 200 ? r.body.items.map((it) => it.id) : [];
	}

	/* Open the item STEP places from this one in the queue (the first when this one is not queued). */
	async function go(step) {
		const ids = await queued();
		const at = ids.indexOf(id);
		const next = at < 0 ? ids.find((x) => x !== id) : ids[at + step];
		if (next) location.href = `/declaration.html?id=${next}`;
		else CG.message(CG.t('queueEmpty'), 'info');
	}

	async function claim() {
		const r = await CG.api('POST', `/api/v1/review/${id}/claim`);
		if (r.status !== 200) CG.message(CG.t('claimFailed'));
		else CG.message('');
		await load();
		if (mine()) document.querySelector('#decision input').focus();
	}

	async function reveal() {
		const r = await CG.api('POST', `/api/v1/declarations/${id}/reveal`);
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')');
			return;
		}
		revealed = r.body;
		document.getElementById('reveal').textContent = CG.t('revealed');
		document.getElementById('reveal').disabled = true;
		await load();
	}

	/* A decision chosen from the keyboard: its reason gets the cursor. */
	function choose(decision) {
		const radio = document.querySelector(`#decision input[value="${decision}"]`);
		radio.checked = true;
		document.getElementById('reason').focus();
	}

	async function decide() {
		const chosen = document.querySelector('#decision input:checked');
		const reason = document.getElementById('reason').value.trim();
		if (!chosen) {
			CG.message(CG.t('chooseDecision'));
			document.querySelector('#decision input').focus();
			return;
		}
		if (!reason) {
			CG.message(CG.t('reasonRequired'));
			document.getElementById('reason').focus();
			return;
		}
		const r = await CG.api('POST', `/api/v1/review/${id}/decide`, { decision: chosen.value, reason });
		if (r.status !== 200) {
			CG.message(r.status === 409 ? CG.t('leaseExpired') : CG.t('error') + ' (' + r.status + ')');
			return;
		}
		const done = `${CG.t('inventory')} ${id}: ${CG.state(r.body.state)} — ${r.body.returnStatus}`;
		const ids = (await queued()).filter((x) => x !== id);
		if (ids.length) {
			/* Said again on the next item's page. */
			sessionStorage.setItem('cg-flash', done);
			location.href = `/declaration.html?id=${ids[0]}`;
			return;
		}
		CG.message(done + ' · ' + CG.t('queueEmpty'), 'info');
		await load();
	}

	document.getElementById('claim').addEventListener('click', claim);
	document.getElementById('reveal').addEventListener('click', reveal);
	document.getElementById('pay179-ask').addEventListener('click', async () => {
		const r = await CG.api('POST', `/api/v1/declarations/${id}/pay179`);
		CG.message(r.status === 200 ? '' : CG.t('error') + ' (' + r.status + ')');
		await load();
	});
	document.getElementById('decide').addEventListener('submit', (ev) => {
		ev.preventDefault();
		decide();
	});
	const keys = { 1: 'release', 2: 'inspect', 3: 'return', 4: 'detain' };
	document.addEventListener('keydown', (ev) => {
		if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
			if (!document.getElementById('decide').hidden) decide();
		} else if (ev.key === 'Escape') {
			if (document.activeElement) document.activeElement.blur();
		} else if (CG.typing(ev)) {
			return;
		} else if (ev.key === 'j' || ev.key === 'k') {
			go(ev.key === 'j' ? 1 : -1);
		} else if (ev.key === 'c' && !document.getElementById('claim').hidden) {
			claim();
		} else if (keys[ev.key] && !document.getElementById('decide').hidden) {
			choose(keys[ev.key]);
		} else if (ev.key === 'v' && !document.getElementById('reveal').disabled) {
			reveal();
		} else if (ev.key === '?') {
			document.querySelector('#summary .hint').scrollIntoView();
		} else {
			return;
		}
		ev.preventDefault();
	});
	CG.onLanguage(render);
	const flash = sessionStorage.getItem('cg-flash');
	if (flash) {
		sessionStorage.removeItem('cg-flash');
		CG.message(flash + ' · ' + CG.t('nextOpened'), 'info');
	}
	/* The lease counts down every second; the declaration is read again every 30 s. */
	setInterval(() => { if (view) lease(); }, 1000);
	setInterval(load, 30000);
	await load();
});
