/* SPDX-License-Identifier: MIT */
/* The dashboard: the series of GET /api/v1/dashboard drawn as charts. */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	CG.chrome();
	await CG.session(['officer', 'admin']);
	const outcomes = ['released', 'held', 'inspection', 'returned', 'detained'];
	let data = null;

	function hourLabel(moment) {
		const d = new Date(CG.secs(moment) * 1000);
		return String(d.getHours()).padStart(2, '0') + ':00';
	}

	function render() {
		if (!data) return;
		const none = CG.t('noResults');
		Charts.bars(document.getElementById('c-hourly'), data.perHour.map((h) => hourLabel(h.hour)),
			outcomes.map((o) => ({ name: CG.t(o), values: data.perHour.map((h) => h[o]) })), none);
		Charts.legend(document.getElementById('l-hourly'), outcomes.map(CG.t));
		Charts.lines(document.getElementById('c-queue'), data.queue.map((q) => hourLabel(q.at)), [
			{ name: CG.t('depth'), values: data.queue.map((q) => q.depth) },
			{ name: CG.t('oldest'), values: data.queue.map((q) => Math.round(q.oldest / 60)) }], none);
		Charts.legend(document.getElementById('l-queue'), [CG.t('depth'), CG.t('oldest')], 2);
		const rt = data.reviewTime;
		Charts.bars(document.getElementById('c-review'), rt.buckets.map((b) => b.label),
			[{ name: CG.t('decided'), values: rt.buckets.map((b) => b.count) }], none);
		document.getElementById('median').textContent = CG.t('decided') + ' ' + rt.decided + ', ' + CG.t('median') + ' ' + CG.duration(rt.medianSeconds);
		Charts.hbars(document.getElementById('c-holds'), data.holdReasons.map((r) => CG.t(r.reason)), data.holdReasons.map((r) => r.count), null, none);
		Charts.hbars(document.getElementById('c-rejects'), data.rejectionReasons.map((r) => CG.t(r.reason)), data.rejectionReasons.map((r) => r.count), null, none);
		Charts.hbars(document.getElementById('c-match'), data.matchFailures.map((m) => m.enterprise), data.matchFailures.map((m) => m.rate),
			(v) => Math.round(v * 100) + '%', none);
		document.querySelector('#match tbody').replaceChildren(...data.matchFailures.map((m) => CG.el('tr', {},
			CG.el('td', { text: m.enterprise }), CG.el('td', { text: m.name }), CG.el('td', { text: m.inventories }),
			CG.el('td', { text: m.failed }), CG.el('td', { text: Math.round(m.rate * 100) + '%' }))));
	}

	async function load() {
		const r = await CG.api('GET', '/api/v1/dashboard?hours=' + document.getElementById('hours').value);
		if (r.status !== 200) {
			CG.message(CG.t('error') + ' (' + r.status + ')');
			return;
		}
		data = r.body;
		render();
		document.body.dataset.loaded = String(Date.now());
	}

	document.getElementById('hours').addEventListener('change', load);
	CG.onLanguage(render);
	setInterval(() => { if (document.getElementById('auto').checked) load(); }, 30000);
	load();
});
