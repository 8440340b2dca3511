/* SPDX-License-Identifier: MIT */
/*
 * Upload page: the merchant's files go to POST /api/v1/uploads as they are
 * (the browser streams them; nothing is read into the page), the counts are
 * shown while the service works, then the findings at their CSV line and
 * column, the changes, the documents; the valid ones are signed with the
 * enterprise's custodial key and submitted on request.
 */
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
	let current = null;
	M.start(() => { if (current) show(current); loadList(); });
	await CG.session(['merchant', 'enterprise']);
	const progress = document.getElementById('progress');

	function field(xpath) {
		return (xpath || '').split('/').pop().replace(/^ceb:/, '');
	}

	function show(u) {
		current = u;
		const en = M.lang() === 'en';
		document.getElementById('result').hidden = false;
		document.getElementById('result-title').textContent = u.name;
		document.getElementById('summary').replaceChildren(
			CG.el('dt', { text: M.t('state') }), CG.el('dd', { id: 'upload-state', text: M.t(u.state) }),
			CG.el('dt', { text: M.t('records') }), CG.el('dd', { id: 'upload-records', text: u.records }),
			CG.el('dt', { text: M.t('valid') }), CG.el('dd', { id: 'upload-valid', text: u.valid }),
			CG.el('dt', { text: M.t('invalid') }), CG.el('dd', { id: 'upload-invalid', text: u.invalid }),
			CG.el('dt', { text: M.t('sha256') }), CG.el('dd', { text: u.sha256 }));
		document.getElementById('findings-csv').href = '/api/v1/uploads/' + u.id + '/findings.csv';
		const rows = u.findings.map((f) => CG.el('tr', { 'data-line': f.line },
			CG.el('td', { text: f.line || '' }), CG.el('td', { text: f.column || '' }), CG.el('td', { text: f.code }),
			CG.el('td', { text: field(f.xpath) }), CG.el('td', { text: en ? f.message_en : f.message_zh })));
		document.querySelector('#findings tbody').replaceChildren(...(rows.length ? rows
			: [CG.el('tr', {}, CG.el('td', { colspan: 5, text: M.t('noFindings') }))]));
		document.querySelector('#changes tbody').replaceChildren(...u.changes.map((c) => CG.el('tr', {},
			CG.el('td', { text: c.line }), CG.el('td', { text: field(c.field) }), CG.el('td', { text: c.before }),
			CG.el('td', { text: c.after }), CG.el('td', { text: c.why }))));
		document.querySelector('#documents tbody').replaceChildren(...u.documents.map((d) => CG.el('tr', { 'data-seq': d.seq },
			CG.el('td', {}, CG.el('a', { href: '/api/v1/uploads/' + u.id + '/documents/' + d.seq, text: d.seq })),
			CG.el('td', { text: d.name }),
			CG.el('td', { class: 'result', text: d.result ? M.t(d.result.status) + (d.result.documents && d.result.documents[0]
				? ' (' + d.result.documents[0].returnStatus + ')' : '') : M.t('notYet') }))));
		document.getElementById('submit').disabled = !u.documents.some((d) => !d.result);
	}

	async function loadList() {
		const r = await CG.api('GET', '/api/v1/uploads');
		if (r.status !== 200) return r;
		const sel = document.getElementById('profile');
		const chosen = sel.value;
		sel.replaceChildren(CG.el('option', { value: '', text: M.t('none') }),
			...r.body.profiles.map((p) => CG.el('option', { value: p, text: p })));
		sel.value = chosen;
		document.querySelector('#uploads tbody').replaceChildren(...r.body.uploads.map((u) => CG.el('tr', {},
			CG.el('td', { text: u.name }), CG.el('td', { text: M.t(u.state) }), CG.el('td', { text: u.records }),
			CG.el('td', { text: u.valid }), CG.el('td', { text: u.invalid }), CG.el('td', { text: u.submitted }),
			CG.el('td', { text: u.by }),
			CG.el('td', {}, CG.el('button', { type: 'button', text: M.t('open'), onclick: () => open(u.id) })))));
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
			if (u && !done.value) progress.textContent = M.t('reading') + ' ' + name + ': ' + M.t('readSoFar', { r: u.records, v: u.valid, i: u.invalid });
			await new Promise((res) => setTimeout(res, 1000));
		}
	}

	async function send(file) {
		const profile = document.getElementById('profile').value;
		const done = { value: false };
		progress.textContent = M.t('reading') + ' ' + file.name;
		watch(file.name, done);
		const r = await M.send('POST', '/api/v1/uploads?name=' + encodeURIComponent(file.name) +
			(profile ? '&profile=' + encodeURIComponent(profile) : ''), file);
		done.value = true;
		let body = null;
		try { body = await r.json(); } catch (e) { body = null; }
		if ((r.status === 201 || r.status === 422) && body) {
			progress.textContent = M.t('uploaded') + ': ' + file.name;
			CG.message('');
			show(body);
		} else {
			progress.textContent = '';
			CG.message(r.status === 413 ? M.t('tooBig') : r.status === 429 ? M.t('tooMany') : M.t('error') + ' (' + r.status + ')');
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
		CG.message(M.t('submitting'), 'info');
		const r = await CG.api('POST', '/api/v1/uploads/' + current.id + '/submit');
		if (r.status === 200) CG.message(M.t('submittedN', { n: r.body.submitted, a: r.body.accepted }), 'info');
		else CG.message(r.status === 409 ? M.t('noKey') : M.t('error') + ' (' + r.status + ')');
		await open(current.id);
		await loadList();
	});
	document.getElementById('profile-form').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const name = document.getElementById('profile-name').value.trim();
		const r = await M.send('POST', '/api/v1/profiles/' + encodeURIComponent(name), document.getElementById('profile-text').value);
		let body = null;
		try { body = await r.json(); } catch (e) { body = null; }
		if (r.status === 201) {
			CG.message(M.t('saved') + ': ' + name, 'info');
			await loadList();
			document.getElementById('profile').value = name;
		} else {
			CG.message(M.t('error') + ' (' + r.status + ')' + (body && body.error ? ': ' + body.error : ''));
		}
	});
	await loadList();
});
