/* SPDX-License-Identifier: MIT */
/* Small canvas charts for the dashboard and the public page: stacked bars, lines, horizontal bars. */
'use strict';

const Charts = (() => {
	const palette = ['#2e7d32', '#f0a202', '#1f4e8c', '#c62828', '#6a1b9a'];
	const pad = { l: 48, r: 48, t: 12, b: 36 };

	function prepare(canvas) {
		const ctx = canvas.getContext('2d');
		ctx.clearRect(0, 0, canvas.width, canvas.height);
		ctx.font = '12px sans-serif';
		ctx.fillStyle = '#5b6675';
		ctx.strokeStyle = '#d5dbe3';
		return ctx;
	}

	/* A round step: 1, 2, 5 times a power of ten. */
	function nice(v) {
		if (v <= 0) return 1;
		const p = Math.pow(10, Math.floor(Math.log10(v)));
		for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
		return 10 * p;
	}

	/* The top of an axis of four round steps; counts step by whole numbers. */
	function top4(max, whole) {
		const step = nice(max / 4);
		return 4 * (whole ? Math.max(1, Math.ceil(step)) : step);
	}

	function axis(ctx, canvas, top, side) {
		const h = canvas.height - pad.t - pad.b;
		const x = side === 'right' ? canvas.width - pad.r + 4 : 4;
		ctx.textAlign = 'left';
		for (let i = 0; i <= 4; i++) {
			const y = pad.t + h - (h * i) / 4;
			if (side !== 'right') {
				ctx.beginPath();
				ctx.moveTo(pad.l, y);
				ctx.lineTo(canvas.width - pad.r, y);
				ctx.stroke();
			}
			ctx.fillText(String(Math.round(((top * i) / 4) * 100) / 100), x, y + 4);
		}
	}

	function xlabels(ctx, canvas, labels) {
		const w = canvas.width - pad.l - pad.r;
		const every = Math.max(1, Math.ceil(labels.length / 8));
		ctx.textAlign = 'center';
		labels.forEach((l, i) => {
			if (i % every === 0) ctx.fillText(l, pad.l + (w * (i + 0.5)) / labels.length, canvas.height - pad.b + 16);
		});
	}

	function empty(ctx, canvas, text) {
		ctx.textAlign = 'center';
		ctx.fillText(text, canvas.width / 2, canvas.height / 2);
	}

	/* series: [{name, values}], stacked per label. */
	function bars(canvas, labels, series, emptyText) {
		const ctx = prepare(canvas);
		const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] || 0), 0));
		if (!labels.length || Math.max(...totals) === 0) return empty(ctx, canvas, emptyText || '—');
		const top = top4(Math.max(...totals), true);
		const w = canvas.width - pad.l - pad.r, h = canvas.height - pad.t - pad.b;
		const bw = Math.max(2, (w / labels.length) * 0.7);
		axis(ctx, canvas, top);
		labels.forEach((_, i) => {
			let y = pad.t + h;
			series.forEach((s, k) => {
				const v = s.values[i] || 0, bh = (h * v) / top;
				ctx.fillStyle = palette[k % palette.length];
				ctx.fillRect(pad.l + (w * i) / labels.length + (w / labels.length - bw) / 2, y - bh, bw, bh);
				y -= bh;
			});
		});
		ctx.fillStyle = '#5b6675';
		xlabels(ctx, canvas, labels);
	}

	/* Two lines with their own scales: left for the first, right for the second. */
	function lines(canvas, labels, series, emptyText) {
		const ctx = prepare(canvas);
		if (!labels.length) return empty(ctx, canvas, emptyText || '—');
		const w = canvas.width - pad.l - pad.r, h = canvas.height - pad.t - pad.b;
		series.forEach((s, k) => {
			const top = top4(Math.max(...s.values, 0), true);
			ctx.fillStyle = palette[(k + 2) % palette.length];
			axis(ctx, canvas, top, k === 0 ? 'left' : 'right');
			ctx.strokeStyle = palette[(k + 2) % palette.length];
			ctx.lineWidth = 2;
			ctx.beginPath();
			s.values.forEach((v, i) => {
				const x = pad.l + (w * (i + 0.5)) / labels.length, y = pad.t + h - (h * v) / top;
				if (i === 0) ctx.moveTo(x, y);
				else ctx.lineTo(x, y);
			});
			ctx.stroke();
			ctx.lineWidth = 1;
			ctx.strokeStyle = '#d5dbe3';
		});
		ctx.fillStyle = '#5b6675';
		xlabels(ctx, canvas, labels);
	}

	/* One bar per label, longest first as given; format(v) writes the value. */
	function hbars(canvas, labels, values, format, emptyText) {
		const ctx = prepare(canvas);
		if (!labels.length) return empty(ctx, canvas, emptyText || '—');
		const left = 170, right = 60, rowh = Math.min(28, (canvas.height - 8) / labels.length);
		const top = Math.max(...values, 0) || 1;
		labels.forEach((l, i) => {
			const y = 4 + i * rowh, bw = ((canvas.width - left - right) * values[i]) / top;
			ctx.fillStyle = '#1b2430';
			ctx.textAlign = 'right';
			ctx.fillText(String(l).slice(0, 24), left - 8, y + rowh * 0.65);
			ctx.fillStyle = palette[2];
			ctx.fillRect(left, y + rowh * 0.15, Math.max(1, bw), rowh * 0.7);
			ctx.fillStyle = '#1b2430';
			ctx.textAlign = 'left';
			ctx.fillText(format ? format(values[i]) : String(values[i]), left + bw + 6, y + rowh * 0.65);
		});
	}

	/* A legend of coloured swatches, written as elements (never HTML). */
	function legend(box, names, offset) {
		box.replaceChildren(...names.map((n, k) => {
			const s = document.createElement('span');
			const sw = document.createElement('span');
			sw.className = 'swatch s' + ((k + (offset || 0)) % palette.length);
			s.append(sw, document.createTextNode(n));
			return s;
		}));
	}

	return { bars, lines, hbars, legend };
})();
