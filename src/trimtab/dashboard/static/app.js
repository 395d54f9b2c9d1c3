/* trimtab dashboard front-end: plain JS, no build step, no remote resources.
 * User text is always inserted as text nodes (el()), never as HTML; the only HTML inserted is
 * the note rendering, which the server escapes before applying Markdown. */
"use strict";

const S = {
  meta: null, studyId: null, study: null, cursor: 0, tab: "charts", live: true, busy: false,
  table: { offset: 0, limit: 50, sort: null, desc: false, filters: [], brush: {}, selected: null },
  charts: [], listFilter: "",
};

// ---------- helpers ----------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const $ = (id) => document.getElementById(id);
function num(v) {
  if (v === "NaN" || v === null || v === undefined) return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v;
}
function fmt(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(+v.toPrecision(6));
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}
// Plotly reads a few HTML-like tags in labels; user strings go in as entities.
function pt(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function when(iso) { return iso ? iso.replace("T", " ").slice(0, 19) : ""; }
function setStatus(text) { $("status").textContent = text; }

// A page opened on a study's charts sends its first requests (meta, the study, the history
// chart) while the scripts and Plotly load, instead of one after another. Each answer is
// used once, and only within a few seconds.
const prefetched = new Map();
function prefetch(path) {
  const answer = api("GET", path);
  answer.catch(() => {});  // reported to whoever uses it
  prefetched.set(path, { answer, until: Date.now() + 5000 });
}
prefetch("/api/meta");
{
  const study = location.hash.match(/^#\/studies\/(\d+)(\/charts)?\/?$/);
  if (study) {
    prefetch(`/api/studies/${study[1]}`);
    prefetch(`/api/studies/${study[1]}/charts/history?`);
  }
}

async function api(method, path, body) {
  const early = method === "GET" && prefetched.get(path);
  if (early) {
    prefetched.delete(path);
    if (Date.now() < early.until) return early.answer;
  }
  const opts = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
  if (method !== "GET") opts.headers["X-Trimtab-Dashboard"] = "1";
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function modal(title, nodes, okLabel = "OK", danger = false) {
  return new Promise((resolve) => {
    $("modal-title").textContent = title;
    $("modal-body").replaceChildren(...nodes);
    const ok = $("modal-ok");
    ok.textContent = okLabel;
    ok.className = danger ? "primary danger" : "primary";
    $("modal").hidden = false;
    const done = (answer) => { $("modal").hidden = true; ok.onclick = null; resolve(answer); };
    ok.onclick = () => done(true);
    $("modal-cancel").onclick = () => done(false);
    const first = $("modal-body").querySelector("input,textarea,select");
    if (first) first.focus();
  });
}
function showError(error) {
  modal("Error", [el("p", { class: "error", text: String(error.message || error) })]);
}
// Plotly (4.8 MB) is loaded after this script, so the page and its first requests do not
// wait while the browser parses it; drawing does.
const plotlyReady = new Promise((resolve, reject) => {
  const script = document.createElement("script");
  script.src = "/static/plotly.min.js";
  script.async = true;
  script.onload = resolve;
  script.onerror = () => reject(new Error("Plotly did not load (/static/plotly.min.js)."));
  document.head.append(script);
});

// With `preview`, a point chart asked for before Plotly is ready is drawn at once on a canvas
// (preview.js) and redrawn by Plotly when it is, unless the chart was drawn again meanwhile;
// the promise then resolves before Plotly draws. `dataset.plottedAt` marks Plotly's drawing.
async function plot(div, traces, layout, { preview = false } = {}) {
  const generation = (div._generation || 0) + 1;
  div._generation = generation;
  if (preview && !window.Plotly && canPreview(traces, layout || {})) {
    drawPreview(div, traces, layout || {});
    plotlyReady.then(() => {
      if (div._generation === generation) return plotNow(div, traces, layout);
    }).catch((e) => div.replaceChildren(el("p", { class: "muted", text: e.message })));
    return;
  }
  await plotlyReady;
  return plotNow(div, traces, layout);
}

async function plotNow(div, traces, layout) {
  const preview = div.querySelector("canvas.preview");
  if (preview) preview.remove();
  // The top margin holds Plotly's mode bar, so it never covers a trace (e.g. the top bar).
  const dark = document.body.classList.contains("dark");
  const base = { margin: { l: 60, r: 20, t: 36, b: 50 }, showlegend: true,
    ...(dark ? { paper_bgcolor: "#111827", plot_bgcolor: "#111827", font: { color: "#e5e7eb" } } : {}),
    legend: { orientation: "h", y: -0.2 }, uirevision: "keep" };
  const merged = Object.assign(base, layout || {});
  if (dark) for (const axis of ["xaxis", "yaxis"]) merged[axis] = { gridcolor: "#374151", ...merged[axis] };
  await Plotly.react(div, traces, merged, { responsive: true, displaylogo: false });
  div.dataset.plottedAt = String(Math.round(performance.now()));
  return div;
}

// ---------- routing ----------
function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (parts[0] === "studies" && /^\d+$/.test(parts[1] || "")) {
    const id = Number(parts[1]);
    if (S.studyId !== id) Object.assign(S.table, { offset: 0, sort: null, filters: [], brush: {},
      selected: null });
    S.studyId = id;
    S.tab = parts[2] || "charts";
    if (/^\d+$/.test(parts[3] || "")) S.table.selected = Number(parts[3]);
    return renderStudy();
  }
  S.studyId = null;
  if (parts[0] === "compare") {
    return renderCompareStudies((parts[1] || "").split(",").filter((p) => /^\d+$/.test(p)).map(Number));
  }
  return renderList();
}

// ---------- study list ----------
async function renderList() {
  $("crumb").textContent = "";
  const main = $("main");
  const tbody = el("tbody");
  const search = el("input", { type: "search", id: "study-search", placeholder: "Search studies",
    value: S.listFilter, oninput: (e) => { S.listFilter = e.target.value; fill(); } });
  const name = el("input", { id: "new-name", placeholder: "New study name" });
  const dirs = el("input", { id: "new-directions", value: "minimize",
    title: "comma-separated: minimize, maximize" });
  const create = el("button", { class: "primary", id: "create-study", text: "Create study",
    disabled: S.meta.read_only, onclick: async () => {
      try {
        const directions = dirs.value.split(",").map((d) => d.trim()).filter(Boolean);
        await api("POST", "/api/studies", { study_name: name.value, directions });
        name.value = ""; load();
      } catch (e) { showError(e); }
    } });
  S.compare = new Set();
  const compare = el("button", { id: "compare-studies", text: "Compare selected", onclick: () => {
    if (S.compare.size < 2) return showError("Tick two studies or more to compare them.");
    location.hash = `#/compare/${[...S.compare].join(",")}`;
  } });
  main.replaceChildren(
    el("div", { class: "card" }, el("div", { class: "row" }, search, compare,
      el("span", { class: "spacer" }), name, dirs, create)),
    el("div", { class: "table-wrap" }, el("table", { id: "study-table" },
      el("thead", {}, el("tr", {}, ["", "Name", "Directions", "Trials", "By state", "Best value",
        "Started", "Last activity", ""].map((h) => el("th", { text: h })))), tbody)));
  let studies = [];
  function fill() {
    const q = S.listFilter.toLowerCase();
    tbody.replaceChildren(...studies.filter((s) => s.study_name.toLowerCase().includes(q))
      .map(studyRow));
  }
  async function load() {
    try {
      studies = (await api("GET", "/api/studies")).studies; fill();
      if (studies.some((s) => s.loading)) setTimeout(() => { if (S.studyId === null) load(); }, 500);
    } catch (e) { setStatus(e.message); }
  }
  S.refreshList = load;
  await load();
}

function stateChips(counts) {
  return Object.entries(counts).filter(([, n]) => n > 0)
    .map(([s, n]) => el("span", { class: `chip state-${s}`, text: `${s.toLowerCase()} ${n}` }));
}

function studyRow(s) {
  const open = () => { location.hash = `#/studies/${s.study_id}`; };
  const rename = el("button", { text: "Rename", disabled: S.meta.read_only, onclick: async (e) => {
    e.stopPropagation();
    const input = el("input", { value: s.study_name, id: "rename-input" });
    if (!(await modal(`Rename study "${s.study_name}"`, [input], "Rename"))) return;
    try { await api("POST", `/api/studies/${s.study_id}/rename`, { study_name: input.value });
      S.refreshList(); } catch (err) { showError(err); }
  } });
  const del = el("button", { class: "danger", text: "Delete", disabled: S.meta.read_only,
    onclick: async (e) => {
      e.stopPropagation();
      const input = el("input", { id: "delete-confirm", placeholder: s.study_name });
      const ok = await modal(`Delete study "${s.study_name}" and its ${s.n_trials ?? ""} trials?`,
        [el("p", { text: "Type the study name to confirm." }), input], "Delete", true);
      if (!ok) return;
      if (input.value !== s.study_name) return showError("The name did not match; nothing deleted.");
      try { await api("DELETE", `/api/studies/${s.study_id}`); S.refreshList(); }
      catch (err) { showError(err); }
    } });
  const tick = el("input", { type: "checkbox", class: "compare-tick", checked: S.compare.has(s.study_id),
    onclick: (e) => e.stopPropagation(),
    onchange: (e) => { if (e.target.checked) S.compare.add(s.study_id); else S.compare.delete(s.study_id); } });
  return el("tr", { onclick: open, "data-study": s.study_id }, el("td", {}, tick),
    el("td", {}, el("a", { href: `#/studies/${s.study_id}`, text: s.study_name })),
    el("td", { text: s.directions.join(", ") }),
    el("td", { text: s.loading ? "loading…" : s.n_trials }),
    el("td", {}, s.loading ? [] : stateChips(s.state_counts)),
    el("td", { text: s.best_values ? s.best_values.map(fmt).join(", ") : "" }),
    el("td", { text: when(s.datetime_start) }),
    el("td", { text: when(s.last_activity) }),
    el("td", {}, rename, " ", del));
}

// ---------- compare studies: overlaid best-value histories and EDFs ----------
async function renderCompareStudies(ids) {
  $("crumb").textContent = "/ compare";
  const history = el("div", { class: "chart", id: "compare-history" });
  const edf = el("div", { class: "chart", id: "compare-edf" });
  const note = el("p", { class: "muted" });
  $("main").replaceChildren(el("div", { class: "card" }, el("h2", { text: "Compare studies" }), note),
    el("div", { class: "grid" },
      el("div", { class: "card chart-card" }, el("h3", { text: "Best value so far" }), history),
      el("div", { class: "card chart-card" }, el("h3", { text: "Empirical distribution function" }), edf)));
  const lines = [], edfs = [], skipped = [];
  for (const id of ids) {
    try {
      const st = await api("GET", `/api/studies/${id}`);
      if (st.directions.length > 1) { skipped.push(st.study_name); continue; }
      const [h, e] = await Promise.all([api("GET", `/api/studies/${id}/charts/history`),
        api("GET", `/api/studies/${id}/charts/edf`)]);
      const info = h.data[0];
      if (info && info.best_values_info) lines.push({ type: scatterType(info.trial_numbers.length),
        mode: "lines", name: pt(st.study_name), x: info.trial_numbers,
        y: info.best_values_info.values.map(num), line: { shape: "hv" } });
      for (const l of e.data.lines) edfs.push({ type: "scatter", mode: "lines", name: pt(st.study_name),
        x: e.data.x_values.map(num), y: l.y_values, line: { shape: "hv" } });
    } catch (err) { skipped.push(`study ${id} (${err.message})`); }
  }
  note.textContent = `${lines.length} studies overlaid` +
    (skipped.length ? `; not shown (several objectives or unavailable): ${skipped.join(", ")}` : "");
  await plot(history, lines, { xaxis: { title: { text: "Trial" } }, yaxis: { title: { text: "Best value" } } });
  history.dataset.renderedAt = String(Math.round(performance.now()));
  await plot(edf, edfs, { xaxis: { title: { text: "Objective value" } },
    yaxis: { title: { text: "Cumulative probability" }, range: [0, 1.02] } });
  edf.dataset.renderedAt = String(Math.round(performance.now()));
}

// ---------- study page ----------
async function loadStudy() {
  S.study = await api("GET", `/api/studies/${S.studyId}`);
  S.cursor = S.study.cursor;
}

async function renderStudy() {
  const main = $("main");
  try { await loadStudy(); } catch (e) {
    main.replaceChildren(el("p", { class: "error", text: e.message })); return;
  }
  const st = S.study;
  $("crumb").textContent = "/ " + st.study_name;
  const names = [...(st.preferential ? ["compare"] : []), "charts", "trials", "note", "artifacts"];
  const tabs = el("div", { class: "tabs" }, names.map((t) =>
    el("button", { class: S.tab === t ? "active" : "", text: t[0].toUpperCase() + t.slice(1),
      id: `tab-${t}`, onclick: () => { location.hash = `#/studies/${S.studyId}/${t}`; } })));
  const body = el("div", { id: "tab-body" });
  main.replaceChildren(el("div", { class: "card" }, el("h2", { text: st.study_name }),
    el("div", { id: "study-summary" })), tabs, body);
  renderSummary();
  S.charts = []; S.chartsNext = 0; S.chartsStale = false;
  observeCharts();
  if (S.tab === "trials") renderTrialsTab(body);
  else if (S.tab === "note") renderNoteTab(body);
  else if (S.tab === "artifacts") renderArtifactsTab(body);
  else if (S.tab === "compare") renderCompareTab(body);
  else renderChartsTab(body);
}

function renderSummary() {
  const st = S.study;
  const best = st.best_values ? `best ${st.best_values.map(fmt).join(", ")}`
    : (st.directions.length > 1 ? `${st.best_trial_numbers.length} trials on the Pareto front` : "");
  $("study-summary").replaceChildren(el("div", { class: "row" },
    el("span", { class: "muted", text: st.directions.join(", ") }),
    el("strong", { id: "n-trials", text: `${st.n_trials} trials` }),
    stateChips(st.state_counts), el("span", { id: "best", text: best })));
}

// ---------- live updates ----------
async function poll(force) {
  if (S.busy || (!S.live && !force)) return;
  S.busy = true;
  try {
    if (S.studyId === null) { if (S.refreshList) await S.refreshList(); return; }
    const up = await api("GET", `/api/studies/${S.studyId}/updates?cursor=${S.cursor}`);
    setStatus(`updated ${new Date().toLocaleTimeString()}`);
    if (up.cursor !== S.cursor || up.changed.length) {
      S.cursor = up.cursor;
      Object.assign(S.study, { n_trials: up.n_trials, state_counts: up.state_counts,
        best_values: up.best_values });
      const newColumns = up.params.length !== S.study.params.length;
      S.study.params = up.params; S.study.user_attr_keys = up.user_attr_keys;
      renderSummary();
      if (S.tab === "trials" && S.refreshTable) S.refreshTable();
      if (S.tab === "compare" && S.refreshCompare) S.refreshCompare();
      if (newColumns && S.tab === "charts") return renderStudy();
      S.chartsStale = true;
    }
    // The counts and the table follow every poll; the charts are redrawn at most so often
    // that drawing them takes a fifth of the main thread (a study growing by 50 trials/s
    // would otherwise keep the page busy redrawing), and once more when the study settles.
    if (!S.chartsStale || Date.now() < (S.chartsNext || 0)) return;
    const visible = S.charts.filter((chart) => chart.visible);
    if (!visible.length) return;
    S.chartsStale = false;
    S.chartsNext = Infinity;  // until this round is drawn
    S.drawMs = 0;
    visible.forEach(queueChart);
    S.chartQueue.then(() => { S.chartsNext = Date.now() + 4 * S.drawMs; });
  } catch (e) { setStatus(e.message); } finally { S.busy = false; }
}

async function start() {
  S.meta = await api("GET", "/api/meta");
  $("readonly").hidden = !S.meta.read_only;
  $("live").addEventListener("change", (e) => { S.live = e.target.checked; });
  const dark = $("dark");
  dark.checked = localStorage.getItem("trimtab-dashboard-dark") === "1";
  document.body.classList.toggle("dark", dark.checked);
  dark.addEventListener("change", () => {
    localStorage.setItem("trimtab-dashboard-dark", dark.checked ? "1" : "0");
    document.body.classList.toggle("dark", dark.checked);
    route();  // redraw the charts in the new colours
  });
  window.addEventListener("hashchange", route);
  setInterval(() => poll(false), 2000);
  route();
}

document.addEventListener("DOMContentLoaded", () => start().catch((e) => {
  $("main").replaceChildren(el("p", { class: "error", text: String(e.message || e) }));
}));
