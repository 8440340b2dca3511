/* SPDX-License-Identifier: MIT */
/*
 * What every page of cebgate shares: the texts, Chinese by default with an
 * English switch (one dictionary; a page's own script may add to it), the
 * header with the navigation of the page's group (written once, here), the
 * session (an HttpOnly cookie the page never sees, plus the CSRF token sent
 * on every change) and the one wrapper of calls to cebgated's API.
 */
'use strict';

const CG = (() => {
	const texts = {
		zh: {
			codeTables: '代码表', partial: '（不完整）',
			title: 'cebgate 跨境电商单一窗口', queue: '审核队列', logistics: '运单查询', dashboard: '统计看板',
			public: '双随机抽查结果公开', logout: '退出', login: '登录', user: '用户名', password: '密码',
			loginFailed: '用户名或密码错误', tooMany: '失败次数过多，请一分钟后再试', lang: 'English',
			enterprise: '企业代码', reason: '审核原因', age: '等待时间', tradeMode: '贸易方式', state: '状态',
			any: '全部', apply: '筛选', autoRefresh: '自动刷新', total: '合计', claim: '认领', open: '查看',
			queued: '待审核', claimed: '已认领', decided: '已决定', priority: '优先级', created: '入队时间',
			claimedBy: '认领人', copNo: '企业内部编号', orderNo: '订单编号', id: '编号', noItems: '没有待审核的清单',
			min10: '10 分钟以上', hour1: '1 小时以上', hour4: '4 小时以上', day1: '1 天以上',
			value: '货值达到审核阈值', 'watched-hs': '布控商品编码', 'near-quota': '接近年度额度',
			'new-enterprise': '新注册企业', random: '双随机抽中', claimFailed: '认领失败：已被其他关员认领或已决定',
			inventory: '清单', order: '订单', payment: '支付单', waybill: '运单', field: '字段', summaries: '汇总申报',
			comparison: '四单对照', differs: '不一致', lines: '商品', rules: '命中规则', tax: '税款与额度',
			recomputed: '重新计算税款', declared: '申报税款', goodsValue: '商品价格', freight: '运费',
			quotaUsed: '本年度已用额度', quotaLimit: '年度限值', quotaRemaining: '剩余额度',
			reveal: '显示证件号和电话（将记录审计）', revealed: '已显示（已记录审计）',
			decide: '作出决定', decision: '决定', release: '放行', inspect: '查验', return: '退单', detain: '扣留',
			reasonText: '理由（必填）', submit: '提交', reasonRequired: '请填写理由',
			receipt: '已发出的回执', receipts: '回执', audit: '审计记录', at: '时间', actor: '操作人', action: '动作',
			detail: '内容', lease: '认领期限', leaseLeft: '认领剩余', leaseUntil: '认领至', leaseExpired: '认领已过期，请重新认领',
			renew: '续期', notClaimed: '尚未认领', decidedBy: '决定', status: '回执状态',
			buyerName: '订购人', buyerIdNumber: '证件号码', buyerTelephone: '订购人电话', consignee: '收货人',
			consigneeTelephone: '收货人电话', consigneeAddress: '收货地址', ebpCode: '电商平台代码',
			ebcCode: '电商企业代码', logisticsCode: '物流企业代码', logisticsNo: '运单编号', payCode: '支付企业代码',
			payTransactionId: '支付交易编号', amountPaid: '支付金额', insuredFee: '保价费', weight: '毛重',
			packNo: '件数', billNo: '提运单号', gnum: '序号', gname: '商品名称', qty: '数量', price: '单价',
			totalPrice: '总价', supervision: '监管条件', inspectionCategory: '检验检疫类别', waybills: '运单号（每行一个：物流企业代码 运单编号）', query: '查询',
			clearance: '通关状态', declaredState: '已申报', 'under review': '审核中', released: '已放行',
			'signed for': '已签收', inspection: '查验', returned: '退单', detained: '扣留', rejected: '已拒绝',
			unknown: '未知', waiting: '等待比对', held: '人工审核',
			perHour: '每小时申报量（按结果）', queueDepth: '队列长度与最久等待', reviewTime: '审核用时',
			holdReasons: '审核原因排行', rejectionReasons: '退单原因排行', matchFailures: '各企业比对失败率',
			depth: '队列长度', oldest: '最久等待（分钟）', inventories: '清单数', failed: '失败', rate: '失败率',
			hours: '时间范围', h24: '24 小时', h72: '3 天', h168: '7 天', median: '中位数',
			publicIntro: '根据“双随机、一公开”要求，公开随机抽查的结果：按企业和月份汇总，不含任何个人信息。',
			period: '期间', name: '企业名称', selected: '抽中', inspected: '已检查', inOrder: '未发现问题',
			irregular: '发现问题', noResults: '暂无抽查结果', error: '出错了', back: '返回队列',
			timeout: '比对超时', single: '超过单次限值', annual: '超过年度限值', 'officer-return': '关员退单',
			'officer-detain': '关员扣留', minutes: '分钟', seconds: '秒', loggedInAs: '当前用户', pending: '处理中',
			enterpriseName: '电商企业', declaredValue: '申报货值', sortBy: '按此列排序', actions: '操作',
			hsCode: '商品编码', tariffName: '税则名称', origin: '原产国（地区）', legalQty: '法定数量',
			meaning: '含义', returnInfo: '说明', chooseDecision: '请选择决定', noDecision: '尚未选择决定',
			shortcuts: '键盘快捷键', keysHelp: 'j / k：下一项 / 上一项 · c：认领（续期） · 1 放行 · 2 查验 · 3 退单 · 4 扣留（光标进入理由） · Ctrl+Enter：提交 · v：显示证件号和电话 · Esc：离开输入框 · ?：帮助',
			keysQueue: 'j / k：下一行 / 上一行 · Enter：查看 · c：认领并查看 · ?：帮助',
			queueEmpty: '队列已清空', nextOpened: '已打开下一项', left: '剩余', until: '至',
			st_declared: '已申报', st_waiting: '等待比对', st_held: '人工审核', st_released: '已放行',
			st_inspection: '查验', st_returned: '退单', st_detained: '扣留', st_rejected: '已拒绝',
			st_queued: '待审核', st_claimed: '已认领', st_decided: '已决定', st_deleted: '已删除',
			act_claim: '认领', act_reveal: '查看个人信息', act_released: '放行', act_inspection: '查验',
			act_returned: '退单', act_detained: '扣留', act_held: '转人工审核', act_declared: '申报',
			tm1210: '保税电商', tm9610: '直购进口', tm1239: '保税电商A', cur142: '人民币',
			skip: '跳到正文', menu: '导航', statusPage: '申报状态',
			waybillFile: '或选择文件（每行一个运单号，TXT 或 CSV）', waybillCount: '共 {n} 个运单', tooManyWaybills: '一次最多 1000 个运单，已取前 1000 个',
		},
		en: {
			codeTables: 'Code tables', partial: '(partial)',
			title: 'cebgate single window', queue: 'Review queue', logistics: 'Waybill lookup', dashboard: 'Dashboard',
			public: 'Random inspection results', logout: 'Log out', login: 'Log in', user: 'User', password: 'Password',
			loginFailed: 'Wrong user or password', tooMany: 'Too many failures: wait a minute', lang: '中文',
			enterprise: 'Enterprise', reason: 'Reason held', age: 'Waiting', tradeMode: 'Trade mode', state: 'State',
			any: 'Any', apply: 'Filter', autoRefresh: 'Auto-refresh', total: 'Total', claim: 'Claim', open: 'Open',
			queued: 'Queued', claimed: 'Claimed', decided: 'Decided', priority: 'Priority', created: 'Queued at',
			claimedBy: 'Claimed by', copNo: 'Company ref.', orderNo: 'Order no.', id: 'ID', noItems: 'Nothing to review',
			min10: 'over 10 minutes', hour1: 'over 1 hour', hour4: 'over 4 hours', day1: 'over 1 day',
			value: 'value at or above threshold', 'watched-hs': 'watched HS code', 'near-quota': 'near annual quota',
			'new-enterprise': 'new enterprise', random: 'random selection', claimFailed: 'Claim refused: held by another officer or decided',
			inventory: 'Inventory', order: 'Order', payment: 'Payment', waybill: 'Waybill', field: 'Field', summaries: 'Summaries',
			comparison: 'The four documents', differs: 'differs', lines: 'Goods', rules: 'Rules hit', tax: 'Tax and quota',
			recomputed: 'Tax recomputed', declared: 'Tax declared', goodsValue: 'Goods value', freight: 'Freight',
			quotaUsed: 'Quota used this year', quotaLimit: 'Annual limit', quotaRemaining: 'Remaining',
			reveal: 'Reveal ID and phone numbers (audited)', revealed: 'Revealed (audited)',
			decide: 'Decision', decision: 'Decision', release: 'Release', inspect: 'Inspect', return: 'Return', detain: 'Detain',
			reasonText: 'Reason (required)', submit: 'Submit', reasonRequired: 'A reason is required',
			receipt: 'Receipt sent', receipts: 'Receipts', audit: 'Audit trail', at: 'Time', actor: 'Actor', action: 'Action',
			detail: 'Detail', lease: 'Lease', leaseLeft: 'Lease left', leaseUntil: 'Lease until', leaseExpired: 'Your lease expired: claim again',
			renew: 'Renew', notClaimed: 'Not claimed', decidedBy: 'Decided', status: 'Receipt status',
			buyerName: 'Buyer', buyerIdNumber: 'ID number', buyerTelephone: 'Buyer phone', consignee: 'Consignee',
			consigneeTelephone: 'Consignee phone', consigneeAddress: 'Address', ebpCode: 'Platform',
			ebcCode: 'E-commerce enterprise', logisticsCode: 'Logistics company', logisticsNo: 'Waybill no.', payCode: 'Payment company',
			payTransactionId: 'Payment transaction', amountPaid: 'Amount paid', insuredFee: 'Insurance', weight: 'Gross weight',
			packNo: 'Packages', billNo: 'Bill of lading', gnum: 'No.', gname: 'Goods', qty: 'Qty', price: 'Price',
			totalPrice: 'Total', supervision: 'Supervision conditions', inspectionCategory: 'Inspection category', waybills: 'Waybills (one a line: logistics code, waybill number)', query: 'Look up',
			clearance: 'Clearance state', declaredState: 'declared', 'under review': 'under review', released: 'released',
			'signed for': 'signed for', inspection: 'inspection', returned: 'returned', detained: 'detained', rejected: 'rejected',
			unknown: 'unknown', waiting: 'waiting for documents', held: 'held for review',
			perHour: 'Declarations per hour by outcome', queueDepth: 'Queue depth and oldest item', reviewTime: 'Review time',
			holdReasons: 'Top hold reasons', rejectionReasons: 'Top rejection reasons', matchFailures: 'Match failures per enterprise',
			depth: 'Queue depth', oldest: 'Oldest (minutes)', inventories: 'Inventories', failed: 'Failed', rate: 'Rate',
			hours: 'Period', h24: '24 hours', h72: '3 days', h168: '7 days', median: 'median',
			publicIntro: 'Results of random inspections (双随机、一公开), per enterprise and month. No personal data.',
			period: 'Period', name: 'Enterprise name', selected: 'Selected', inspected: 'Inspected', inOrder: 'Found in order',
			irregular: 'Found irregular', noResults: 'No results yet', error: 'Something went wrong', back: 'Back to the queue',
			timeout: 'not matched in time', single: 'over the single limit', annual: 'over the annual limit', 'officer-return': 'returned by an officer',
			'officer-detain': 'detained by an officer', minutes: 'min', seconds: 's', loggedInAs: 'Logged in as', pending: 'pending',
			enterpriseName: 'E-commerce enterprise', declaredValue: 'Declared value', sortBy: 'Sort by this column', actions: 'Actions',
			hsCode: 'HS code', tariffName: 'Name in the tariff', origin: 'Country of origin', legalQty: 'Legal quantities',
			meaning: 'Meaning', returnInfo: 'Note', chooseDecision: 'Choose a decision', noDecision: 'No decision chosen yet',
			shortcuts: 'Keyboard shortcuts', keysHelp: 'j / k: next / previous item · c: claim (renew) · 1 release · 2 inspect · 3 return · 4 detain (the reason gets the cursor) · Ctrl+Enter: submit · v: reveal ID and phone numbers · Esc: leave the field · ?: help',
			keysQueue: 'j / k: next / previous row · Enter: open · c: claim and open · ?: help',
			queueEmpty: 'The queue is empty', nextOpened: 'Next item opened', left: 'left', until: 'until',
			st_declared: 'declared', st_waiting: 'waiting for documents', st_held: 'held for review', st_released: 'released',
			st_inspection: 'inspection', st_returned: 'returned', st_detained: 'detained', st_rejected: 'rejected',
			st_queued: 'queued', st_claimed: 'claimed', st_decided: 'decided', st_deleted: 'deleted',
			act_claim: 'claim', act_reveal: 'reveal personal data', act_released: 'release', act_inspection: 'inspection',
			act_returned: 'return', act_detained: 'detention', act_held: 'held for review', act_declared: 'declared',
			tm1210: 'bonded e-commerce', tm9610: 'direct purchase', tm1239: 'bonded e-commerce A', cur142: 'CNY',
			skip: 'Skip to the content', menu: 'Navigation', statusPage: 'Declarations',
			waybillFile: 'Or choose a file (one waybill a line, TXT or CSV)', waybillCount: '{n} waybills', tooManyWaybills: 'At most 1000 waybills at a time: the first 1000 were taken',
		},
	};
	let lang = localStorage.getItem('cg-lang') === 'en' ? 'en' : 'zh';

	/* The text of KEY in the current language; {name} is replaced by VARS.name. */
	function t(key, vars) {
		let s = (texts[lang] && texts[lang][key]) || texts.zh[key] || key;
		for (const [k, v] of Object.entries(vars || {})) s = s.split('{' + k + '}').join(String(v));
		return s;
	}

	/* A state of a document or review item, in the current language (the raw word when unknown). */
	function state(word) {
		const k = 'st_' + word;
		return texts.zh[k] ? t(k) : String(word || '');
	}

	/* A page's own texts, {zh: {...}, en: {...}}: they win over the shared ones. */
	function addTexts(more) {
		for (const l of Object.keys(texts)) Object.assign(texts[l], more[l] || {});
	}

	function currentLang() {
		return lang;
	}

	/* Build an element: el('td', {class: 'x', text: 'y'}, child...). Text only, never HTML. */
	function el(tag, attrs, ...children) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === undefined || v === null) continue;
			if (k === 'text') e.textContent = String(v);
			else if (k === 'class') e.className = v;
			else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
			else e.setAttribute(k, v);
		}
		for (const c of children) if (c !== null && c !== undefined) e.append(c);
		return e;
	}

	function translate(root) {
		document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
		for (const e of (root || document).querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
		for (const e of (root || document).querySelectorAll('[data-i18n-placeholder]')) e.placeholder = t(e.dataset.i18nPlaceholder);
		for (const e of (root || document).querySelectorAll('[data-i18n-label]')) e.setAttribute('aria-label', t(e.dataset.i18nLabel));
	}

	const listeners = [];
	function onLanguage(fn) {
		listeners.push(fn);
	}
	function setLanguage(l) {
		lang = l;
		localStorage.setItem('cg-lang', l);
		translate();
		for (const fn of listeners) fn();
	}

	let csrf = sessionStorage.getItem('cg-csrf') || '';

	/*
	 * The one call to the API; the CSRF token rides on every change. An object
	 * BODY is sent as JSON, a string or a file as it is (the browser streams a
	 * file). Resolves {status, body}, body the parsed JSON answer or null.
	 */
	async function api(method, path, body) {
		const headers = { Accept: 'application/json' };
		if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
		const raw = typeof body === 'string' || body instanceof Blob;
		if (body !== undefined && !raw) headers['Content-Type'] = 'application/json';
		const r = await fetch(path, {
			method, headers, credentials: 'same-origin',
			body: body === undefined || raw ? body : JSON.stringify(body),
		});
		let data = null;
		try { data = await r.json(); } catch (e) { data = null; }
		return { status: r.status, body: data };
	}

	async function login(user, password) {
		const r = await api('POST', '/api/v1/login', { user, password });
		if (r.status === 200) {
			csrf = r.body.csrf;
			sessionStorage.setItem('cg-csrf', csrf);
		}
		return r;
	}

	/* The logged-in user, or a redirect to the login page. */
	async function session(roles) {
		const r = await api('GET', '/api/v1/session');
		if (r.status !== 200) {
			location.href = '/?next=' + encodeURIComponent(location.pathname + location.search);
			return new Promise(() => {});
		}
		if (r.body.csrf) {
			csrf = r.body.csrf;
			sessionStorage.setItem('cg-csrf', csrf);
		}
		const who = document.getElementById('who');
		if (who) who.textContent = r.body.user + ' (' + r.body.role + ')';
		const bar = document.querySelector('header[data-nav]');
		if (bar && roleNav[r.body.role] && roleNav[r.body.role] !== bar.dataset.nav) navigation(roleNav[r.body.role]);
		if (roles && !roles.includes(r.body.role)) {
			location.href = r.body.role === 'logistics' ? '/logistics.html' : '/';
			return new Promise(() => {});
		}
		codeTables();
		return r.body;
	}

	/* The footer: the code-table editions the checks use (a partial table is marked). */
	async function codeTables() {
		const r = await api('GET', '/api/v1/codes');
		if (r.status !== 200 || !r.body || !Array.isArray(r.body.editions)) return;
		const shown = ['hs', 'positive', 'customs', 'country', 'unit', 'trademode'];
		const parts = r.body.editions.filter((e) => shown.includes(e.table)).map((e) =>
			`${e.table} ${e.edition}${e.effective ? ' (' + e.effective + ')' : ''}${e.complete ? '' : ' ' + t('partial')}`);
		let foot = document.getElementById('code-tables');
		if (!foot) {
			foot = el('footer', { id: 'code-tables', class: 'codes' });
			document.body.appendChild(foot);
		}
		foot.textContent = t('codeTables') + ': ' + parts.join(' · ');
	}

	async function logout() {
		await api('POST', '/api/v1/logout');
		sessionStorage.removeItem('cg-csrf');
		location.href = '/';
	}

	/* Moments come from cebgated as ISO 8601 with an offset; shown in the browser's local time. */
	function secs(moment) {
		if (typeof moment === 'number') return moment;
		const ms = Date.parse(moment || '');
		return Number.isNaN(ms) ? 0 : ms / 1000;
	}

	function time(moment) {
		if (!moment) return '';
		const d = new Date(secs(moment) * 1000);
		const p = (n) => String(n).padStart(2, '0');
		return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
	}

	/* A countdown: 4:05 (minutes:seconds), 1:02:03 past an hour. */
	function countdown(secs) {
		secs = Math.max(0, Math.floor(secs));
		const p = (n) => String(n).padStart(2, '0');
		const h = Math.floor(secs / 3600), m = Math.floor((secs % 3600) / 60), s = secs % 60;
		return h ? `${h}:${p(m)}:${p(s)}` : `${m}:${p(s)}`;
	}

	const explained = new Map();
	/*
	 * What a returnStatus or finding code means, from the service's catalogue (cached); with the
	 * receipt it came in (CEB604Message), the export family's own meaning of a returnStatus.
	 */
	async function explain(code, receipt) {
		const key = receipt ? code + '@' + receipt : code;
		if (!explained.has(key)) {
			explained.set(key, api('GET', '/api/v1/explain/' + encodeURIComponent(code) +
				(receipt ? '?receipt=' + encodeURIComponent(receipt) : ''))
				.then((r) => (r.status === 200 ? r.body : null)));
		}
		return explained.get(key);
	}

	/* The meaning of a code in the current language, written into element E when known. */
	function explainInto(e, code, receipt) {
		explain(code, receipt).then((x) => {
			if (!x) return;
			e.textContent = lang === 'en' ? x.en : x.zh;
			e.dataset.explained = code;
		});
	}

	function duration(secs) {
		secs = Math.max(0, Math.round(secs));
		if (secs < 60) return secs + ' ' + t('seconds');
		if (secs < 3600) return Math.floor(secs / 60) + ' ' + t('minutes');
		const h = Math.floor(secs / 3600);
		return h + ' h ' + Math.floor((secs % 3600) / 60) + ' ' + t('minutes');
	}

	function message(text, kind) {
		const box = document.getElementById('message');
		if (!box) return;
		box.textContent = text || '';
		box.className = text ? 'message ' + (kind || 'error') : 'message';
	}

	/* The navigation of each group of pages: [path, text key]. */
	const navs = {
		desk: [['/queue.html', 'queue'], ['/dashboard.html', 'dashboard'],
			['/summaries.html', 'summaries'], ['/logistics.html', 'logistics'], ['/public.html', 'public']],
		merchant: [['/upload.html', 'upload'], ['/status.html', 'statusPage']],
		logistics: [['/logistics.html', 'logistics'], ['/status.html', 'statusPage']],
		/* The public results and the login page: nothing of the officers' pages. */
		public: [['/public.html', 'public']],
	};
	/* The group of pages of a role, once the session is known. */
	const roleNav = { officer: 'desk', admin: 'desk', merchant: 'merchant', enterprise: 'merchant', logistics: 'logistics' };

	/*
	 * The header every page has, built into its <header data-nav="GROUP">:
	 * the brand, the group's navigation, who is logged in, the language
	 * switch and, when the header has data-logout, the logout button.
	 */
	function header() {
		const bar = document.querySelector('header[data-nav]');
		if (!bar || bar.childElementCount) return;
		const button = (id, key) => el('button', { id, type: 'button', 'data-i18n': key, text: t(key) });
		bar.classList.add('bar');
		const main = document.querySelector('main');
		if (main && !main.id) main.id = 'main';
		bar.append(el('a', { href: '#main', class: 'skip', 'data-i18n': 'skip', text: t('skip') }),
			el('span', { class: 'brand', id: 'brand' }),
			el('nav', { 'aria-label': t('menu'), 'data-i18n-label': 'menu' }),
			el('span', { class: 'who', id: 'who' }), button('lang', 'lang'));
		if ('logout' in bar.dataset) bar.append(button('logout', 'logout'));
		navigation(bar.dataset.nav);
	}

	/* The brand and the links of group GROUP (the current page marked for screen readers). */
	function navigation(group) {
		const bar = document.querySelector('header[data-nav]');
		const links = navs[group] || navs.public;
		const a = (href, key, cls) => el('a', { href, class: cls, 'data-i18n': key, text: t(key),
			'aria-current': location.pathname === href ? 'page' : null });
		bar.querySelector('#brand').replaceChildren(a(links[0][0], 'title', 'brand-link'));
		bar.querySelector('nav').replaceChildren(...links.map(([href, key]) => a(href, key)));
	}

	/* True when a key press belongs to a field being typed in (shortcuts then stay quiet). */
	function typing(ev) {
		const e = ev.target;
		const text = e && e.tagName === 'INPUT' && !['radio', 'checkbox', 'button', 'submit'].includes(e.type);
		return ev.ctrlKey || ev.metaKey || ev.altKey ||
			(e && (e.isContentEditable || text || ['TEXTAREA', 'SELECT'].includes(e.tagName)));
	}

	/* The page's header, translated, with its buttons working. */
	function chrome() {
		header();
		translate();
		const sw = document.getElementById('lang');
		if (sw) sw.addEventListener('click', () => setLanguage(lang === 'zh' ? 'en' : 'zh'));
		const out = document.getElementById('logout');
		if (out) out.addEventListener('click', logout);
		/*
		 * Every form is answered by its page's script, never posted as a page
		 * request: one used before the page has attached its handler (while it
		 * still asks for the session) does nothing. The page's handler still runs.
		 */
		document.addEventListener('submit', (ev) => ev.preventDefault(), true);
		/* A box that scrolls is reachable from the keyboard (arrow keys scroll it). */
		for (const box of document.querySelectorAll('.scroll')) box.tabIndex = 0;
	}

	return {
		t, addTexts, lang: currentLang, el, api, login, session, logout, time, secs, duration, message,
		chrome, onLanguage, translate, state, countdown, explain, explainInto, typing,
	};
})();
