// SPDX-License-Identifier: MIT
// Browser test of the merchant's pages, against a real cebgated started by
// tests/e2e/web_merchant.sh: Debian's chromium driven by playwright-core.
// A merchant logs in, uploads a CSV with good and bad rows, sees the findings
// at the right lines, submits the good ones with custodial signing and sees
// their receipts; a second merchant sees none of it; the orders of two more
// declarations (CEB XML) complete their inventories, which an officer then
// finds held in the queue. Prints TAP.
// Environment: CG_URL, CG_CSV (the file to upload), CG_ORDERS (two order
// files, ':'-separated), CG_DEPS, CG_CHROMIUM.
import { createRequire } from 'node:module';

const require = createRequire(process.env.CG_DEPS + '/');
const { chromium } = require('playwright-core');
const URL = process.env.CG_URL;
const PLAN = 19;
let n = 0;

function ok(cond, what, detail) {
	n++;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${what}`);
	if (!cond && detail !== undefined) console.log('# ' + String(detail).split('\n').join('\n# '));
}

async function open(browser, user, password) {
	const context = await browser.newContext({ locale: 'zh-CN' });
	const page = await context.newPage();
	page.errors = [];
	page.on('console', (m) => { if (m.type() === 'error' && !/404/.test(m.text())) page.errors.push(m.text()); });
	page.on('pageerror', (e) => page.errors.push(String(e)));
	await page.goto(URL + '/');
	await page.fill('#user', user);
	await page.fill('#password', password);
	await page.click('#login-submit');
	return page;
}

const text = async (page, sel) => ((await page.locator(sel).first().textContent()) || '').trim();

console.log(`1..${PLAN}`);
const browser = await chromium.launch({
	executablePath: process.env.CG_CHROMIUM || '/usr/bin/chromium',
	args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
	const page = await open(browser, 'mia', 'merchantpass1');
	await page.waitForURL('**/upload.html');
	ok(true, 'a merchant logs in with the same page as officers and lands on the upload page');
	const nav = await page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href') + ' ' + a.textContent));
	ok(nav.join('|') === '/upload.html 上传申报|/status.html 申报状态' && await page.locator('#logout').isVisible(),
		'app.js writes the merchant navigation (upload, status) and the logout button', nav.join('|'));
	await page.setInputFiles('#files', process.env.CG_CSV);
	await page.waitForFunction(() => document.getElementById('upload-state')?.textContent === '已处理', null, { timeout: 30000 });
	// 10 orders and the ragged row (line 9) of an eleventh, a rejected record too.
	ok(await text(page, '#upload-records') === '11' && await text(page, '#upload-valid') === '4' &&
		await text(page, '#upload-invalid') === '7', 'the upload is read: 11 records, 4 valid, 7 with problems');
	const lines = await page.$$eval('#findings tbody tr[data-line]', (rs) => [...new Set(rs.map((r) => r.dataset.line))]);
	ok(['3', '6', '7', '9', '10', '13', '14'].every((l) => lines.includes(l)), 'the findings are shown at the CSV lines of the bad rows', lines.join(','));
	const row3 = await page.$$eval('#findings tbody tr[data-line="3"] td', (tds) => tds.map((t) => t.textContent));
	ok(row3[1] === '29' && row3[2] === 'CG2001' && /筐子/.test(row3[4]), 'each finding names its column, code and the problem in Chinese', row3.join('|'));
	const csv = await page.getAttribute('#findings-csv', 'href');
	const got = await page.evaluate(async (u) => (await fetch(u)).text(), csv);
	ok(got.includes('CG2007') && !/\n"=/.test(got), 'the findings download as CSV, formula cells defused');
	await page.click('#lang');
	ok(await text(page, '#result h2[data-i18n="findings"]') === 'Findings' && /unit/.test((await page.$$eval('#findings tbody tr[data-line="3"] td', (t) => t[4].textContent))),
		'the English switch turns headings and findings into English');
	await page.click('#lang');
	await page.click('#submit');
	await page.waitForFunction(() => [...document.querySelectorAll('#documents tbody td.result')].every((t) => /已受理/.test(t.textContent)), null, { timeout: 30000 });
	const results = await page.$$eval('#documents tbody td.result', (ts) => ts.map((t) => t.textContent));
	ok(results.length === 4 && results.every((r) => r.includes('(120)')), 'submitting signs the four good orders with the custodial key: accepted, 120', results.join('|'));
	await page.goto(URL + '/status.html');
	await page.waitForSelector('#declarations tbody tr[data-key]');
	const keys = await page.$$eval('#declarations tbody tr[data-key]', (rs) => rs.map((r) => r.dataset.key).sort());
	ok(keys.length === 4 && keys[0] === 'SO202611270000000201', 'the status page lists the four orders', keys.join(','));
	const tags = await page.$$eval('#declarations tbody td.receipts .tag', (ts) => ts.map((t) => t.dataset.code));
	ok(tags.length === 4 && tags.every((c) => c === '120'), 'each with its receipt 120 (the unified feedback)', tags.join(','));
	await page.waitForSelector('#declarations tbody td.receipts .tag[title]');
	ok((await page.getAttribute('#declarations tbody td.receipts .tag', 'title')).length > 0, 'the receipt code is explained from the service catalogue');
	await page.fill('#q', 'SO202611270000000203');
	await page.click('#apply');
	await page.waitForFunction(() => document.querySelectorAll('#declarations tbody tr[data-key]').length === 1);
	ok(await text(page, '#declarations tbody td.number') === 'SO202611270000000203', 'a search by order number finds that order');
	await page.waitForSelector('#webhooks:not([hidden]) #webhook-list tbody tr[data-webhook]');
	const hook = await page.$$eval('#webhook-list tbody tr[data-webhook] td', (t) => t.map((x) => x.textContent));
	ok(hook[0] === 'https://127.0.0.1:1/hook' && hook[1] === 'active', 'the status page shows the enterprise\'s webhook endpoint', hook.join('|'));
	let tries = 0;
	do {
		await page.click('#webhook-list tbody tr[data-webhook] button[data-i18n="whShow"]');
		await page.waitForSelector('#webhook-deliveries:not([hidden])');
		await page.waitForTimeout(200);
	} while (await page.$$eval('#webhook-deliveries tbody tr', (r) => r.length) === 0 && ++tries < 150);
	const attempt = await page.$$eval('#webhook-deliveries tbody tr:first-child td', (t) => t.map((x) => x.textContent));
	ok(attempt[4] === 'failed' && attempt[5].length > 0, 'and its deliveries, failed with their error', attempt.join('|'));
	await page.goto(URL + '/upload.html');
	const accepted = [];
	for (const file of process.env.CG_ORDERS.split(':')) {
		await page.setInputFiles('#files', file);
		await page.waitForFunction((name) => document.getElementById('result-title')?.textContent === name &&
			document.getElementById('upload-state')?.textContent === '已处理', file.split('/').pop(), { timeout: 30000 });
		await page.click('#submit');
		await page.waitForFunction(() => [...document.querySelectorAll('#documents tbody td.result')].every((t) => /已受理/.test(t.textContent)), null, { timeout: 30000 });
		accepted.push(await text(page, '#documents tbody td.result'));
	}
	ok(accepted.length === 2 && accepted.every((r) => r.includes('(120)')), 'two order files uploaded as CEB XML are signed and accepted too', accepted.join('|'));
	ok(page.errors.length === 0, 'no script error and no Content-Security-Policy violation', page.errors.join('\n'));

	const other = await open(browser, 'max', 'merchantpass2');
	await other.waitForURL('**/upload.html');
	await other.goto(URL + '/status.html');
	await other.waitForSelector('#declarations tbody tr');
	const none = await other.$$eval('#declarations tbody tr[data-key]', (rs) => rs.length);
	const peek = await other.evaluate(async () => (await fetch('/api/v1/uploads/1')).status);
	ok(none === 0 && peek === 404, 'a second merchant sees none of them, nor the upload (404)', `${none} ${peek}`);
	ok(await other.locator('#webhooks').isHidden(), 'nor the other enterprise\'s webhook endpoint');

	const officer = await open(browser, 'olga', 'officerpass1');
	await officer.waitForURL('**/queue.html**');
	await officer.waitForSelector('#queue tbody tr[data-id]');
	const held = await officer.$$eval('#queue tbody tr[data-id]', (rs) => rs.length);
	ok(held === 2, 'an officer finds the two inventories completed by the uploaded orders held in the queue', held);
} catch (e) {
	ok(false, 'the browser session ran to the end', e.stack || e);
} finally {
	await browser.close();
}
