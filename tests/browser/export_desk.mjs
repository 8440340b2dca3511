// SPDX-License-Identifier: MIT
// The officer's desk for exports in a real browser (Debian's chromium driven by
// playwright-core, axe-core for accessibility), against the cebgated started by
// tests/e2e/web_export_desk.sh: the declaration page of an export inventory
// beside its six documents, and the summaries page where an officer records a
// generated declaration's later facts. Prints TAP.
// Environment: CG_URL; CG_X1 (an export inventory summarised, its waybill's gross
// weight differing), CG_X2 (one held, its arrival, departure and list not come);
// CG_DECL (the declSeqNo of parcel 1's declaration); CG_TB (the declarant's token,
// to read its receipts feed); CG_DEPS, CG_CHROMIUM, CG_SHOTS.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(process.env.CG_DEPS + '/');
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const URL = process.env.CG_URL;
const X1 = Number(process.env.CG_X1), X2 = Number(process.env.CG_X2);
const DECL = process.env.CG_DECL;
const SHOTS = process.env.CG_SHOTS;
const PLAN = 19;
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

async function login(page, user, password) {
	await page.goto(URL + '/');
	await page.fill('#user', user);
	await page.fill('#password', password);
	await page.click('#login-submit');
	await page.waitForURL(/\.html/);
}

