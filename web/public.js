/* SPDX-License-Identifier: MIT */
/* 双随机、一公开: the public results of random inspections, readable without login. */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	CG.chrome();
	let results = null;

	function render() {
		if (!results) return;
		const body = document.querySelector('#results tbody');
		body.replaceChildren(...results.map((r) => CG.el('tr', {},
			CG.el('td', { text: r.period }), CG.el('td', { text: r.enterprise }), CG.el('td', { text: r.name }),
			CG.el('td', { class: 'n-selected', text: r.selected }), CG.el('td', { class: 'n-inspected', text: r.inspected }),
			CG.el('td', { class: 'n-inorder', text: r.inOrder }), CG.el('td', { class: 'n-irregular', text: r.irregular }))));
		if (!results.length) body.append(CG.el('tr', {}, CG.el('td', { colspan: 7, text: CG.t('noResults') })));
		const keys = ['inOrder', 'irregular'];
		Charts.bars(document.getElementById('c-public'), results.map((r) => r.period + ' ' + r.enterprise),
			[...keys.map((k) => ({ values: results.map((r) => r[k]) })),
				{ values: results.map((r) => r.selected - r.inOrder - r.irregular) }], CG.t('noResults'));
		Charts.legend(document.getElementById('l-public'), [CG.t('inOrder'), CG.t('irregular'), CG.t('pending')]);
	}

	const r = await CG.api('GET', '/api/v1/public/inspections');
	if (r.status !== 200) {
		CG.message(CG.t('error') + ' (' + r.status + ')');
		return;
	}
	results = r.body.results;
	render();
	document.body.dataset.loaded = String(Date.now());
	CG.onLanguage(render);
});
