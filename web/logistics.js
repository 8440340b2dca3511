/* SPDX-License-Identifier: MIT */
/* Waybill numbers in, clearance states out (the batch query of the logistics API). */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	CG.chrome();
	const me = await CG.session();
	let last = [];

	function render() {
		document.querySelector('#states tbody').replaceChildren(...last.map((w) => CG.el('tr', {},
			CG.el('td', { text: w.logisticsCode || '' }), CG.el('td', { text: w.logisticsNo || '' }),
			CG.el('td', { class: 'state', text: CG.t(w.state === 'declared' ? 'declaredState' : w.state) }))));
	}

	document.getElementById('lookup').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		/* "CODE NO" per line; a bare number is taken as one of the user's own company. */
		const waybills = document.getElementById('waybills').value.split('\n').map((l) => l.trim()).filter(Boolean)
			.slice(0, 1000).map((l) => {
				const p = l.split(/[\s,;]+/);
				return p.length > 1 ? { logisticsCode: p[0], logisticsNo: p[1] } : { logisticsCode: me.enterprise, logisticsNo: p[0] };
			});
		if (!waybills.length) return;
		const r = await CG.api('POST', '/api/v1/logistics/query', { waybills });
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')');
			return;
		}
		CG.message('');
		last = r.body.waybills;
		render();
	});
	CG.onLanguage(render);
});