// Serious or critical axe-core violations of the page as it is now.
async function axe(page) {
	await page.addScriptTag({ content: AXE });
	return page.evaluate(async () => (await globalThis.axe.run(document, { resultTypes: ['violations'] }))
		.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')
		.map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((nd) => nd.target.join(' ')).join(', ')}`));
}

// The page is no wider than the window (tables scroll in their own box).
const fits = (page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

// The CEB792 of the declaration in the declarant's feed.
async function results792() {
	const r = await fetch(`${URL}/api/v1/receipts?after=0&limit=1000`, { headers: { Authorization: 'Bearer ' + process.env.CG_TB } });
	const body = await r.json();
	return body.receipts.filter((x) => x.type === 'CEB792Message' && x.xml.includes(DECL));
}

const text = async (page, sel) => ((await page.locator(sel).first().textContent()) || '').trim();

console.log(`1..${PLAN}`);
const browser = await chromium.launch({
	executablePath: process.env.CG_CHROMIUM || '/usr/bin/chromium',
	args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
	const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 }, bypassCSP: true });
	const page = await context.newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('console', (m) => { if (m.type() === 'error' && !/40[349]/.test(m.text())) errors.push(m.text()); });
	await login(page, 'olga', 'officerpass1');

	// ---- the declaration page of an export inventory ------------------------------
	await page.goto(`${URL}/declaration.html?id=${X1}`);
	await page.waitForSelector('body[data-loaded] #comparison[data-export="1"] tbody tr');
	const heads = await page.$$eval('#comparison thead th', (ths) => ths.map((t) => t.textContent));
	ok(heads.length === 9 && heads[1] === '清单（603）' && heads[2].startsWith('订单 / 订仓单') && heads[3] === '收款单（403）' &&
		heads[4] === '运单（505）' && heads[5] === '运抵单（507）' && heads[6] === '离境单（509）' && heads[7] === '清单总分单（607）' && heads[8] === '核对',
	'the export comparison has a column per document: inventory, order, receipt of payment, waybill, arrival, departure, list, and a check column', heads.join(' | '));
	const gw = page.locator('#comparison tr[data-field="grossWeight"]');
	const gwCheck = await text(gw, 'td.check');
	const gwWaybill = await text(gw, 'td[data-doc="waybill"]');
	ok(await gw.getAttribute('class') === 'differs' && gwCheck === '≠ 不一致' && gwWaybill === '≠ 1.50' && (await text(gw, 'td[data-doc="inventory"]')) === '≠ 1.35',
		'the differing gross weight is marked in words and with ≠, not by colour only', `${gwCheck} / ${gwWaybill}`);
	const bill = page.locator('#comparison tr[data-field="billNo"]');
	ok((await text(bill, 'td.check')) === '一致' && (await text(bill, 'td[data-doc="departure"]')) === '000-12345675' &&
		(await text(bill, 'td[data-doc="list"]')) === '000-12345675',
	'the master bill agrees across inventory, arrival, departure and list, said so', await text(bill, 'td.check'));
	const notCarried = page.locator('#comparison tr[data-field="ebcCode"] td[data-doc="arrival"]');
	ok(await notCarried.getAttribute('class') === 'absent' && (await text(page, '#comparison tr[data-field="ebcCode"] td[data-doc="arrival"]')) === '',
		'a field a document does not carry is left empty, marked absent');
	ok((await text(page, '#h-comparison')) === '出口单证对照', 'the section is named for exports');
	ok((await page.locator('#comparison tr[data-field="buyerName"]').count()) === 0, 'none of the import layout\'s buyer rows');
	let v = await axe(page);
	ok(v.length === 0, 'axe-core: no serious or critical violation on the export declaration page', v.join('\n'));
	await page.goto(`${URL}/declaration.html?id=${X2}`);
	await page.waitForSelector('body[data-loaded] #comparison[data-export="1"] tbody tr');
	const absent = await page.$$eval('#comparison thead th.absent', (ths) => ths.map((t) => t.textContent));
	ok(absent.length === 3 && absent.every((t) => t.endsWith('— 未收到')),
		'a held inventory\'s page says its arrival, departure and list have not come', absent.join(' | '));
	await page.setViewportSize({ width: 390, height: 844 });
	ok(await fits(page), 'the export declaration page fits 390 px (the comparison scrolls in its box)');
	await page.screenshot({ path: `${SHOTS}/export-declaration-phone.png`, fullPage: true });
	await page.setViewportSize({ width: 1280, height: 800 });

	// ---- the summaries page --------------------------------------------------------
	await page.goto(`${URL}/summaries.html`);
	await page.waitForSelector('body[data-loaded] #declarations tbody tr');
	ok((await page.locator('header nav a[href="/summaries.html"][aria-current="page"]').count()) === 1,
		'the desk\'s navigation leads to the summaries page');
	const drow = page.locator(`#declarations tr[data-decl="${DECL}"]`);
	ok((await text(drow, 'td.dec-state')).startsWith('1 ') && (await text(page, '#applications tbody tr td:nth-child(5)')).startsWith('399'),
		'the application (702 399) and its generated declaration (state 1) are listed', await text(drow, 'td.dec-state'));
	v = await axe(page);
	ok(v.length === 0, 'axe-core: no serious or critical violation on the summaries page', v.join('\n'));
	const before = (await results792()).length;
	await drow.locator('button.record').click();
	await page.waitForSelector('#record-card:not([hidden])');
	ok(await page.evaluate(() => document.activeElement.id) === 'r-state' && (await text(page, '#h-record')).includes(DECL),
		'recording opens the form for that declaration, the state chosen first');
	await page.selectOption('#r-state', '3');
	await page.fill('#r-entry', '290120241000004567');
	await page.click('#r-submit');
	await page.waitForSelector(`#declarations tr[data-decl="${DECL}"] td.entry-id:text("290120241000004567")`);
	const msg = await text(page, '#message');
	ok(msg.includes('已记录') && (await text(drow, 'td.dec-state')).startsWith('3 '), 'recorded: said, and the row shows the new state and entryId', msg);
	const after = await results792();
	ok(after.length === before + 1 && after[after.length - 1].xml.includes('<ceb:entryId>290120241000004567</ceb:entryId>'),
		'a later CEB792 with the entryId reached the declarant\'s feed', `${before} -> ${after.length}`);
	await drow.locator('button.record').click();
	await page.click('#r-submit');
	await page.waitForFunction(() => document.getElementById('message').textContent.includes('未发送'));
	ok((await results792()).length === after.length, 'the same facts again: said, and no second 792 sent');
	await page.setViewportSize({ width: 390, height: 844 });
	ok(await fits(page), 'the summaries page fits 390 px');
	await page.evaluate(() => localStorage.setItem('cg-lang', 'en'));
	await page.reload();
	await page.waitForSelector('body[data-loaded] #declarations tbody tr');
	v = await axe(page);
	ok(v.length === 0 && (await text(page, 'h1')) === 'Export summary declarations',
		'in English at phone width: translated, and axe-core clean', v.join('\n'));
	await page.screenshot({ path: `${SHOTS}/summaries-en-phone.png`, fullPage: true });
	ok(errors.length === 0, 'no script error', errors.join('\n'));
	await context.close();
} catch (e) {
	ok(false, 'the browser session ran to its end', e && e.stack);
} finally {
	await browser.close();
}
while (n < PLAN) ok(false, 'not reached');
process.exit(failed ? 1 : 0);
