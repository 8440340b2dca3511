/* SPDX-License-Identifier: MIT */
/* The login page: the same accounts as the API; the session becomes an HttpOnly cookie. */
'use strict';

document.addEventListener('DOMContentLoaded', () => {
	CG.chrome();
	document.getElementById('login').addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const r = await CG.login(document.getElementById('user').value, document.getElementById('password').value);
		if (r.status !== 200) {
			CG.message(CG.t(r.status === 429 ? 'tooMany' : 'loginFailed'));
			return;
		}
		const next = new URLSearchParams(location.search).get('next');
		/* Only a path of this site: never an absolute URL from the query. */
		if (next && /^\/[A-Za-z0-9._\-]*(\?[A-Za-z0-9=&._\-]*)?$/.test(next)) location.href = next;
		else location.href = r.body.role === 'logistics' ? '/logistics.html'
			: r.body.role === 'officer' || r.body.role === 'admin' ? '/queue.html'
				: r.body.role === 'merchant' ? '/upload.html' : '/public.html';
	});
});
