/* SPDX-License-Identifier: MIT */
/*
 * Status page: the enterprise's declarations with their state and every
 * receipt (the unified feedback), filtered and searched, each receipt code
 * explained from the service's catalogue. Nothing of other enterprises: the
 * API answers only with the caller's own.
 */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	let rows = [], before = 0;
	CG.chrome();
	CG.onLanguage(render);
	await CG.session(['merchant', 'enterprise', 'logistics']);

	function receipt(code) {
		const span = CG.el('span', { class: 'tag', 'data-code': code, text: code });
		M.explain(code).then((x) => {
			if (x) span.title = CG.lang() === 'en' ? x.en : x.zh;
		});
		return span;
	}

	function render() {
		const body = document.querySelector('#declarations tbody');
		if (!rows.length) {
			body.replaceChildren(CG.el('tr', {}, CG.el('td', { colspan: 5, text: CG.t('nothing') })));
			return;
		}
		body.replaceChildren(...rows.map((d) => CG.el('tr', { 'data-key': d.key2 },
			CG.el('td', { text: CG.t('k' + d.kind) }), CG.el('td', { class: 'number', text: d.key2 }),
			CG.el('td', { class: 'state', text: d.state }),
			CG.el('td', { class: 'receipts' }, ...d.receipts.map(receipt)),
			CG.el('td', { text: CG.time(d.updated) }))));
	}

	async function load(more) {
		const p = new URLSearchParams();
		for (const k of ['q', 'kind', 'state']) {
			const v = document.getElementById(k).value.trim();
			if (v) p.set(k, v);
		}
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
	}

	document.getElementById('filters').addEventListener('submit', (ev) => {
		ev.preventDefault();
		load(false);
	});
	document.getElementById('more').addEventListener('click', () => load(true));
	await load(false);
});
