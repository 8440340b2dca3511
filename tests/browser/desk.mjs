// SPDX-License-Identifier: MIT
// Browser test of the officer desk, against a real cebgated started by
// tests/e2e/web_browser.sh: Debian's chromium driven by playwright-core (no
// browser download). Prints TAP. Environment: CG_URL, CG_ID1 (the held
// inventory whose buyer telephone differs from the order's), CG_DEPS (the
// directory holding node_modules/playwright-core), CG_CHROMIUM, CG_DB (the
// database, to end a lease without waiting for it).
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

const require = createRequire(process.env.CG_DEPS + '/');
const { chromium } = require('playwright-core');
const URL = process.env.CG_URL;
const ID1 = process.env.CG_ID1;
const PLAN = 31;
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

// A page that records every console error (a CSP violation shows there) and uncaught exception.
async function open(browser) {
	const context = await browser.newContext({ locale: 'zh-CN' });
	const page = await context.newPage();
	page.errors = [];
	page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
	page.on('pageerror', (e) => page.errors.push(String(e)));
	return { context, page };
}

async function login(page, user, password) {
	await page.goto(URL + '/');
	await page.fill('#user', user);
	await page.fill('#password', password);
	await page.click('#login-submit');
}

// Holds the page's session answer until the returned function is called (a click before it).
async function holdSession(page) {
	let release;
	const held = new Promise((r) => { release = r; });
	await page.route('**/api/v1/session', async (route) => { await held; await route.continue(); });
	return release;
}

async function text(page, sel) {
	return (await page.locator(sel).first().textContent()) || '';
}

