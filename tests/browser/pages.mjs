// SPDX-License-Identifier: MIT
// Every page of cebgated in a real browser, against the cebgated started by
// tests/e2e/web_pages.sh with 22 held inventories: Debian's chromium driven by
// playwright-core, axe-core for accessibility. Prints TAP.
// Environment: CG_URL, CG_ID1 (the held inventory of the first sample set), CG_EXID
// (the held export inventory),
// CG_DEPS (node_modules of playwright-core and axe-core), CG_CHROMIUM, CG_SHOTS
// (the folder the screenshots go to).
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const require = createRequire(process.env.CG_DEPS + '/');
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const URL = process.env.CG_URL;
const ID1 = Number(process.env.CG_ID1);
const EXID = Number(process.env.CG_EXID);
const SHOTS = process.env.CG_SHOTS;
const PLAN = 33;
let n = 0, failed = 0;

function ok(cond, what, detail) {
	n++;
	if (cond) console.log(`ok ${n} - ${what}`);
	else {
		failed++;
		console.log(`not ok ${n} - ${what}`);
		if (detail !== undefined) console.log('# ' + String(detail).split('\n').join('\n# '));
	}
}

// A page recording script errors (a CSP violation shows there). bypassCSP only
// where axe-core is injected: the other contexts keep the pages' own policy.
async function open(browser, opts) {
	const context = await browser.newContext(Object.assign({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } }, opts || {}));
	const page = await context.newPage();
	page.errors = [];
	page.on('console', (m) => { if (m.type() === 'error' && !/40[49]/.test(m.text())) page.errors.push(m.text()); });
	page.on('pageerror', (e) => page.errors.push(String(e)));
	return { context, page };
}

async function login(page, user, password, landing) {
	await page.goto(URL + '/');
	await page.fill('#user', user);
	await page.fill('#password', password);
	await page.click('#login-submit');
	await page.waitForURL(landing);
}

const text = async (page, sel) => ((await page.locator(sel).first().textContent()) || '').trim();
const api = (page, path) => page.evaluate(async (p) => (await fetch(p)).json(), path);

