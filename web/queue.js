/* SPDX-License-Identifier: MIT */
/*
 * The review queue: filters, counts per reason (a click filters on it), each
 * item's enterprise, declared value, trade mode, reasons and waiting time,
 * sortable (highest priority and oldest first by default), auto-refresh,
 * claim; j/k, Enter and c work it from the keyboard.
 */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	CG.chrome();
	await CG.session(['officer', 'admin']);
	const params = new URLSearchParams(location.search);
	const fields = { state: 'f-state', enterprise: 'f-enterprise', reason: 'f-reason', minAge: 'f-age', tradeMode: 'f-trade' };
	for (const [k, id] of Object.entries(fields)) if (params.get(k)) document.getElementById(id).value = params.get(k);
	let last = null, sort = null, selected = -1;

	function query() {
		const q = new URLSearchParams();
		for (const [k, id] of Object.entries(fields)) {
			const v = document.getElementById(id).value.trim();
			if (v) q.set(k, v);
		}
		return q.toString();
	}

	/* The counts per reason are buttons: pressed, the list shows only that reason. */
	function counts(body) {
		const box = document.getElementById('counts');
		const current = document.getElementById('f-reason').value;
		box.replaceChildren(CG.el('span', { class: 'count', id: 'count-total' }, CG.t('total'), CG.el('b', { text: body.count })));
		for (const [reason, n] of Object.entries(body.byReason || {})) {
			box.append(CG.el('button', {
				type: 'button', class: 'count', 'data-reason': reason, 'aria-pressed': String(current === reason),
				onclick: () => {
					document.getElementById('f-reason').value = current === reason ? '' : reason;
					load();
				},
			}, CG.t(reason), CG.el('b', { text: n })));
		}
	}

	async function claim(id) {
		const r = await CG.api('POST', `/api/v1/review/${id}/claim`);
		if (r.status === 200) location.href = `/declaration.html?id=${id}`;
		else CG.message(CG.t('claimFailed'));
	}

	/* The value a column sorts by. */
	const keyOf = {
		id: (it) => it.id, priority: (it) => it.priority, reason: (it) => String(it.reason),
		enterprise: (it) => it.ebcName || it.ebcCode || '', value: (it) => Number(it.value) || 0,
		orderNo: (it) => it.orderNo || '', tradeMode: (it) => it.tradeMode || '', age: (it) => it.age,
		claimedBy: (it) => it.claimedBy || '',
	};

	function sorted(items) {
		if (!sort) return items;
		const k = keyOf[sort.key], dir = sort.dir === 'ascending' ? 1 : -1;
		return [...items].sort((a, b) => {
			const x = k(a), y = k(b);
			return (x < y ? -1 : x > y ? 1 : a.id - b.id) * dir;
		});
	}

	function money(it) {
		if (!it.value) return '';
		const cur = it.currency && CG.t('cur' + it.currency) !== 'cur' + it.currency ? CG.t('cur' + it.currency) : (it.currency || '');
		return it.value + ' ' + cur;
	}

	function row(it) {
		const labels = [...document.querySelectorAll('#queue thead th')].map((th) => th.textContent.trim());
		const td = (i, attrs, ...children) => CG.el('td', Object.assign({ 'data-label': labels[i] }, attrs), ...children);
		const reasons = td(2, {});
		for (const r of String(it.reason).split('；')) reasons.append(CG.el('span', { class: 'tag', text: CG.t(r) }));
		const actions = td(9, { 'data-label': '' },
			CG.el('a', { href: `/declaration.html?id=${it.id}`, class: 'open', text: CG.t('open') + ' ' + it.id }), ' ');
		if (it.state !== 'decided') actions.append(CG.el('button', { type: 'button', class: 'claim', 'data-id': it.id, text: CG.t('claim'), onclick: () => claim(it.id) }));
		const tm = CG.t('tm' + it.tradeMode);
		return CG.el('tr', { 'data-id': it.id },
			td(0, { text: it.id }), td(1, { class: 'num', text: it.priority }), reasons,
			td(3, { class: 'enterprise' }, it.ebcName || '', CG.el('span', { class: 'sub', text: it.ebcCode || '' })),
			td(4, { class: 'num value', text: money(it) }),
			td(5, { text: it.orderNo || '' }),
			td(6, { class: 'trade' }, it.tradeMode || '', tm !== 'tm' + it.tradeMode ? CG.el('span', { class: 'sub', text: tm }) : null),
			td(7, { class: 'age', text: CG.duration(it.age) }),
			td(8, { text: it.claimedBy || '' }), actions);
	}

	function render() {
		if (!last) return;
		counts(last);
		for (const th of document.querySelectorAll('#queue th[data-sort]')) {
			th.setAttribute('aria-sort', sort && sort.key === th.dataset.sort ? sort.dir : 'none');
		}
		const body = document.querySelector('#queue tbody');
		body.replaceChildren(...sorted(last.items).map(row));
		if (last.items.length === 0) body.append(CG.el('tr', {}, CG.el('td', { colspan: 10, text: CG.t('noItems') })));
		select(Math.min(selected, last.items.length - 1), false);
	}

	/* The sort buttons in the headers: a first press sorts descending (largest, longest first), the next ascending. */
	function sortButtons() {
		for (const th of document.querySelectorAll('#queue th[data-sort]')) {
			const key = th.dataset.sort;
			const label = th.dataset.i18n;
			th.removeAttribute('data-i18n');
			th.replaceChildren(CG.el('button', {
				type: 'button', class: 'sort', 'data-i18n': label, text: CG.t(label), title: CG.t('sortBy'),
				onclick: () => {
					sort = { key, dir: sort && sort.key === key && sort.dir === 'descending' ? 'ascending' : 'descending' };
					render();
				},
			}));
		}
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

	/* The row under the keyboard's cursor: marked, and its link focused. */
	function select(i, focus) {
		const rows = [...document.querySelectorAll('#queue tbody tr[data-id]')];
		for (const r of rows) r.classList.remove('selected');
		selected = rows.length ? Math.max(-1, Math.min(i, rows.length - 1)) : -1;
		if (selected < 0) return;
		rows[selected].classList.add('selected');
		if (focus) rows[selected].querySelector('a.open').focus();
	}

	document.addEventListener('keydown', (ev) => {
		if (CG.typing(ev)) return;
		const rows = [...document.querySelectorAll('#queue tbody tr[data-id]')];
		if (ev.key === 'j' || ev.key === 'k') {
			select(selected < 0 ? 0 : selected + (ev.key === 'j' ? 1 : -1), true);
		} else if (ev.key === 'c' && rows[Math.max(0, selected)]) {
			claim(rows[Math.max(0, selected)].dataset.id);
		} else if (ev.key === '?') {
			document.getElementById('keys-hint').scrollIntoView();
		} else {
			return;
		}
		ev.preventDefault();
	});
	document.getElementById('filters').addEventListener('submit', (ev) => {
		ev.preventDefault();
		load();
	});
	sortButtons();
	CG.onLanguage(render);
	setInterval(() => {
		if (document.getElementById('auto').checked) load();
	}, 15000);
	load();
});
