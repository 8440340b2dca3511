/* SPDX-License-Identifier: MIT */
/*
 * One held inventory beside its order, payment and waybill: every field that
 * differs highlighted, the rules hit, tax and quota, the lease, the decision
 * with its mandatory reason, the receipt that went out and the audit trail.
 */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	CG.chrome();
	const me = await CG.session(['officer', 'admin']);
	const id = Number(new URLSearchParams(location.search).get('id'));
	const docs = ['inventory', 'order', 'payment', 'waybill'];
	let view = null, skew = 0, revealed = null, sentStatus = null;

	function cell(text, cls) {
		return CG.el('td', { class: cls, text: text === undefined || text === null ? '—' : text });
	}

	function comparison() {
		const body = document.querySelector('#comparison tbody');
		body.replaceChildren(...view.comparison.map((row) => {
			const tr = CG.el('tr', { class: row.differs ? 'differs' : '', 'data-field': row.field },
				CG.el('th', { text: CG.t(row.field) }));
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
		const lines = document.querySelector('#lines tbody');
		lines.replaceChildren();
		for (const l of view.lines) {
			const diff = new Set(l.differs);
			const inv = l.inventory || {}, ord = l.order || {}, tf = l.tariff || {};
			const mark = (k) => (diff.has(k) ? 'differs' : '');
			lines.append(CG.el('tr', { class: diff.size ? 'differs' : '' }, cell(l.gnum), cell(CG.t('inventory')),
				cell(inv.gname, mark('gname')), cell(inv.qty, mark('qty')), cell(inv.price, mark('price')), cell(inv.totalPrice, mark('totalPrice')),
				// What the tariff in force says of the code: the officer checks licences and inspection.
				cell(tf.supervision), cell(tf.inspection)));
			lines.append(CG.el('tr', { class: diff.size ? 'differs' : '' }, cell(''), cell(CG.t('order')),
				cell(ord.itemName, mark('gname')), cell(ord.qty, mark('qty')), cell(ord.price, mark('price')), cell(ord.totalPrice, mark('totalPrice')),
				cell(''), cell('')));
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
		ul.replaceChildren(...hits.map((r) => CG.el('li', { 'data-rule': r.code, text: (document.documentElement.lang === 'en' ? r.en : r.zh) + ' (' + r.code + ')' })));
		if (view.reason && !hits.length) ul.append(CG.el('li', { text: view.reason }));
	}

	function lease() {
		const box = document.getElementById('lease');
		const claim = document.getElementById('claim');
		const rv = view.review;
		const now = Date.now() / 1000 + skew;
		box.className = 'lease';
		claim.hidden = !rv || rv.state === 'decided' || view.state !== 'held';
		/* The decision form only for the officer whose lease runs. */
		document.getElementById('decide-card').hidden = true;
		if (!rv || rv.state === 'decided') {
			box.textContent = rv ? CG.t('decidedBy') + ': ' + CG.t(rv.decision) + ' — ' + (rv.decisionReason || '') : '';
			return;
		}
		const mine = rv.claimedBy === me.user;
		claim.textContent = CG.t(mine ? 'renew' : 'claim');
		const until = CG.secs(rv.leaseUntil);
		if (rv.state !== 'claimed' || !rv.leaseUntil) {
			box.textContent = CG.t('notClaimed');
		} else if (until <= now) {
			box.textContent = mine ? CG.t('leaseExpired') : CG.t('claimedBy') + ' ' + rv.claimedBy + ' — ' + CG.t('leaseExpired');
			box.className = 'lease expired';
		} else {
			box.textContent = CG.t('claimedBy') + ' ' + rv.claimedBy + ' — ' + CG.t('leaseUntil') + ' ' + CG.time(rv.leaseUntil) + ', ' + CG.t('leaseLeft') + ' ' + CG.duration(until - now);
			box.className = 'lease running';
		}
		document.getElementById('decide-card').hidden = !(mine && until > now);
	}

	function receipts() {
		const body = document.querySelector('#receipts tbody');
		body.replaceChildren(...view.receipts.map((r) => CG.el('tr', {}, cell(CG.time(r.created)), cell(r.returnStatus))));
		const box = document.getElementById('receipt');
		box.replaceChildren();
		if (sentStatus) {
			const r = [...view.receipts].reverse().find((x) => x.returnStatus === sentStatus);
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
		else dl.append(CG.el('dd', { text: '— 放行后生成 / issued at release' }));
		document.querySelector('#pay179 tbody').replaceChildren(...(view.pay179 || []).map((p) => CG.el('tr', { 'data-state': p.state },
			cell(CG.time(p.requested)), cell(p.state), cell(p.actor),
			cell(p.reason || (p.data ? [p.data.payTransactionId, p.data.totalAmount, p.data.signForm].join(' · ') : '')))));
	}

	function audit() {
		const body = document.querySelector('#audit tbody');
		body.replaceChildren(...view.audit.map((a) => CG.el('tr', {}, cell(CG.time(a.at)), cell(a.actor), cell(a.action), cell(a.detail))));
	}

	function render() {
		if (!view) return;
		document.getElementById('title').textContent = CG.t('inventory') + ' ' + view.id + ' — ' + (view.inventory.h.copNo || '');
		document.getElementById('state-line').textContent = CG.t('state') + ': ' + CG.t(view.state);
		document.body.dataset.state = view.state;
		rules();
		comparison();
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
	}

	document.getElementById('claim').addEventListener('click', async () => {
		const r = await CG.api('POST', `/api/v1/review/${id}/claim`);
		if (r.status !== 200) CG.message(CG.t('claimFailed'));
		else CG.message('');
		await load();
	});
	document.getElementById('pay179-ask').addEventListener('click', async () => {
		const r = await CG.api('POST', `/api/v1/declarations/${id}/pay179`);
		CG.message(r.status === 200 ? '' : CG.t('error') + ' (' + r.status + ')');
		await load();
	});
	document.getElementById('reveal').addEventListener('click', async () => {
		const r = await CG.api('POST', `/api/v1/declarations/${id}/reveal`);
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')');
			return;
		}
		revealed = r.body;
		document.getElementById('reveal').textContent = CG.t('revealed');
		document.getElementById('reveal').disabled = true;
		await load();
	});
	document.getElementById('decide').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const reason = document.getElementById('reason').value.trim();
		if (!reason) {
			CG.message(CG.t('reasonRequired'));
			return;
		}
		const r = await CG.api('POST', `/api/v1/review/${id}/decide`, { decision: document.getElementById('decision').value, reason });
		if (r.status !== 200) {
			CG.message(r.status === 409 ? CG.t('leaseExpired') : CG.t('error') + ' (' + r.status + ')');
			return;
		}
		CG.message(CG.t(r.body.state) + ' — ' + r.body.returnStatus, 'info');
		sentStatus = r.body.returnStatus;
		await load();
	});
	CG.onLanguage(render);
	/* The lease counts down every second; the declaration is read again every 30 s. */
	setInterval(() => { if (view) lease(); }, 1000);
	setInterval(load, 30000);
	await load();
});