console.log(`1..${PLAN}`);
const browser = await chromium.launch({
	executablePath: process.env.CG_CHROMIUM || '/usr/bin/chromium',
	args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
	let fonts = '';
	try { fonts = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }); } catch (e) { fonts = ''; }
	ok(fonts.trim() !== '', 'a Chinese font is installed (scripts/install-deps: fonts-wqy-zenhei)');

	// ---- the queue ---------------------------------------------------------------
	const { page } = await open(browser);
	await login(page, 'olga', 'officerpass1', '**/queue.html**');
	await page.waitForSelector('#queue tbody tr[data-id]');
	ok((await page.locator('#queue tbody tr[data-id]').count()) === 23, 'the queue lists the 22 held inventories and the export one');

	// ---- the held export inventory: its own fields, released with the mouse ------
	const xrow = page.locator(`#queue tbody tr[data-id="${EXID}"]`);
	const xfacts = await text(xrow, 'td.trade');
	ok(await xrow.getAttribute('data-export') === '1' && /^9610零售出口/.test(xfacts) && /统计方式 B 简化申报/.test(xfacts) &&
		/运抵国 303/.test(xfacts) && /出口口岸 2901/.test(xfacts) && /毛重（千克） 1\.35/.test(xfacts),
	'the export inventory\'s row shows its trade mode, statistics flag, destination, port of exit and gross weight', xfacts);
	await page.goto(`${URL}/declaration.html?id=${EXID}`);
	await page.waitForSelector('body[data-loaded] #export-facts dd[data-field="statisticsFlag"]');
	const xhead = await page.$$eval('#export-facts dd', (ds) => Object.fromEntries(ds.map((d) => [d.dataset.field, d.textContent])));
	await page.click('#claim');
	await page.waitForSelector('#decide:not([hidden])');
	const offered = await page.$$eval('#decision label:not([hidden]) input', (is) => is.map((i) => i.value));
	ok(xhead.tradeMode === '9610' && xhead.country === '303' && xhead.portCode === '2901' && offered.join(',') === 'release,return',
		'its page shows the export head and offers release and return only', JSON.stringify(xhead) + ' ' + offered.join(','));
	await page.check('#decision input[value="release"]');
	await page.fill('#reason', '单证相符，准予出口');
	await page.click('#decide-submit');
	await page.waitForURL((u) => Number(u.searchParams.get('id')) !== EXID);
	const xdone = await api(page, `/api/v1/declarations/${EXID}`);
	ok(xdone.state === 'concluded' && xdone.receipts.some((r) => r.returnStatus === '399'),
		'released by the officer, the export inventory is concluded (399)', JSON.stringify([xdone.state, xdone.receipts.map((r) => r.returnStatus)]));
	await page.goto(URL + '/queue.html');
	await page.waitForSelector('#queue tbody tr[data-id]');
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('DOM.enable');
	await cdp.send('CSS.enable');
	const { root } = await cdp.send('DOM.getDocument');
	const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'header nav a' });
	const used = (await cdp.send('CSS.getPlatformFontsForNode', { nodeId })).fonts.map((f) => f.familyName);
	ok(used.some((f) => /WenQuanYi|Noto Sans CJK|Source Han|Droid Sans Fallback|AR PL/.test(f)),
		'the Chinese labels are drawn with a CJK font, not empty boxes', used.join(', '));

	const row1 = page.locator(`#queue tbody tr[data-id="${ID1}"]`);
	const cells = {
		enterprise: await text(row1, 'td.enterprise'), value: await text(row1, 'td.value'),
		trade: await text(row1, 'td.trade'), age: await text(row1, 'td.age'), reason: await text(row1, 'td .tag'),
	};
	ok(cells.enterprise.startsWith('示例海外直营贸易') && cells.enterprise.endsWith('4403960XB2') && /^\d+\.\d{2} 人民币$/.test(cells.value) &&
		/^1210./.test(cells.trade) && /\d+ (秒|分钟)/.test(cells.age) && cells.reason === '双随机抽中',
	'each row shows the enterprise by name, the declared value, the trade mode, the reason held and the waiting time',
	JSON.stringify(cells));

	await page.click('#queue th[data-sort="value"] button');
	const values = async () => (await page.locator('#queue td.value').allTextContents()).map((v) => parseFloat(v));
	let v = await values();
	ok(await page.getAttribute('#queue th[data-sort="value"]', 'aria-sort') === 'descending' &&
		v.every((x, i) => i === 0 || v[i - 1] >= x), 'a header sorts the queue by its column, largest first', v.join(' '));
	await page.click('#queue th[data-sort="value"] button');
	v = await values();
	ok(v.every((x, i) => i === 0 || v[i - 1] <= x), 'pressed again, smallest first', v.join(' '));

	await page.click('#counts button[data-reason="random"]');
	await page.waitForURL('**reason=random**');
	await page.waitForSelector('#counts button[data-reason="random"][aria-pressed="true"]');
	ok((await page.locator('#queue tbody tr[data-id]').count()) === Number(await text(page, '#counts button[data-reason="random"] b')),
		'a count per reason, clicked, filters the list on that reason');
	await page.click('#counts button[data-reason="random"]');
	await page.waitForSelector('#counts button[data-reason="random"][aria-pressed="false"]');

	// ---- one declaration: what the officer reads ------------------------------
	await page.goto(`${URL}/declaration.html?id=${ID1}`);
	await page.waitForSelector('body[data-loaded] #lines tbody tr[data-gnum]');
	const line = page.locator('#lines tbody tr[data-gnum="1"]');
	const goods = {
		hs: await text(line, 'td.hs'), name: await text(line, 'td.tariff-name'), origin: await text(line, 'td.origin'),
		legal: await text(line, 'td.legal'), supervision: await text(line, 'td.supervision'), inspection: await text(line, 'td.inspection'),
	};
	ok(goods.hs === '1901101010' && goods.name === '乳基特殊医学用途婴幼儿配方食品' && goods.origin === '601 澳大利亚' &&
		goods.legal === '1.8 千克' && goods.supervision === '7AB' && goods.inspection === 'RS',
	'the goods line shows its HS code, its name in the tariff, the country of origin, the legal quantity and unit, the supervision conditions',
	JSON.stringify(goods));
	await page.waitForSelector('#receipts td.meaning[data-explained]');
	const receipts = await page.$$eval('#receipts tbody tr', (rs) => rs.map((r) => [r.dataset.status, r.querySelector('td.meaning').textContent]));
	const meant = await api(page, '/api/v1/explain/' + receipts[0][0]);
	ok(receipts.length > 0 && receipts.every(([c, m]) => m && m !== '—') && receipts[0][1] === meant.zh,
		'the receipts are shown with their meaning from the catalogue', JSON.stringify(receipts));
	ok(await page.locator('#decide').isHidden(), 'before a claim, no decision can be made');

	// ---- the keyboard alone: claim, decide, next ------------------------------
	await page.goto(URL + '/queue.html');
	await page.waitForSelector('#queue tbody tr[data-id]');
	await page.keyboard.press('j');
	await page.keyboard.press('j');
	await page.keyboard.press('k');
	const first = await page.getAttribute('#queue tbody tr.selected', 'data-id');
	ok(first === await page.getAttribute('#queue tbody tr[data-id]', 'data-id') &&
		await page.evaluate(() => document.activeElement.classList.contains('open')),
	'j and k move through the queue, the row\'s link focused');
	await page.keyboard.press('c');
	await page.waitForURL(`**/declaration.html?id=${first}`);
	await page.waitForSelector('#decide:not([hidden])');
	ok((await page.locator('#decision input:checked').count()) === 0, 'c claims and opens the item: no decision is chosen for the officer');
	await page.keyboard.press('Escape');
	await page.keyboard.press('Tab');
	await page.locator('#reason').focus();
	await page.keyboard.type('没有选择决定');
	await page.keyboard.press('Control+Enter');
	await page.waitForSelector('#message.error');
	const still = await api(page, `/api/v1/declarations/${first}`);
	ok((await text(page, '#message')) === '请选择决定' && still.state === 'held',
		'submitting without a decision is refused in the page and nothing is sent');
	await page.locator('#reason').fill('');
	await page.keyboard.press('Escape');

	const decided = [];
	let returned = null;
	for (let i = 0; i < 20; i++) {
		const id = Number(new globalThis.URL(page.url()).searchParams.get('id'));
		if (i > 0) {
			await page.waitForSelector('body[data-loaded] #claim:not([hidden])');
			await page.keyboard.press('c');
			await page.waitForSelector('#decide:not([hidden])');
		}
		await page.keyboard.press(i === 0 ? '3' : '1');
		await page.keyboard.type(i === 0 ? '申报品名与订单不符，请更正后重新申报' : '单证相符');
		await page.keyboard.press('Control+Enter');
		await page.waitForURL((u) => Number(u.searchParams.get('id')) !== id);
		decided.push(id);
		if (i === 0) returned = id;
	}
	const done = await api(page, '/api/v1/review?state=decided');
	const back = done.items.filter((it) => it.id === returned);
	ok(done.count === 21 && new Set(decided).size === 20 && done.items.every((it) => it.id === EXID || decided.includes(it.id)),
		'20 held items decided with the keyboard only, each decision opening the next queued item', decided.join(' '));
	const ret = await api(page, `/api/v1/declarations/${returned}`);
	ok(back.length === 1 && ret.state === 'returned' && ret.review.decisionReason.startsWith('申报品名'),
		'3 returned the first with its reason, 1 released the others', JSON.stringify(ret.review));
	await page.waitForSelector('#message.info');
	ok(/已放行 — 800/.test(await text(page, '#message')), 'the next item\'s page says what became of the last one', await text(page, '#message'));
	ok(page.errors.length === 0, 'no script error or Content-Security-Policy violation on the officer pages', page.errors.join('\n'));
	const remaining = Number(new globalThis.URL(page.url()).searchParams.get('id'));

	// ---- the merchant sees the return and its reason --------------------------
	const m = await open(browser);
	await login(m.page, 'mia', 'merchantpass1', '**/upload.html');
	await m.page.goto(URL + '/status.html');
	await m.page.waitForSelector('body[data-loaded]');
	await m.page.check('#action');
	await m.page.waitForFunction(() => document.querySelectorAll('#declarations tbody tr[data-key]').length === 1);
	const orderNo = ret.inventory.h.orderNo;
	const out = m.page.locator(`#declarations tbody tr[data-key="${orderNo}"] td.outcome`);
	const outText = await text(m.page, `#declarations tbody tr[data-key="${orderNo}"] td.outcome`);
	ok(await out.getAttribute('data-state') === 'returned' && outText.includes('退单') &&
		outText.includes('申报品名与订单不符') && /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(outText),
	'the merchant, filtering on what needs action, sees the returned inventory with its reason and time', outText);
	await m.page.uncheck('#action');
	await m.page.waitForFunction(() => document.querySelectorAll('#declarations tbody tr[data-key]').length > 1);
	const released = await m.page.$$eval('#declarations tbody td.outcome[data-state="released"]', (t) => t.length);
	ok(released === 19, 'and, unfiltered, the released ones', released);
	const bills = await m.page.$$eval('#declarations tbody td.outcome .taxbill', (t) => t.map((x) => x.textContent));
	ok(bills.length > 0 && bills.every((b) => /^电子税单 \S+ · 已生成 · 关税 [0-9.]+ 增值税 [0-9.]+ 消费税 [0-9.]+$/.test(b)),
		'released inventories show their electronic tax bill: number, state and taxes', bills.slice(0, 2));
	await m.context.close();

	// ---- an export broker's merchant: only the refused inventory needs action --
	// Its inventories are in every export state (web_pages.sh): a returned one has its goods back.
	const xm = await open(browser);
	await login(xm.page, 'xena', 'merchantpass1', '**/upload.html');
	await xm.page.goto(URL + '/status.html');
	await xm.page.waitForSelector('body[data-loaded]');
	const xrows = await xm.page.$$eval('#declarations tbody tr[data-kind="603"]', (rs) => rs.map((r) =>
		[r.dataset.key, r.querySelector('td.state').dataset.state, !!r.querySelector('td.outcome .tag.action')]));
	const tagged = xrows.filter((r) => r[2]).map((r) => r[1]);
	ok(xrows.length === 10 && tagged.join() === 'rejected',
		'of its export inventories in every state, only the refused one is marked as needing action', JSON.stringify(xrows));
	await xm.page.check('#action');
	await xm.page.waitForFunction(() => document.querySelectorAll('#declarations tbody tr[data-key]').length === 1);
	const only = await xm.page.$$eval('#declarations tbody tr[data-key]', (rs) => rs.map((r) => r.dataset.key));
	ok(only.join() === 'EIX-rejected', 'and filtering on what needs action lists it alone', only.join());
	await xm.context.close();

	// ---- logistics: waybill numbers from a file ------------------------------
	const lg = await open(browser);
	await login(lg.page, 'leo', 'logisticspass1', '**/logistics.html');
	await lg.page.setInputFiles('#waybill-file', { name: 'waybills.txt', mimeType: 'text/plain',
		buffer: Buffer.from(`4403980XD4 ${ret.inventory.h.logisticsNo}\r\nEX2024111100099999\r\n`) });
	await lg.page.waitForSelector('#states tbody tr');
	const states = await lg.page.$$eval('#states td.state', (t) => t.map((x) => x.dataset.state));
	const navl = await lg.page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href')));
	ok(states.join(',') === 'returned,unknown' && !navl.includes('/queue.html'),
		'logistics staff look up the waybills of a file, without the officers\' navigation', states.join(',') + ' ' + navl.join(','));
	await lg.context.close();

	// ---- every page: 390 px, screenshots, accessibility ------------------------
	const pages = [
		['login', null, '/'], ['public', null, '/public.html'],
		['queue', 'olga', '/queue.html'], ['declaration', 'olga', `/declaration.html?id=${remaining}`],
		['dashboard', 'olga', '/dashboard.html'], ['summaries', 'olga', '/summaries.html'], ['logistics', 'leo', '/logistics.html'],
		['upload', 'mia', '/upload.html'], ['status', 'mia', '/status.html'],
	];
	const passwords = { olga: 'officerpass1', leo: 'logisticspass1', mia: 'merchantpass1' };
	const contexts = {};
	const wide = [], serious = [], shots = [], junk = [];
	let publicNav = null;
	for (const [name, user, path] of pages) {
		const key = user || 'anonymous';
		if (!contexts[key]) {
			contexts[key] = await open(browser, { bypassCSP: true });
			if (user) await login(contexts[key].page, user, passwords[user], /\.html/);
		}
		const p = contexts[key].page;
		for (const lang of ['zh', 'en']) {
			await p.goto(URL + '/');
			await p.evaluate((l) => localStorage.setItem('cg-lang', l), lang);
			for (const width of [1280, 390]) {
				await p.setViewportSize({ width, height: width > 400 ? 800 : 844 });
				await p.goto(URL + path);
				await p.waitForLoadState('networkidle');
				// The page's width, and the first elements that stick out (the diagnosis of a failure).
				const sw = await p.evaluate(() => {
					const w = document.documentElement.clientWidth;
					const out = [...document.querySelectorAll('body *')].filter((e) => !(e.parentElement && e.parentElement.closest('.scroll, nav')) && e.getBoundingClientRect().right > w + 1)
						.slice(0, 3).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
					return [document.documentElement.scrollWidth, w, out.join(' ')];
				});
				if (sw[0] > sw[1]) wide.push(`${name} ${lang} ${width}: ${sw[0]} > ${sw[1]} (${sw[2]})`);
				const shown = await p.evaluate(() => document.body.innerText);
				if (/\bnull\b|undefined|NaN|\[object /.test(shown)) junk.push(`${name} ${lang} ${width}`);
				const file = `${SHOTS}/${name}-${lang}-${width === 390 ? 'phone' : 'desktop'}.png`;
				await p.screenshot({ path: file, fullPage: true });
				shots.push(file);
				if ((lang === 'zh') === (width === 1280)) {
					await p.addScriptTag({ content: AXE });
					const v = await p.evaluate(async () => (await globalThis.axe.run(document, { resultTypes: ['violations'] }))
						.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')
						.map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((nd) => nd.target.join(' ')).join(', ')}`));
					for (const x of v) serious.push(`${name} ${lang} ${width}: ${x}`);
				}
				if (name === 'public' && publicNav === null) publicNav = await p.$$eval('header a', (as) => as.map((a) => a.getAttribute('href')));
			}
		}
	}
	ok(wide.length === 0, 'every page, in both languages, is 390 px wide at 390 px: no horizontal page scroll', wide.join('\n'));
	ok(junk.length === 0, 'no page shows null, undefined or NaN for a missing value', junk.join('\n'));
	ok(serious.length === 0, 'axe-core finds no serious or critical accessibility violation on any page', serious.join('\n'));
	ok(shots.length === 36, `screenshots of the 9 pages, desktop and phone, Chinese and English, in ${SHOTS}`);
	ok(publicNav && !publicNav.some((h) => ['/queue.html', '/dashboard.html', '/logistics.html'].includes(h)),
		'the public results page shows none of the officers\' navigation', publicNav && publicNav.join(','));
	// Focus is visible: the outline of a focused link is drawn.
	const q = contexts.olga.page;
	await q.setViewportSize({ width: 1280, height: 800 });
	await q.goto(URL + '/queue.html');
	await q.waitForSelector('#queue tbody tr[data-id]');
	await q.keyboard.press('Tab');
	await q.keyboard.press('Tab');
	const outline = await q.evaluate(() => getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).outlineWidth);
	ok(/solid 3px/.test(outline), 'the keyboard focus is visible (a 3 px outline)', outline);
	const bad = Object.values(contexts).flatMap((c) => c.page.errors);
	ok(bad.length === 0, 'no script error on any page', bad.join('\n'));
	for (const c of Object.values(contexts)) await c.context.close();
} catch (e) {
	ok(false, 'the browser session ran to its end', e && e.stack);
} finally {
	await browser.close();
}
while (n < PLAN) ok(false, 'not reached');
process.exit(failed ? 1 : 0);
