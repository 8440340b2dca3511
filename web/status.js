/* SPDX-License-Identifier: MIT */
/*
 * Status page: the enterprise's declarations with their state, what became of
 * each (the inventory's release, inspection, return or detention, with the
 * reason and the time) and every receipt (the unified feedback) with its
 * meaning from the service's catalogue (an export declaration's in the export
 * family's own terms: an inventory concluded still waits for its departure); filtered, searched, or only what
 * needs the declarant's action. Nothing of other enterprises: the API answers
 * only with the caller's own.
 */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	let rows = [], before = 0;
	CG.chrome();
	CG.onLanguage(render);
	await CG.session(['merchant', 'enterprise', 'logistics']);

	/* A receipt's code and meaning; an export declaration's in its own receipt (CEB604 399...). */
	function receipt(code, kind) {
		const span = CG.el('span', { class: 'tag', 'data-code': code, text: code });
		const meaning = CG.el('span', { class: 'sub meaning' });
		CG.explain(code, M.receiptOf(kind)).then((x) => {
			if (!x) return;
			span.title = CG.lang() === 'en' ? x.en : x.zh;
			meaning.textContent = span.title;
		});
		return CG.el('span', { class: 'receipt' }, span, meaning);
	}

	/* The service says what waits on the declarant (an export inventory returned is its goods back, not a refusal). */
	function actionTag(d) {
		return d.needsAction ? [' ', CG.el('span', { class: 'tag action', text: CG.t('action') })] : [];
	}

	/* What became of the declaration: its inventory's state, the reason and when. */
	function outcome(d, label) {
		const o = d.outcome;
		const td = CG.el('td', { class: 'outcome', 'data-label': label });
		if (!o || !o.state) {
			td.append(CG.t('noOutcome'), ...actionTag(d));
			return td;
		}
		td.dataset.state = o.state;
		td.append(CG.el('span', { class: 'outcome-' + o.state, text: M.state(o.kind || d.kind, o.state) }));
		td.append(...actionTag(d));
		if (o.reason) td.append(CG.el('span', { class: 'sub reason', text: CG.t(o.reason) }));
		if (o.at) td.append(CG.el('span', { class: 'sub at', text: CG.time(o.at) }));
		/* A released inventory's electronic tax bill (CEB816/818): its number, state and taxes. */
		const b = d.taxBill;
		if (b) td.append(CG.el('span', { class: 'sub taxbill', 'data-tax-no': b.taxNo,
			text: `${CG.t('taxBill')} ${b.taxNo} · ${CG.t('taxBill' + b.status)} · ${CG.t('customsTax')} ${b.customsTax}` +
				` ${CG.t('vat')} ${b.valueAddedTax} ${CG.t('consumptionTax')} ${b.consumptionTax}` }));
		return td;
	}

	function render() {
		const body = document.querySelector('#declarations tbody');
		if (!rows.length) {
			body.replaceChildren(CG.el('tr', {}, CG.el('td', { colspan: 6, text: CG.t('nothing') })));
			return;
		}
		const labels = [...document.querySelectorAll('#declarations thead th')].map((th) => th.textContent.trim());
		body.replaceChildren(...rows.map((d) => CG.el('tr', { 'data-key': d.key2, 'data-kind': d.kind },
			CG.el('td', { 'data-label': labels[0], text: CG.t('k' + d.kind) }),
			CG.el('td', { class: 'number', 'data-label': labels[1], text: d.key2 }),
			CG.el('td', { class: 'state', 'data-label': labels[2], 'data-state': d.state, text: M.state(d.kind, d.state) }),
			outcome(d, labels[3]),
			CG.el('td', { class: 'receipts', 'data-label': labels[4] }, ...d.receipts.map((c) => receipt(c, d.kind))),
			CG.el('td', { 'data-label': labels[5], text: CG.time(d.updated) }))));
	}

	async function load(more) {
		const p = new URLSearchParams();
		for (const k of ['q', 'kind', 'state']) {
			const v = document.getElementById(k).value.trim();
			if (v) p.set(k, v);
		}
		if (document.getElementById('action').checked) p.set('action', '1');
		if (more && before) p.set('before', before);
		const r = await CG.api('GET', '/api/v1/declarations?' + p.toString());
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')');
			return;
		}
		rows = more ? rows.concat(r.body.declarations) : r.body.declarations;
		before = r.body.before;
		document.getElementById('more').hidden = r.body.declarations.length < 100;
		render();
		document.body.dataset.loaded = String(Date.now());
	}

	document.getElementById('filters').addEventListener('submit', (ev) => {
		ev.preventDefault();
		load(false);
	});
	document.getElementById('action').addEventListener('change', () => load(false));
	document.getElementById('more').addEventListener('click', () => load(true));
	await load(false);
	await webhooks();
});

/* Pushed receipts (docs/webhooks.md): the enterprise's endpoints, their last attempts, re-sending. */
CG.addTexts({
	zh: { whTitle: '回执推送', whPosition: '已送达至', whPending: '待送', whError: '错误', whCursor: '回执序号',
		whAttempt: '次数', whOutcome: '结果', whResend: '重新推送', whShow: '推送记录' },
	en: { whTitle: 'Pushed receipts', whPosition: 'Delivered up to', whPending: 'Pending', whError: 'Error',
		whCursor: 'Receipt', whAttempt: 'Attempt', whOutcome: 'Outcome', whResend: 'Send again', whShow: 'Deliveries' },
});

async function webhooks() {
	const r = await CG.api('GET', '/api/v1/webhooks');
	if (r.status !== 200 || !r.body.webhooks.length) return;
	document.getElementById('webhooks').hidden = false;
	const button = (key, fn) => {
		const b = CG.el('button', { type: 'button', 'data-i18n': key, text: CG.t(key) });
		b.addEventListener('click', fn);
		return b;
	};
	document.querySelector('#webhook-list tbody').replaceChildren(...r.body.webhooks.map((w) => CG.el('tr',
		{ 'data-webhook': w.id }, CG.el('td', { class: 'number', text: w.url }),
		CG.el('td', { class: 'state', text: w.state }), CG.el('td', { text: String(w.position) }),
		CG.el('td', { text: String(w.pending) }), CG.el('td', { text: w.lastError || '' }),
		CG.el('td', {}, button('whShow', () => deliveries(w.id)), button('whResend', async () => {
			const a = await CG.api('POST', '/api/v1/webhooks/' + w.id + '/resend', {});
			CG.message(a.status === 200 ? '' : CG.t('error') + ' (' + a.status + ')');
			await webhooks();
		})))));
}

async function deliveries(id) {
	const r = await CG.api('GET', '/api/v1/webhooks/' + id + '/deliveries?limit=20');
	if (r.status !== 200) return;
	const table = document.getElementById('webhook-deliveries');
	table.hidden = false;
	table.querySelector('tbody').replaceChildren(...r.body.deliveries.map((d) => CG.el('tr', {},
		CG.el('td', { text: String(d.cursor) }), CG.el('td', { text: String(d.attempt) }),
		CG.el('td', { text: CG.time(d.at) }), CG.el('td', { text: String(d.status) }),
		CG.el('td', { class: 'state', text: d.outcome }), CG.el('td', { text: d.error || '' }))));
}
