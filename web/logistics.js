/* SPDX-License-Identifier: MIT */
/*
 * Waybill numbers in (typed, pasted or read from a text or CSV file in the
 * browser), clearance states out (the batch query of the logistics API), for
 * import and export waybills alike.
 */
'use strict';

/* The states of an export waybill (docs/export.md): at the supervised site, gone abroad, cancelled. */
CG.addTexts({
	zh: { arrived: '已运抵监管场所', departed: '已离境', cancelled: '已撤销' },
	en: { arrived: 'arrived at the supervised site', departed: 'departed', cancelled: 'cancelled' },
});

document.addEventListener('DOMContentLoaded', () => {
	CG.chrome();
	/*
	 * The handlers are on from the start and wait for the session (and its CSRF
	 * token) themselves: a query sent before it is known is answered once it is,
	 * not dropped (app.js keeps any form from being posted as a page request).
	 */
	const session = CG.session();
	let last = [];

	function render() {
		const labels = [...document.querySelectorAll('#states thead th')].map((th) => th.textContent.trim());
		document.querySelector('#states tbody').replaceChildren(...last.map((w) => CG.el('tr', { 'data-no': w.logisticsNo || '' },
			CG.el('td', { 'data-label': labels[0], text: w.logisticsCode || '' }),
			CG.el('td', { 'data-label': labels[1], text: w.logisticsNo || '' }),
			CG.el('td', { class: 'state', 'data-label': labels[2], 'data-state': w.state, text: CG.t(w.state === 'declared' ? 'declaredState' : w.state) }))));
	}

	/* "CODE NO" per line (or CSV "CODE,NO"); a bare number is one of the user's own company. */
	function waybills(text, me) {
		const all = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((l) => {
			const p = l.split(/[\s,;]+/).filter(Boolean);
			return p.length > 1 ? { logisticsCode: p[0], logisticsNo: p[1] } : { logisticsCode: me.enterprise, logisticsNo: p[0] };
		}).filter((w) => /^[A-Za-z0-9-]{1,60}$/.test(w.logisticsNo));
		CG.message(all.length > 1000 ? CG.t('tooManyWaybills') : '', 'info');
		return all.slice(0, 1000);
	}

	async function lookup(text) {
		const list = waybills(text, await session);
		document.getElementById('lookup-count').textContent = CG.t('waybillCount', { n: list.length });
		if (!list.length) return;
		const r = await CG.api('POST', '/api/v1/logistics/query', { waybills: list });
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')');
			return;
		}
		last = r.body.waybills;
		render();
		document.body.dataset.loaded = String(Date.now());
	}

	document.getElementById('lookup').addEventListener('submit', (ev) => {
		ev.preventDefault();
		lookup(document.getElementById('waybills').value);
	});
	/* A file is read here, in the browser, and its numbers shown in the box: nothing is uploaded. */
	document.getElementById('waybill-file').addEventListener('change', async (ev) => {
		const f = ev.target.files[0];
		if (!f) return;
		if (f.size > 1 << 20) {
			CG.message(CG.t('error') + ' (> 1 MiB)');
			return;
		}
		const text = await f.text();
		document.getElementById('waybills').value = text.slice(0, 60000);
		lookup(text);
	});
	CG.onLanguage(render);
});
