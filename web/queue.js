/* SPDX-License-Identifier: MIT */
/* The review queue: filters, counts, highest priority and oldest first, auto-refresh, claim. */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	CG.chrome();
	await CG.session(['officer', 'admin']);
	const params = new URLSearchParams(location.search);
	const fields = { state: 'f-state', enterprise: 'f-enterprise', reason: 'f-reason', minAge: 'f-age', tradeMode: 'f-trade' };
	for (const [k, id] of Object.entries(fields)) if (params.get(k)) document.getElementById(id).value = params.get(k);
	let last = null;

	function query() {
		const q = new URLSearchParams();
		for (const [k, id] of Object.entries(fields)) {
			const v = document.getElementById(id).value.trim();
			if (v) q.set(k, v);
		}
		return q.toString();
	}

	function counts(body) {
		const box = document.getElementById('counts');
		box.replaceChildren(CG.el('span', { class: 'count', id: 'count-total' }, CG.t('total'), CG.el('b', { text: body.count })));
		for (const [reason, n] of Object.entries(body.byReason || {}))
			box.append(CG.el('span', { class: 'count' }, CG.t(reason), CG.el('b', { text: n })));
	}

	async function claim(id) {
		const r = await CG.api('POST', `/api/v1/review/${id}/claim`);
		if (r.status === 200) location.href = `/declaration.html?id=${id}`;
		else CG.message(CG.t('claimFailed'));
	}

	function row(it) {
		const reasons = CG.el('td');
		for (const r of String(it.reason).split('；')) reasons.append(CG.el('span', { class: 'tag', text: CG.t(r) }));
		const actions = CG.el('td', {},
			CG.el('a', { href: `/declaration.html?id=${it.id}`, text: CG.t('open') }), ' ');
		if (it.state !== 'decided') actions.append(CG.el('button', { type: 'button', class: 'claim', 'data-id': it.id, text: CG.t('claim'), onclick: () => claim(it.id) }));
		return CG.el('tr', { 'data-id': it.id },
			CG.el('td', { text: it.id }), CG.el('td', { text: it.priority }), reasons,
			CG.el('td', { text: it.ebcCode || '' }), CG.el('td', { text: it.orderNo || '' }),
			CG.el('td', { text: it.tradeMode || '' }), CG.el('td', { text: CG.duration(it.age) }),
			CG.el('td', { text: it.claimedBy || '' }), actions);
	}

	function render() {
		if (!last) return;
		counts(last);
		const body = document.querySelector('#queue tbody');
		body.replaceChildren(...last.items.map(row));
		if (last.items.length === 0) body.append(CG.el('tr', {}, CG.el('td', { colspan: 9, text: CG.t('noItems') })));
	}

	async function load() {
		const q = query();
		history.replaceState(null, '', q ? `?${q}` : location.pathname);
		const r = await CG.api('GET', `/api/v1/review${q ? '?' + q : ''}`);
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')');
			return;
		}
		CG.message('');
		last = r.body;
		render();
		document.body.dataset.loaded = String(Date.now());
	}

	document.getElementById('filters').addEventListener('submit', (ev) => {
		ev.preventDefault();
		load();
	});
	CG.onLanguage(render);
	setInterval(() => {
		if (document.getElementById('auto').checked) load();
	}, 15000);
	load();
});
