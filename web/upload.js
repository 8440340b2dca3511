/* SPDX-License-Identifier: MIT */
/*
 * Upload page: the merchant's files go to POST /api/v1/uploads as they are
 * (the browser streams them; nothing is read into the page) with the kind of
 * document their rows make (an import or export order, waybill...), the counts are
 * shown while the service works, then the findings at their CSV line and
 * column, the changes, the documents; the valid ones are signed with the
 * enterprise's custodial key and submitted on request.
 */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	let current = null;
	CG.chrome();
	CG.onLanguage(() => { if (current) show(current); loadList(); });
	await CG.session(['merchant', 'enterprise']);
	const progress = document.getElementById('progress');

	function field(xpath) {
		return (xpath || '').split('/').pop().replace(/^ceb:/, '');
	}

	function show(u) {
		current = u;
		const en = CG.lang() === 'en';
		document.getElementById('result').hidden = false;
		document.getElementById('result-title').textContent = u.name;
		document.getElementById('summary').replaceChildren(
			CG.el('dt', { text: CG.t('state') }), CG.el('dd', { id: 'upload-state', text: CG.t(u.state) }),
			CG.el('dt', { text: CG.t('records') }), CG.el('dd', { id: 'upload-records', text: u.records }),
			CG.el('dt', { text: CG.t('valid') }), CG.el('dd', { id: 'upload-valid', text: u.valid }),
			CG.el('dt', { text: CG.t('invalid') }), CG.el('dd', { id: 'upload-invalid', text: u.invalid }),
			CG.el('dt', { text: CG.t('sha256') }), CG.el('dd', { text: u.sha256 }));
		document.getElementById('findings-csv').href = '/api/v1/uploads/' + u.id + '/findings.csv';
		const rows = u.findings.map((f) => CG.el('tr', { 'data-line': f.line },
			CG.el('td', { text: f.line || '' }), CG.el('td', { text: f.column || '' }), CG.el('td', { text: f.code }),
			CG.el('td', { text: field(f.xpath) }), CG.el('td', { text: en ? f.message_en : f.message_zh })));
		document.querySelector('#findings tbody').replaceChildren(...(rows.length ? rows
			: [CG.el('tr', {}, CG.el('td', { colspan: 5, text: CG.t('noFindings') }))]));
		document.querySelector('#changes tbody').replaceChildren(...u.changes.map((c) => CG.el('tr', {},
			CG.el('td', { text: c.line }), CG.el('td', { text: field(c.field) }), CG.el('td', { text: c.before }),
			CG.el('td', { text: c.after }), CG.el('td', { text: c.why }))));
		document.querySelector('#documents tbody').replaceChildren(...u.documents.map((d) => CG.el('tr', { 'data-seq': d.seq },
			CG.el('td', {}, CG.el('a', { href: '/api/v1/uploads/' + u.id + '/documents/' + d.seq, text: d.seq })),
			CG.el('td', { text: d.name }),
			CG.el('td', { class: 'result', text: d.result ? CG.t(d.result.status) + (d.result.documents && d.result.documents[0]
				? ' (' + d.result.documents[0].returnStatus + ')' : '') : CG.t('notYet') }))));
		document.getElementById('submit').disabled = !u.documents.some((d) => !d.result);
	}

	async function loadList() {
		const r = await CG.api('GET', '/api/v1/uploads');
		if (r.status !== 200) return r;
		const sel = document.getElementById('profile');
		const chosen = sel.value;
		sel.replaceChildren(CG.el('option', { value: '', text: CG.t('none') }),
			...r.body.profiles.map((p) => CG.el('option', { value: p, text: p })));
		sel.value = chosen;
		document.querySelector('#uploads tbody').replaceChildren(...r.body.uploads.map((u) => CG.el('tr', {},
			CG.el('td', { text: u.name }), CG.el('td', { text: CG.t(u.state) }), CG.el('td', { text: u.records }),
			CG.el('td', { text: u.valid }), CG.el('td', { text: u.invalid }), CG.el('td', { text: u.submitted }),
			CG.el('td', { text: u.by }),
			CG.el('td', {}, CG.el('button', { type: 'button', text: CG.t('open'), onclick: () => open(u.id) })))));
		return r;
	}

	async function open(id) {
		const r = await CG.api('GET', '/api/v1/uploads/' + id);
		if (r.status === 200) show(r.body);
	}

	/* While a file is being worked on, its counts so far (from the list) every second. */
	async function watch(name, done) {
		while (!done.value) {
			const r = await loadList();
			const u = r.status === 200 ? r.body.uploads.find((x) => x.state === 'processing' && x.name === name) : null;
			if (u && !done.value) progress.textContent = CG.t('reading') + ' ' + name + ': ' + CG.t('readSoFar', { r: u.records, v: u.valid, i: u.invalid });
			await new Promise((res) => setTimeout(res, 1000));
		}
	}

	async function send(file) {
		const profile = document.getElementById('profile').value;
		const type = document.getElementById('type').value;
		const done = { value: false };
		progress.textContent = CG.t('reading') + ' ' + file.name;
		watch(file.name, done);
		const r = await CG.api('POST', '/api/v1/uploads?name=' + encodeURIComponent(file.name) +
			'&type=' + encodeURIComponent(type) + (profile ? '&profile=' + encodeURIComponent(profile) : ''), file);
		done.value = true;
		const body = r.body;
		if ((r.status === 201 || r.status === 422) && body) {
			progress.textContent = CG.t('uploaded') + ': ' + file.name;
			CG.message('');
			show(body);
		} else {
			progress.textContent = '';
			CG.message(r.status === 413 ? CG.t('tooBig') : r.status === 429 ? CG.t('tooMany') : CG.t('error') + ' (' + r.status + ')');
		}
		await loadList();
	}

	async function sendAll(files) {
		for (const f of files) await send(f);
	}

	document.getElementById('files').addEventListener('change', (ev) => sendAll([...ev.target.files]));
	const drop = document.getElementById('drop');
	drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
	drop.addEventListener('dragleave', () => drop.classList.remove('over'));
	drop.addEventListener('drop', (ev) => {
		ev.preventDefault();
		drop.classList.remove('over');
		sendAll([...ev.dataTransfer.files]);
	});
	document.getElementById('submit').addEventListener('click', async () => {
		if (!current) return;
		const button = document.getElementById('submit');
		button.disabled = true;
		CG.message(CG.t('submitting'), 'info');
		const r = await CG.api('POST', '/api/v1/uploads/' + current.id + '/submit');
		if (r.status === 200) CG.message(CG.t('submittedN', { n: r.body.submitted, a: r.body.accepted }), 'info');
		else CG.message(r.status === 409 ? CG.t('noKey') : CG.t('error') + ' (' + r.status + ')');
		await open(current.id);
		await loadList();
	});
	document.getElementById('profile-form').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const name = document.getElementById('profile-name').value.trim();
		const r = await CG.api('POST', '/api/v1/profiles/' + encodeURIComponent(name),
			document.getElementById('profile-text').value);
		const body = r.body;
		if (r.status === 201) {
			CG.message(CG.t('saved') + ': ' + name, 'info');
			await loadList();
			document.getElementById('profile').value = name;
		} else {
			CG.message(CG.t('error') + ' (' + r.status + ')' + (body && body.error ? ': ' + body.error : ''));
		}
	});
	await loadList();
});
