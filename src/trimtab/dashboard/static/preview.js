/* trimtab dashboard: a first drawing of a chart on a plain canvas, shown until Plotly is
 * ready. Plotly is 4.8 MB of script: on a first visit the browser needs a second or more of
 * CPU to compile it, while the charts' data is there in a fraction of that. The preview has
 * the same points, lines or bars, axes and titles, without hover or zoom; Plotly replaces it.
 * Text is drawn with fillText (never parsed as markup). */
"use strict";

const PREVIEW_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
const DAY = 86400000;
const DATE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
  21600, 43200, 86400, 172800, 604800, 1209600, 2592000, 7776000, 31536000].map((s) => s * 1000);

// Plotly reads naive ISO datetimes as they are written; so does the preview (as UTC).
function previewDate(s) {
  if (s === null) return null;
  const iso = s.replace(" ", "T");
  return Date.parse(iso.length <= 10 || /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z");
}

function axisType(axis) {
  if (axis && axis.tickvals) return null;
  const type = (axis && axis.type) || "linear";
  return type === "linear" || type === "date" ? type : null;
}

// Point and line charts on linear or date axes, and horizontal bar charts; anything else
// (log or category axes, heatmaps, ...) waits for Plotly.
function canPreview(traces, layout) {
  const numbers = (list) => Array.isArray(list) &&
    list.every((v) => v === null || typeof v === "number");
  const dates = (list) => Array.isArray(list) &&
    list.every((v) => v === null || (typeof v === "string" && !isNaN(previewDate(v))));
  const x = axisType(layout.xaxis), y = axisType(layout.yaxis);
  if (!traces.length || !x) return false;
  if (traces.every((t) => t.type === "bar")) {
    return x === "linear" && traces.every((t) => t.orientation === "h" && numbers(t.x) &&
      Array.isArray(t.y));
  }
  return y === "linear" && traces.every((t) => (t.type === "scatter" || t.type === "scattergl") &&
    (x === "date" ? dates(t.x) : numbers(t.x)) && numbers(t.y));
}

function previewRange(lists) {
  let lo = Infinity, hi = -Infinity;
  for (const list of lists) for (const v of list) {
    if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  if (lo === Infinity) return [0, 1];
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.05;
  return [lo - pad, hi + pad];
}

// About five round-numbered ticks between lo and hi (round times on a date axis).
function previewTicks([lo, hi], date) {
  const raw = (hi - lo) / 5;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = date ? (DATE_STEPS.find((s) => s >= raw) || raw)
    : magnitude * ([1, 2, 5, 10].find((m) => m * magnitude >= raw) || 10);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) ticks.push(+v.toPrecision(12));
  return { ticks, label: date ? (v) => {
    const iso = new Date(v).toISOString();
    return step >= DAY ? iso.slice(0, 10) : iso.slice(11, step >= 60000 ? 16 : 19);
  } : fmt };
}

// Plotly labels arrive with user text as entities (see pt()); the canvas shows plain text.
function previewText(s) {
  return String(s === undefined || s === null ? "" : s)
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
function titleOf(axis) { return previewText(axis && axis.title && axis.title.text); }

function previewCanvas(div) {
  const width = div.clientWidth || 600, height = div.clientHeight || 380;
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.className = "preview";
  canvas.width = width * ratio; canvas.height = height * ratio;
  canvas.style.width = `${width}px`; canvas.style.height = `${height}px`;
  div.replaceChildren(canvas);
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  const dark = document.body.classList.contains("dark");
  ctx.fillStyle = dark ? "#111827" : "#ffffff";
  ctx.fillRect(0, 0, width, height);
  ctx.font = "12px sans-serif";
  ctx.strokeStyle = dark ? "#374151" : "#eeeeee";
  ctx.fillStyle = dark ? "#e5e7eb" : "#444444";
  return { ctx, width, height, text: ctx.fillStyle };
}

function drawPreview(div, traces, layout) {
  const { ctx, width, height, text } = previewCanvas(div);
  const bars = traces[0].type === "bar";
  const categories = bars ? [...new Set(traces.flatMap((t) => t.y.map(previewText)))] : [];
  const left = bars ? Math.max(60, ...categories.map((c) => ctx.measureText(c).width + 16)) : 60;
  const m = { l: left, r: 40, t: 36, b: 70 }, w = width - m.l - m.r, h = height - m.t - m.b;
  const date = axisType(layout.xaxis) === "date";
  const xs = traces.map((t) => (date ? t.x.map(previewDate) : t.x));
  const xr = bars ? previewRange([[0], ...xs]) : previewRange(xs);
  const yr = bars ? [0, categories.length] : previewRange(traces.map((t) => t.y));
  const px = (v) => m.l + (v - xr[0]) / (xr[1] - xr[0]) * w;
  const py = (v) => m.t + h - (v - yr[0]) / (yr[1] - yr[0]) * h;
  const xTicks = previewTicks(xr, date);
  ctx.textAlign = "center";
  for (const v of xTicks.ticks) {
    ctx.beginPath(); ctx.moveTo(px(v), m.t); ctx.lineTo(px(v), m.t + h); ctx.stroke();
    ctx.fillText(xTicks.label(v), px(v), m.t + h + 16);
  }
  ctx.textAlign = "right";
  if (bars) categories.forEach((c, i) => ctx.fillText(c, m.l - 6, py(i + 0.5) + 4));
  else {
    const yTicks = previewTicks(yr, false);
    for (const v of yTicks.ticks) {
      ctx.beginPath(); ctx.moveTo(m.l, py(v)); ctx.lineTo(m.l + w, py(v)); ctx.stroke();
      ctx.fillText(yTicks.label(v), m.l - 6, py(v) + 4);
    }
  }
  ctx.textAlign = "center";
  ctx.fillText(titleOf(layout.xaxis), m.l + w / 2, m.t + h + 36);
  ctx.save(); ctx.translate(14, m.t + h / 2); ctx.rotate(-Math.PI / 2);
  ctx.fillText(titleOf(layout.yaxis), 0, 0);
  ctx.restore();
  traces.forEach((t, i) => {
    const color = PREVIEW_COLORS[i % PREVIEW_COLORS.length];
    if (bars) previewBars(ctx, t, { i, n: traces.length, categories, color, px, py, text });
    else previewTrace(ctx, { ...t, x: xs[i] }, color, px, py, m, w, h);
  });
}

function previewBars(ctx, t, { i, n, categories, color, px, py, text }) {
  const band = py(0) - py(1), thick = band * 0.8 / n;
  ctx.textAlign = "left";
  t.x.forEach((v, j) => {
    if (!Number.isFinite(v)) return;
    const top = py(categories.indexOf(previewText(t.y[j])) + 1) + band * 0.1 + i * thick;
    ctx.fillStyle = (t.marker && typeof t.marker.color === "string" && t.marker.color) || color;
    ctx.fillRect(Math.min(px(0), px(v)), top, Math.abs(px(v) - px(0)), thick);
    if (t.text && t.text[j] !== undefined) {
      ctx.fillStyle = text;
      ctx.fillText(previewText(t.text[j]), Math.max(px(0), px(v)) + 4, top + thick / 2 + 4);
    }
  });
}

function previewTrace(ctx, t, fallback, px, py, m, w, h) {
  ctx.save();
  ctx.beginPath(); ctx.rect(m.l, m.t, w, h); ctx.clip();
  const mode = t.mode || "markers";
  if (mode.includes("lines")) {
    ctx.strokeStyle = (t.line && t.line.color) || fallback;
    ctx.lineWidth = (t.line && t.line.width) || 2;
    const steps = t.line && t.line.shape === "hv";
    ctx.beginPath();
    let last = null;
    t.x.forEach((x, j) => {
      const y = t.y[j];
      if (!Number.isFinite(x) || !Number.isFinite(y)) { last = null; return; }
      if (last === null) ctx.moveTo(px(x), py(y));
      else { if (steps) ctx.lineTo(px(x), py(last)); ctx.lineTo(px(x), py(y)); }
      last = y;
    });
    ctx.stroke();
  }
  if (mode.includes("markers")) {
    const color = t.marker && t.marker.color;
    ctx.fillStyle = typeof color === "string" ? color : fallback;
    const r = ((t.marker && t.marker.size) || 6) / 2;
    ctx.beginPath();
    t.x.forEach((x, j) => {
      const y = t.y[j];
      if (!Number.isFinite(x) || !Number.isFinite(y)) return;
      ctx.moveTo(px(x) + r, py(y));
      ctx.arc(px(x), py(y), r, 0, 2 * Math.PI);
    });
    ctx.fill();
  }
  ctx.restore();
}