console.log(`1..${PLAN}`);
const browser = await chromium.launch({
	executablePath: process.env.CG_CHROMIUM || '/usr/bin/chromium',
	args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
	const { page } = await open(browser);
	await login(page, 'olga', 'officerpass1');
	await page.waitForURL('**/queue.html**');
	await page.waitForSelector('#queue tbody tr[data-id]');
	ok((await page.locator('#queue tbody tr[data-id]').count()) === 2, 'an officer logs in and sees the queue of two held inventories');
	ok((await text(page, 'header nav a')).includes('审核队列'), 'the interface is in Chinese by default');
	ok((await page.evaluate(() => document.cookie)) === '', 'the session cookie is invisible to page scripts (HttpOnly)');

	await page.fill('#f-enterprise', 'NOSUCH0001');
	await page.click('#f-apply');
	await page.waitForSelector('#queue tbody tr:not([data-id])');
	ok((await text(page, '#count-total b')) === '0', 'filtering on another enterprise leaves nothing, counted 0');
	await page.fill('#f-enterprise', '4403960XB2');
	await page.selectOption('#f-reason', 'random');
	await page.selectOption('#f-trade', '1210');
	await page.click('#f-apply');
	await page.waitForSelector('#queue tbody tr[data-id]');
	ok((await text(page, '#count-total b')) === '2' && page.url().includes('reason=random'),
		'filtering on the enterprise, reason and trade mode shows both, with counts');
	ok((await page.locator('#queue tbody tr[data-id]').first().getAttribute('data-id')) === ID1,
		'the oldest item of the highest priority comes first');

	await page.click('#lang');
	ok((await text(page, 'header nav a')) === 'Review queue', 'the English switch translates the page');
	await page.click('#lang');

	await page.click(`#queue button.claim[data-id="${ID1}"]`);
	await page.waitForURL(`**/declaration.html?id=${ID1}`);
	await page.waitForSelector('#comparison tbody tr');
	ok(await page.locator('#lease.running').isVisible(), 'the claim opens the declaration with the lease running');
	ok(/认领至 \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(剩余 \d+:\d{2}\)$/.test(await text(page, '#lease')),
		'the lease shows its end as a local time and the time left as a countdown', await text(page, '#lease'));
	ok(await page.locator('#comparison tr.differs[data-field="buyerTelephone"]').isVisible(),
		'the buyer telephone that differs between inventory and order is highlighted');
	ok((await page.locator('#comparison tr.differs').count()) === 1 &&
		!(await page.locator('#comparison tr[data-field="orderNo"]').getAttribute('class')),
		'fields that agree are not highlighted');
	const tel = await text(page, '#comparison tr[data-field="buyerTelephone"] td[data-doc="inventory"]');
	ok(tel.includes('*') && !tel.includes('13900139000'), 'the telephone number is masked', tel);
	ok((await text(page, '#rules')).includes('双随机'), 'the rule hit is listed');
	ok((await text(page, '#tax-recomputed')) === '47.87' && (await text(page, '#tax-quotaLimit')) === '26000.00',
		'the tax computation and the buyer\'s quota are shown');

	// A second officer, in another browser, while the first holds the lease.
	const second = await open(browser);
	await login(second.page, 'oscar', 'officerpass1');
	await second.page.waitForURL('**/queue.html**');
	await second.page.selectOption('#f-state', 'claimed');
	await second.page.click('#f-apply');
	await second.page.waitForSelector(`#queue tbody tr[data-id="${ID1}"]`);
	ok((await text(second.page, `#queue tbody tr[data-id="${ID1}"]`)).includes('olga'), 'the second officer sees who holds the item');
	await second.page.click(`#queue button.claim[data-id="${ID1}"]`);
	await second.page.waitForSelector('#message.error');
	ok((await text(second.page, '#message')).includes('认领失败') && second.page.url().includes('queue.html'),
		'the second officer is refused the claimed item');
	await second.context.close();

	await page.click('#reveal');
	await page.waitForSelector('#reveal:disabled');
	await page.waitForFunction(() => document.querySelector('#comparison tr[data-field="buyerTelephone"] td[data-doc="inventory"]').textContent === '13900139000');
	ok(true, 'on request the telephone number is revealed');
	await page.waitForFunction(() => document.querySelector('#audit tr[data-action="reveal"]')?.textContent.includes('查看个人信息'));
	ok(true, 'and the reveal appears in the audit trail');

	// The lease runs out (moved into the past in the database, not waited for); the page, read again, says so.
	execFileSync('sqlite3', [process.env.CG_DB,
		`UPDATE review SET lease_until = CAST(strftime('%s', 'now') AS INTEGER) - 1 WHERE document_id = ${Number(ID1)}`]);
	await page.reload();
	await page.waitForSelector('#lease.expired');
	ok((await text(page, '#lease')).includes('认领已过期') && await page.locator('#decide').isHidden(),
		'an expired lease is shown and the decision form is withdrawn');
	ok((await text(page, '#claim')) === '续期', 'the officer is offered to renew the claim');
	await page.click('#claim');
	await page.waitForSelector('#lease.running');
	ok(await page.locator('#decide').isVisible(), 'after renewing, the decision form is back');

	await page.check('#decision input[value="release"]');
	await page.click('#decide-submit');
	await page.waitForSelector('#message.error');
	ok((await text(page, '#message')).includes('理由') && (await page.getAttribute('body', 'data-state')) === 'held',
		'a decision without a reason is not sent');
	await page.fill('#reason', '单证相符 documents in order');
	await page.click('#decide-submit');
	// The next queued item opens; the decided one shows the receipt that went out.
	await page.waitForURL((u) => u.searchParams.get('id') !== ID1);
	await page.goto(`${URL}/declaration.html?id=${ID1}`);
	await page.waitForSelector('#receipt-xml');
	const xml = await text(page, '#receipt-xml');
	ok(/returnStatus>800</.test(xml) && (await page.getAttribute('body', 'data-state')) === 'released',
		'after the decision the receipt that went out (800) is shown', xml);
	ok([...(await page.locator('#audit tbody tr').allTextContents())].some((t) => t.includes('olga') && t.includes('documents in order')),
		'the audit trail shows the decision with its reason');

	await page.goto(URL + '/dashboard.html');
	await page.waitForSelector('body[data-loaded]');
	ok((await page.locator('canvas').count()) === 6, 'the dashboard draws its six charts');
	// A form used before its page's handler is on (the session held until after the click)
	// is never posted as a page request (app.js stops every form's default submission).
	const posts = [];
	page.on('request', (r) => { if (r.method() === 'POST' && !r.url().includes('/api/')) posts.push(r.url()); });
	const releaseQueue = await holdSession(page);
	await page.goto(URL + '/queue.html', { waitUntil: 'domcontentloaded' });
	await page.fill('#f-enterprise', 'NOSUCH0001');
	await page.click('#f-apply');
	releaseQueue();
	await page.waitForSelector('body[data-loaded] #queue tbody tr');
	ok(posts.length === 0 && page.url().startsWith(URL + '/queue.html'),
		'a form submitted before its page is ready is not posted as a page request', posts.join(' ') + ' ' + page.url());
	await page.unroute('**/api/v1/session');
	ok(page.errors.length === 0, 'no script error and no Content-Security-Policy violation on the officer pages', page.errors.join('\n'));

	const pub = await open(browser);
	await pub.page.goto(URL + '/public.html');
	await pub.page.waitForSelector('body[data-loaded]');
	const row = await pub.page.locator('#results tbody tr').first().locator('td').allTextContents();
	ok(row[1] === '4403960XB2' && row[3] === '2' && row[4] === '1' && row[5] === '1' && row[6] === '0',
		'the public page, without login, shows 2 selected, 1 inspected, 1 in order, 0 irregular', row.join(' | '));
	const all = await pub.page.locator('body').textContent();
	ok(!/330106199003071236|13800138000|13900139000|李晓明|olga|SO2024|EX2024/.test(all),
		'and no personal data or document numbers');
	await pub.context.close();

	const lg = await open(browser);
	await login(lg.page, 'leo', 'logisticspass1');
	await lg.page.waitForURL('**/logistics.html');
	await lg.page.fill('#waybills', '4403980XD4 EX2024111100012345\nEX2024111100099999');
	await lg.page.click('#lookup-submit');
	await lg.page.waitForSelector('#states tbody tr');
	const states = await lg.page.locator('#states td.state').allTextContents();
	ok(states[0] === '已放行' && states[1] === '未知', 'logistics staff look up waybills: released and unknown', states.join(','));
	// A query sent before the page knows its session (held here until the click) waits for
	// it in the page: the form is not submitted as a plain page request.
	const release = await holdSession(lg.page);
	await lg.page.reload({ waitUntil: 'domcontentloaded' });
	await lg.page.fill('#waybills', '4403980XD4 EX2024111100012345');
	await lg.page.click('#lookup-submit');
	release();
	await lg.page.waitForSelector('body[data-loaded] #states tbody tr');
	const early = await lg.page.locator('#states td.state').allTextContents();
	ok(early.length === 1 && early[0] === '已放行' && !lg.page.url().includes('?'),
		'a query sent before the session is known waits for it', early.join(',') + ' ' + lg.page.url());
	await lg.page.unroute('**/api/v1/session');
	await lg.context.close();
} catch (e) {
	ok(false, 'the browser session ran to its end', e && e.stack);
} finally {
	await browser.close();
}
while (n < PLAN) ok(false, 'not reached');
process.exit(failed ? 1 : 0);
