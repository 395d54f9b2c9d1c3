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

async function api(method, path, body) {
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

async function plot(div, traces, layout) {
  await plotlyReady;
  // The top margin holds Plotly's mode bar, so it never covers a trace (e.g. the top bar).
  const dark = document.body.classList.contains("dark");
  const base = { margin: { l: 60, r: 20, t: 36, b: 50 }, showlegend: true,
    ...(dark ? { paper_bgcolor: "#111827", plot_bgcolor: "#111827", font: { color: "#e5e7eb" } } : {}),
    legend: { orientation: "h", y: -0.2 }, uirevision: "keep" };
  const merged = Object.assign(base, layout || {});
  if (dark) for (const axis of ["xaxis", "yaxis"]) merged[axis] = { gridcolor: "#374151", ...merged[axis] };
  return Plotly.react(div, traces, merged,
    { responsive: true, displaylogo: false });
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
  S.charts = [];
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

// ---------- charts ----------
function objectiveSelect(onchange) {
  const st = S.study;
  if (st.directions.length < 2) return null;
  return el("select", { onchange }, st.objective_names.map((n, i) =>
    el("option", { value: i, text: n })));
}

function paramSelect(value, onchange) {
  return el("select", { onchange }, S.study.params.map((p) =>
    el("option", { value: p.name, text: p.name, selected: p.name === value })));
}

function chartCard(kind, title, options) {
  const div = el("div", { class: "chart", id: `chart-${kind}` });
  const controls = el("div", { class: "row" });
  const caption = el("div", { class: "muted sampled", id: `sampled-${kind}` });
  const card = el("div", { class: "card chart-card" }, el("h3", { text: title }), controls, div,
    caption);
  const chart = { kind, div, query: options.query || {}, visible: false, loaded: -1,
    render: options.render, card };
  chart.fetch = () => api("GET", `/api/studies/${S.studyId}/charts/${kind}?` +
    new URLSearchParams(chart.query).toString());
  chart.draw = async (res) => {
    chart.loaded = res.cursor;
    chart.extra = res.extra;
    const sampled = res.extra && res.extra.sampled;
    caption.textContent = sampled ? `${sampled.shown} of ${sampled.of} trials drawn ` +
      "(every best-so-far trial, the best, the worst and the outliers included)" : "";
    await chart.render(div, res.data, chart);
    div.dataset.renderedAt = String(Math.round(performance.now()));  // for timing tests
  };
  chart.reload = () => queueChart(chart);
  if (options.controls) options.controls(controls, chart);
  S.charts.push(chart);
  new IntersectionObserver((entries) => {
    chart.visible = entries[0].isIntersecting;
    if (chart.visible && chart.loaded < S.cursor) queueChart(chart);
  }).observe(card);
  return card;
}

// Charts are fetched at once but drawn one after another, in page order: the first
// (history) is not slowed down by the drawing of the others.
function queueChart(chart) {
  const answer = chart.fetch();
  answer.catch(() => {});  // reported when its turn to draw comes
  S.chartQueue = (S.chartQueue || Promise.resolve()).then(() => answer.then(chart.draw))
    .catch((e) => { chart.div.replaceChildren(el("p", { class: "muted", text: e.message })); });
  return S.chartQueue;
}

function renderChartsTab(body) {
  const st = S.study;
  const multi = st.directions.length > 1;
  const available = new Set(S.meta.charts);
  const cards = [];
  const objectiveControl = (controls, chart) => {
    const sel = objectiveSelect((e) => { chart.query.objective = e.target.value; chart.reload(); });
    if (sel) controls.append("Objective ", sel);
  };
  const add = (kind, title, options) => {
    if (available.has(kind)) cards.push(chartCard(kind, title, options));
  };
  add("history", "Optimization history", { render: renderHistory, controls: (c, chart) => {
    objectiveControl(c, chart);
    c.append(el("label", {}, el("input", { type: "checkbox", id: "history-log",
      onchange: (e) => { chart.log = e.target.checked; chart.reload(); } }), " log scale"));
  } });
  if (multi) add("pareto", "Pareto front", { render: renderPareto });
  add("importances", "Hyperparameter importances", { render: renderImportances });
  if (st.has_intermediate_values) add("intermediate", "Intermediate values", { render: renderIntermediate });
  add("timeline", "Timeline (latest 1000 trials)", { render: renderTimeline,
    query: { n_recent: 1000 } });
  add("slice", "Slice", { render: renderSlice, controls: (c, chart) => {
    objectiveControl(c, chart);
    // Only the shown param is fetched (all of them at 100,000 trials is ~50 MB).
    if (st.params.length) c.append("Param ", paramSelect(st.params[0].name, (e) => {
      chart.param = e.target.value; chart.query.params = JSON.stringify([chart.param]);
      chart.reload(); }));
    chart.param = st.params.length ? st.params[0].name : null;
    if (chart.param) chart.query.params = JSON.stringify([chart.param]);
  } });
  add("parallel", "Parallel coordinates (brush an axis to filter the trials table)", {
    render: renderParallel, controls: objectiveControl });
  if (st.params.length >= 2) add("contour", "Contour", { render: renderContour,
    query: { params: JSON.stringify([st.params[0].name, st.params[1].name]) },
    controls: pairControls });
  if (st.params.length >= 2) add("rank", "Rank", { render: renderRank,
    query: { params: JSON.stringify([st.params[0].name, st.params[1].name]) },
    controls: pairControls });
  add("edf", "Empirical distribution function", { render: renderEdf, controls: objectiveControl });
  const grid = el("div", { class: "grid" }, cards);
  body.replaceChildren(grid);
  addUserFigures(grid);
}

function pairControls(controls, chart) {
  const st = S.study;
  let [x, y] = JSON.parse(chart.query.params);
  const update = () => { chart.query.params = JSON.stringify([x, y]); chart.reload(); };
  const sel = objectiveSelect((e) => { chart.query.objective = e.target.value; chart.reload(); });
  if (sel) controls.append("Objective ", sel);
  controls.append("x ", paramSelect(x, (e) => { x = e.target.value; update(); }),
    " y ", paramSelect(y, (e) => { y = e.target.value; update(); }));
  if (st.params.length < 2) controls.append("needs two params");
}

// SVG draws one node per point: above a thousand, WebGL is faster even without a GPU.
function scatterType(n) { return n > 1000 ? "scattergl" : "scatter"; }

function renderHistory(div, data, chart) {
  const info = data[0];
  if (!info) return div.replaceChildren(el("p", { class: "muted", text: "No trials yet." }));
  const vi = info.values_info;
  const feasible = { x: [], y: [] };
  const infeasible = { x: [], y: [] };
  info.trial_numbers.forEach((n, i) => {
    const target = vi.states[i] === "Feasible" ? feasible : vi.states[i] === "Infeasible" ? infeasible : null;
    if (target) { target.x.push(n); target.y.push(num(vi.values[i])); }
  });
  const type = scatterType(feasible.x.length);
  const traces = [{ type, mode: "markers", name: pt(vi.label_name), x: feasible.x, y: feasible.y,
    marker: { size: 5 } }];
  if (infeasible.x.length) traces.push({ type, mode: "markers", name: "Infeasible",
    x: infeasible.x, y: infeasible.y, marker: { color: "#bbb", size: 5 } });
  if (info.best_values_info) traces.push({ type, mode: "lines", name: pt(info.best_values_info.label_name),
    x: info.trial_numbers, y: info.best_values_info.values.map(num),
    line: { color: "#d62728", shape: "hv" } });
  div.dataset.points = String(feasible.x.length + infeasible.x.length);
  return plot(div, traces, { xaxis: { title: { text: "Trial" } },
    yaxis: { title: { text: pt(vi.label_name) }, type: chart.log ? "log" : "linear" } });
}

function renderImportances(div, data) {
  const traces = data.map((info) => ({ type: "bar", orientation: "h", name: pt(info.target_name),
    x: info.importance_values, y: info.param_names.map(pt), text: info.importance_labels,
    textposition: "outside" }));
  return plot(div, traces, { xaxis: { title: { text: "Importance" } }, barmode: "group",
    yaxis: { automargin: true } });
}

function renderIntermediate(div, data, chart) {
  const pruned = new Set((chart.extra && chart.extra.pruned) || []);
  const lines = { done: { x: [], y: [] }, pruned: { x: [], y: [] } };
  const ends = { x: [], y: [], text: [] };
  for (const t of data.trial_infos) {
    const isPruned = pruned.has(t.trial_number);
    const target = isPruned ? lines.pruned : lines.done;
    for (const [step, v] of t.sorted_intermediate_values) { target.x.push(step); target.y.push(num(v)); }
    target.x.push(null); target.y.push(null);
    const last = t.sorted_intermediate_values[t.sorted_intermediate_values.length - 1];
    if (isPruned && last) { ends.x.push(last[0]); ends.y.push(num(last[1])); ends.text.push(`Trial ${t.trial_number}`); }
  }
  const type = scatterType(lines.done.x.length + lines.pruned.x.length);
  return plot(div, [
    { type, mode: "lines", name: "complete / running", ...lines.done, line: { width: 1 } },
    { type, mode: "lines", name: "pruned", ...lines.pruned, line: { width: 1, dash: "dot", color: "#e377c2" } },
    { type, mode: "markers", name: "pruned at", ...ends, marker: { symbol: "x", color: "#e377c2" } },
  ], { xaxis: { title: { text: "Step" } }, yaxis: { title: { text: "Intermediate value" } } });
}

const STATE_COLORS = { COMPLETE: "#1f77b4", FAIL: "#d62728", PRUNED: "#ff7f0e", RUNNING: "#2ca02c",
  WAITING: "#7f7f7f" };

// One line trace per state (each trial a thick segment from start to end) draws 1000 trials
// as a few paths instead of 1000 bar shapes.
function renderTimeline(div, data) {
  const groups = {};
  for (const b of data.bars) {
    const g = groups[b.state] || (groups[b.state] = { x: [], y: [], text: [] });
    g.x.push(b.start, b.complete, null); g.y.push(b.number, b.number, null);
    g.text.push(b.hovertext, b.hovertext, null);
  }
  const traces = Object.entries(groups).map(([state, g]) => ({ type: "scatter", mode: "lines",
    name: state, x: g.x, y: g.y, hovertext: g.text, hoverinfo: "text",
    line: { color: STATE_COLORS[state], width: data.bars.length > 200 ? 3 : 8 } }));
  return plot(div, traces, { xaxis: { type: "date", title: { text: "Datetime" } },
    yaxis: { title: { text: "Trial" } } });
}

function renderPareto(div, data) {
  const n = Math.min(data.n_targets, 3);
  const order = data.axis_order.slice(0, n);
  const trace = (list, name, color) => {
    const t = { name, mode: "markers", text: list.map(([num]) => `Trial ${num}`),
      customdata: list.map(([num]) => num), marker: { color, size: n === 3 ? 3 : 6 } };
    ["x", "y", "z"].slice(0, n).forEach((axis, i) => { t[axis] = list.map(([, v]) => v[order[i]]); });
    t.type = n === 3 ? "scatter3d" : scatterType(list.length);
    return t;
  };
  const traces = [trace(data.non_best_trials_with_values, "Trial", "#9ecae1"),
    trace(data.best_trials_with_values, "Best trial", "#d62728")];
  if (data.infeasible_trials_with_values.length) traces.push(
    trace(data.infeasible_trials_with_values, "Infeasible", "#cccccc"));
  const names = data.target_names.map(pt);
  const layout = n === 3 ? { scene: { xaxis: { title: { text: names[order[0]] } },
    yaxis: { title: { text: names[order[1]] } }, zaxis: { title: { text: names[order[2]] } } } }
    : { xaxis: { title: { text: names[order[0]] } }, yaxis: { title: { text: names[order[1]] } } };
  return plot(div, traces, layout).then(() => {
    div.on("plotly_click", (ev) => openTrial(ev.points[0].customdata));
  });
}

function renderSlice(div, data, chart) {
  const sub = data.subplots.find((s) => s.param_name === chart.param) || data.subplots[0];
  if (!sub) return div.replaceChildren(el("p", { class: "muted", text: "No completed trials." }));
  const trace = { type: scatterType(sub.x.length), mode: "markers", name: pt(sub.param_name),
    x: sub.is_numerical ? sub.x : sub.x.map(pt), y: sub.y.map(num),
    text: sub.trial_numbers.map((n) => `Trial ${n}`),
    marker: { color: sub.trial_numbers, colorscale: "Blues", showscale: true,
      colorbar: { title: { text: "Trial" } } } };
  return plot(div, [trace], { showlegend: false,
    xaxis: { title: { text: pt(sub.param_name) }, type: sub.is_log ? "log" : (sub.is_numerical ? "linear" : "category") },
    yaxis: { title: { text: pt(data.target_name) } } });
}

function renderParallel(div, data) {
  const dims = [...data.dims_objectives, ...data.dims_params];
  if (!dims.length || !dims[0].values.length) {
    return div.replaceChildren(el("p", { class: "muted", text: "No completed trials." }));
  }
  const multi = S.study.directions.length > 1;
  const columns = [...data.dims_objectives.map((d, i) => (!multi ? "value"
    : `values_${data.dims_objectives.length > 1 ? i : objectiveIndex(d.label)}`)),
  ...data.dims_params.map((d) => `params_${paramOfLabel(d.label)}`)];
  div._dims = dims; div._columns = columns;
  // parcoords draws labels as plain text (no markup), so they go in unescaped.
  const trace = { type: "parcoords", dimensions: dims.map((d) => ({ label: d.label,
    values: d.values.map(num), range: d.range, tickvals: d.tickvals.length ? d.tickvals : undefined,
    ticktext: d.ticktext.length ? d.ticktext : undefined })),
    line: { color: data.color_values.map(num), colorscale: "Viridis", reversescale: data.reverse_scale,
      showscale: true, colorbar: { title: { text: pt(data.colorbar_title) } } } };
  return plot(div, [trace], { margin: { l: 70, r: 70, t: 40, b: 30 } }).then(() => {
    div.on("plotly_restyle", () => applyBrush(div));
  });
}
// Axis labels are names, or their first 17 characters plus "..." (see truncate_label).
function paramOfLabel(label) {
  const names = S.study.params.map((p) => p.name);
  if (names.includes(label)) return label;
  const stem = label.endsWith("...") ? label.slice(0, -3) : label;
  return names.find((n) => n.length >= 20 && n.startsWith(stem)) || label;
}
function objectiveIndex(label) {
  const i = S.study.objective_names.indexOf(label);
  return i < 0 ? 0 : i;
}

// Turn parcoords constraint ranges into table filters (positions -> values).
function applyBrush(div) {
  const brush = {};
  div.data[0].dimensions.forEach((dim, i) => {
    const info = div._dims[i];
    let ranges = dim.constraintrange;
    if (!ranges || !ranges.length) return;
    if (!Array.isArray(ranges[0])) ranges = [ranges];
    const column = div._columns[i];
    if (info.is_cat) {
      const keep = [];
      info.tickvals.forEach((tv, j) => {
        if (ranges.some(([lo, hi]) => tv >= lo && tv <= hi)) keep.push(info.ticktext[j]);
      });
      brush[column] = [{ column, op: "in", value: keep }];
    } else {
      const [lo, hi] = ranges[0];
      const conv = (v) => (info.is_log ? Math.pow(10, v) : v);
      brush[column] = [{ column, op: ">=", value: conv(lo) }, { column, op: "<=", value: conv(hi) }];
    }
  });
  S.table.brush = brush;
  S.table.offset = 0;
  if (S.refreshTable) S.refreshTable();
  renderFilterChips();
}

// A categorical axis is drawn on the categories' positions (0, 1, ...) labelled with their
// names; with one, the grid is drawn as cells (heatmap), since interpolating contour lines
// between categories means nothing (and Plotly draws such contours as stripes).
function catAxis(a) {
  if (!a.is_cat) return { title: { text: pt(a.name) }, type: a.is_log ? "log" : "linear" };
  return { title: { text: pt(a.name) }, type: "linear", range: a.range, zeroline: false,
    tickvals: a.indices.map((_, i) => i), ticktext: a.indices.map(pt) };
}

function renderContour(div, data) {
  const sub = data.sub_plot_infos[0] && data.sub_plot_infos[0][0];
  if (!sub) return div.replaceChildren(el("p", { class: "muted", text: "No completed trials." }));
  const cells = sub.xaxis.is_cat || sub.yaxis.is_cat;
  const grid = (a) => (a.is_cat ? a.indices.map((_, i) => i) : a.indices);
  const points = (a) => (a.is_cat ? a.positions.map(num) : a.values);
  const traces = [];
  if (sub.z) traces.push({ type: cells ? "heatmap" : "contour", x: grid(sub.xaxis),
    y: grid(sub.yaxis), z: sub.z.map((r) => r.map(num)), colorscale: "Blues",
    reversescale: data.reverse_scale, hoverongaps: false, name: pt(data.target_name),
    ...(cells ? {} : { connectgaps: true, contours: { coloring: "heatmap" } }) });
  traces.push({ type: scatterType(sub.xaxis.values.length), mode: "markers", name: "Trials",
    x: points(sub.xaxis), y: points(sub.yaxis), marker: { color: "black", size: 4 } });
  return plot(div, traces, { xaxis: catAxis(sub.xaxis), yaxis: catAxis(sub.yaxis),
    showlegend: false });
}

function renderRank(div, data) {
  const sub = data.sub_plot_infos[0] && data.sub_plot_infos[0][0];
  if (!sub) return div.replaceChildren(el("p", { class: "muted", text: "No completed trials." }));
  const axis = (a) => ({ title: { text: pt(a.name) }, type: a.is_log ? "log" : (a.is_cat ? "category" : "linear") });
  const cat = (a, list) => (a.is_cat ? list.map(pt) : list);
  const trace = { type: scatterType(sub.xs.length), mode: "markers", x: cat(sub.xaxis, sub.xs),
    y: cat(sub.yaxis, sub.ys),
    text: sub.trials.map((n, i) => `Trial ${n}: ${fmt(num(sub.zs[i]))}`),
    marker: { color: sub.colors.map(([r, g, b]) => `rgb(${r},${g},${b})`), size: 6 } };
  return plot(div, [trace], { xaxis: axis(sub.xaxis), yaxis: axis(sub.yaxis), showlegend: false });
}

function renderEdf(div, data) {
  const traces = data.lines.map((l) => ({ type: "scatter", mode: "lines", name: pt(l.study_name),
    x: data.x_values.map(num), y: l.y_values, line: { shape: "hv" } }));
  return plot(div, traces, { xaxis: { title: { text: "Objective value" } },
    yaxis: { title: { text: "Cumulative probability" }, range: [0, 1.02] } });
}

// ---------- trials tab ----------
function allFilters() {
  return [...S.table.filters, ...Object.values(S.table.brush).flat()];
}

function renderTrialsTab(body) {
  const st = S.study;
  const columns = ["number", "state", ...(st.directions.length === 1 ? ["value"] :
    st.directions.map((_, i) => `values_${i}`)), ...st.params.map((p) => `params_${p.name}`),
    ...st.user_attr_keys.map((k) => `user_attrs_${k}`), "duration"];
  const colSel = el("select", { id: "filter-column" }, columns.map((c) => el("option", { value: c, text: c })));
  const opSel = el("select", { id: "filter-op" }, ["==", "!=", "<", "<=", ">", ">=", "contains", "in"]
    .map((o) => el("option", { value: o, text: o })));
  const valIn = el("input", { id: "filter-value", placeholder: "value (in: a,b,c)" });
  const addFilter = el("button", { id: "filter-add", text: "Add filter", onclick: () => {
    let value = valIn.value;
    if (opSel.value === "in") value = value.split(",").map((v) => v.trim());
    else if (value !== "" && !isNaN(Number(value)) && colSel.value !== "state") value = Number(value);
    S.table.filters.push({ column: colSel.value, op: opSel.value, value });
    S.table.offset = 0; renderFilterChips(); refresh();
  } });
  const stateBox = el("span", {}, ["COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING"].map((s) =>
    el("label", {}, el("input", { type: "checkbox", checked: true, "data-state": s, onchange: () => {
      const on = [...stateBox.querySelectorAll("input:checked")].map((i) => i.dataset.state);
      S.table.filters = S.table.filters.filter((f) => f.column !== "state");
      if (on.length < 5) S.table.filters.push({ column: "state", op: "in", value: on });
      S.table.offset = 0; renderFilterChips(); refresh();
    } }), ` ${s.toLowerCase()} `)));
  const csv = el("a", { id: "csv-link", text: "Download CSV", href: "#" });
  const table = el("table", { id: "trials-table" });
  const pager = el("div", { class: "row", id: "pager" });
  const detail = el("div", { class: "card", id: "trial-detail" },
    el("p", { class: "muted", text: "Select a trial." }));
  const parallel = chartCard("parallel", "Parallel coordinates (brush axes to filter the table)",
    { render: renderParallel });
  body.replaceChildren(
    S.meta.charts.includes("parallel") ? parallel : el("span"),
    el("div", { class: "card" }, el("div", { class: "row" }, colSel, opSel, valIn, addFilter,
      el("span", { class: "spacer" }), stateBox, csv), el("div", { class: "row", id: "filter-chips" })),
    el("div", { class: "split" }, el("div", {}, el("div", { class: "table-wrap" }, table), pager),
      el("div", {}, detail, enqueueCard())));
  async function refresh() {
    const t = S.table;
    const q = new URLSearchParams({ offset: t.offset, limit: t.limit,
      filters: JSON.stringify(allFilters()) });
    if (t.sort) { q.set("sort", t.sort); q.set("desc", t.desc ? "1" : "0"); }
    csv.href = `/api/studies/${S.studyId}/trials.csv?` + new URLSearchParams({
      filters: JSON.stringify(allFilters()), sort: t.sort || "number", desc: t.desc ? "1" : "0" });
    try {
      const page = await api("GET", `/api/studies/${S.studyId}/trials?${q}`);
      drawTable(table, page); drawPager(pager, page);
    } catch (e) { showError(e); }
  }
  S.refreshTable = refresh;
  renderFilterChips();
  refresh();
  if (S.table.selected !== null) openTrial(S.table.selected);
}

function renderFilterChips() {
  const box = $("filter-chips");
  if (!box) return;
  const chips = S.table.filters.map((f, i) => el("span", { class: "chip" },
    `${f.column} ${f.op} ${fmt(f.value)}`, el("button", { text: "×", title: "remove",
      onclick: () => { S.table.filters.splice(i, 1); renderFilterChips(); S.refreshTable(); } })));
  for (const [column, fs] of Object.entries(S.table.brush)) {
    chips.push(el("span", { class: "chip" }, `brushed ${column}: ` +
      fs.map((f) => `${f.op} ${fmt(f.value)}`).join(" "), el("button", { text: "×",
      onclick: () => { delete S.table.brush[column]; renderFilterChips(); S.refreshTable(); } })));
  }
  box.replaceChildren(...chips);
}

function cellOf(row, column) {
  if (column.startsWith("params_")) return row.params[column.slice(7)];
  if (column.startsWith("user_attrs_")) return row.user_attrs[column.slice(11)];
  if (column === "value") return row.values ? num(row.values[0]) : null;
  if (column.startsWith("values_")) return row.values ? num(row.values[Number(column.slice(7))]) : null;
  if (column.startsWith("datetime")) return when(row[column]);
  return row[column];
}

function drawTable(table, page) {
  const t = S.table;
  const head = el("tr", {}, page.columns.map((c) => el("th", { "data-column": c,
    text: c + (t.sort === c ? (t.desc ? " ▼" : " ▲") : ""), onclick: () => {
      if (t.sort === c) t.desc = !t.desc; else { t.sort = c; t.desc = false; }
      t.offset = 0; S.refreshTable();
    } })));
  const rows = page.rows.map((r) => el("tr", { "data-number": r.number,
    class: r.number === t.selected ? "selected" : "", onclick: () => openTrial(r.number) },
    page.columns.map((c) => {
      const v = cellOf(r, c);
      return el("td", { class: c === "state" ? `state-${v}` : "", text: fmt(v), title: fmt(v) });
    })));
  table.replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
}

function drawPager(pager, page) {
  const t = S.table;
  const pages = Math.max(1, Math.ceil(page.total / t.limit));
  const current = Math.floor(t.offset / t.limit) + 1;
  const go = (p) => { t.offset = (Math.min(Math.max(p, 1), pages) - 1) * t.limit; S.refreshTable(); };
  const jump = el("input", { type: "number", min: 1, max: pages, value: current, style: "width:80px",
    onchange: (e) => go(Number(e.target.value)) });
  const size = el("select", { onchange: (e) => { t.limit = Number(e.target.value); go(1); } },
    [20, 50, 100, 500].map((n) => el("option", { value: n, text: `${n} / page`, selected: n === t.limit })));
  pager.replaceChildren(el("button", { text: "«", onclick: () => go(1) }),
    el("button", { text: "‹", id: "page-prev", onclick: () => go(current - 1) }),
    "Page ", jump, ` of ${pages}`, el("button", { text: "›", id: "page-next", onclick: () => go(current + 1) }),
    el("button", { text: "»", onclick: () => go(pages) }), size,
    el("span", { id: "table-total", class: "muted", text: `${page.total} of ${page.n_trials} trials` }));
}

function kv(entries) {
  return el("div", { class: "kv" }, entries.flatMap(([k, v]) => [el("div", { text: k }),
    el("div", { text: fmt(v) })]));
}

async function openTrial(number) {
  if (S.tab !== "trials") { S.table.selected = number; location.hash = `#/studies/${S.studyId}/trials`; return; }
  S.table.selected = number;
  document.querySelectorAll("#trials-table tr.selected").forEach((r) => r.classList.remove("selected"));
  const rowEl = document.querySelector(`#trials-table tr[data-number="${number}"]`);
  if (rowEl) rowEl.classList.add("selected");
  const box = $("trial-detail");
  let d;
  try { d = await api("GET", `/api/studies/${S.studyId}/trials/${number}`); }
  catch (e) { box.replaceChildren(el("p", { class: "error", text: e.message })); return; }
  const r = d.row;
  const parts = [el("h3", { text: `Trial ${r.number}` }),
    kv([["state", r.state], ["values", r.values ? r.values.map((v) => fmt(num(v))).join(", ") : ""],
      ["started", when(r.datetime_start)], ["completed", when(r.datetime_complete)],
      ["duration (s)", r.duration], ...(d.constraints ? [["constraints", d.constraints.join(", ")],
        ["feasible", String(d.feasible)]] : [])]),
    el("h4", { text: "Params" }), kv(Object.entries(r.params)),
    el("h4", { text: "User attrs" }), kv(Object.entries(r.user_attrs))];
  if (d.intermediate_values.length) {
    const iv = el("div", { class: "chart", style: "height:220px" });
    parts.push(el("h4", { text: "Intermediate values" }), iv);
    setTimeout(() => plot(iv, [{ type: "scatter", mode: "lines+markers",
      x: d.intermediate_values.map((p) => p[0]), y: d.intermediate_values.map((p) => num(p[1])) }],
    { showlegend: false }), 0);
  }
  const sys = el("div");
  parts.push(el("button", { text: "Show system attrs", onclick: async () => {
    const full = await api("GET", `/api/studies/${S.studyId}/trials/${number}?system_attrs=1`);
    sys.replaceChildren(kv(Object.entries(full.system_attrs || {})));
  } }), sys);
  if (r.state === "RUNNING" && S.study.form_widgets && !S.meta.read_only) parts.push(hitlForm(r));
  if ((r.state === "RUNNING" || r.state === "WAITING") && !S.meta.read_only) parts.push(tellForm(r));
  parts.push(el("h4", { text: "Note" }),
    noteEditor(d.note, `/api/studies/${S.studyId}/trials/${number}/note`));
  parts.push(el("h4", { text: "Artifacts" }),
    artifactPanel(`/api/studies/${S.studyId}/trials/${number}/artifacts`));
  box.replaceChildren(...parts);
}

function tellForm(r) {
  const values = el("input", { id: "tell-values", placeholder: S.study.directions.length > 1 ?
    "values, comma-separated" : "value" });
  const state = el("select", { id: "tell-state" }, ["COMPLETE", "PRUNED", "FAIL"].map((s) =>
    el("option", { value: s, text: s })));
  const send = el("button", { class: "primary", id: "tell-submit", text: "Finish trial", onclick: async () => {
    const body = { state: state.value };
    if (state.value === "COMPLETE") body.values = values.value.split(",").map((v) => Number(v.trim()));
    try {
      await api("POST", `/api/studies/${S.studyId}/trials/${r.number}/tell`, body);
      await poll(true); openTrial(r.number);
    } catch (e) { showError(e); }
  } });
  return el("div", { class: "card" }, el("h4", { text: "Finish this trial (human in the loop)" }),
    el("div", { class: "row" }, state, values, send));
}

function enqueueCard() {
  if (S.meta.read_only) return el("span");
  const inputs = S.study.params.map((p) => [p, el("input", { "data-param": p.name,
    placeholder: p.choices ? p.choices.map(fmt).join(" | ") : `${fmt(p.low)} … ${fmt(p.high)}` })]);
  const send = el("button", { class: "primary", id: "enqueue-submit", text: "Enqueue trial",
    onclick: async () => {
      const params = {};
      for (const [p, input] of inputs) {
        if (input.value === "") continue;
        if (p.choices) params[p.name] = p.choices.find((c) => String(c) === input.value) ?? input.value;
        else params[p.name] = Number(input.value);
      }
      try { await api("POST", `/api/studies/${S.studyId}/enqueue`, { params }); await poll(true); }
      catch (e) { showError(e); }
    } });
  return el("div", { class: "card" }, el("h4", { text: "Enqueue a trial with these params" }),
    el("div", { class: "kv" }, inputs.flatMap(([p, input]) => [el("div", { text: p.name }), input])),
    el("div", { class: "row" }, send));
}

// ---------- human-in-the-loop forms (register_*_form_widgets) ----------
// Labels and descriptions are the script's strings: inserted as text, never as HTML.
function widgetInput(w, i, r, objective) {
  const label = el("div", { class: "hitl-label", text: w.description || w.key || w.user_attr_key || "" });
  if (w.type === "choice") {
    const buttons = w.choices.map((c, j) => el("label", { class: "hitl-option" },
      el("input", { type: "radio", name: `hitl-${i}`, value: j, "data-widget": i }), " ", c));
    return [el("div", { class: "hitl-widget" }, label, buttons), () => {
      const picked = buttons.map((b) => b.querySelector("input")).find((b) => b.checked);
      if (!picked) throw new Error(`Pick a choice for "${label.textContent}".`);
      return w.values[Number(picked.value)];
    }];
  }
  if (w.type === "slider") {
    const shown = el("span", { class: "muted", text: fmt(w.min) });
    const input = el("input", { type: "range", min: w.min, max: w.max, step: w.step ?? "any",
      value: w.min, "data-widget": i, oninput: () => { shown.textContent = input.value; } });
    const ticks = (w.labels || []).map((l) => el("span", { class: "chip", text: `${fmt(l.value)}: ${l.label}` }));
    return [el("div", { class: "hitl-widget" }, label, el("div", { class: "row" }, input, shown), ticks),
      () => Number(input.value)];
  }
  if (w.type === "text") {
    const input = el("input", { type: "text", "data-widget": i, placeholder: objective ? "a number" : "" });
    return [el("div", { class: "hitl-widget" }, label, input), () => {
      if (!objective) {
        if (!input.value && !w.optional) throw new Error(`"${label.textContent}" needs an answer.`);
        return input.value;
      }
      const value = Number(input.value);
      if (input.value.trim() === "" || !Number.isFinite(value)) throw new Error(`"${label.textContent}" needs a number.`);
      return value;
    }];
  }
  // user_attr: the script stores the value in the trial's user attribute.
  const value = r.user_attrs[w.key];
  return [el("div", { class: "hitl-widget" }, el("div", { class: "hitl-label",
    text: `${w.key} (user attribute): ${value === undefined ? "not set yet" : fmt(value)}` })), () => {
    if (typeof value !== "number") throw new Error(`User attribute "${w.key}" is not a number yet.`);
    return value;
  }];
}

function hitlForm(r) {
  const form = S.study.form_widgets;
  const objective = form.output_type === "objective";
  const widgets = form.widgets.map((w, i) => widgetInput(w, i, r, objective));
  const send = el("button", { class: "primary", id: "hitl-submit", text: "Submit", onclick: async () => {
    try {
      const answers = widgets.map(([, get]) => get());
      if (objective) {
        await api("POST", `/api/studies/${S.studyId}/trials/${r.number}/tell`,
          { state: "COMPLETE", values: answers });
      } else {
        const user_attrs = {};
        form.widgets.forEach((w, i) => { user_attrs[w.user_attr_key] = answers[i]; });
        await api("POST", `/api/studies/${S.studyId}/trials/${r.number}/user-attrs`, { user_attrs });
      }
      setStatus(`trial ${r.number}: answers saved`);
      await poll(true); openTrial(r.number);
    } catch (e) { showError(e); }
  } });
  return el("div", { class: "card hitl-form", id: "hitl-form" },
    el("h4", { text: objective ? "Your evaluation (finishes the trial)" : "Your annotations" }),
    widgets.map(([node]) => node), el("div", { class: "row" }, send));
}

// ---------- user-defined figures (save_plotly_graph_object) ----------
// Plotly draws titles as its own small markup (no scripts, no javascript: links), and the
// page's CSP refuses inline handlers: a figure's strings cannot run code.
async function addUserFigures(grid) {
  let figures;
  try { figures = (await api("GET", `/api/studies/${S.studyId}/figures`)).figures; }
  catch (e) { return; }
  figures.forEach((f, i) => {
    const div = el("div", { class: "chart", id: `figure-${i}` });
    grid.append(el("div", { class: "card chart-card user-figure" },
      el("h3", { text: `Figure ${f.graph_object_id}` }), div));
    plotlyReady.then(() => Plotly.react(div, f.figure.data || [], f.figure.layout || {},
      { responsive: true, displaylogo: false })).then(() => {
      div.dataset.renderedAt = String(Math.round(performance.now()));
    }).catch((e) => div.replaceChildren(el("p", { class: "muted", text: e.message })));
  });
}

// ---------- preferential studies: compare candidates, pick the worst, undo ----------
async function renderCompareTab(body) {
  const url = `/api/studies/${S.studyId}/preferences`;
  let page;
  try { page = await api("GET", url); }
  catch (e) { body.replaceChildren(el("p", { class: "error", text: e.message })); return; }
  const numbers = page.candidates.map((c) => c.row.number);
  const pick = async (worst) => {
    try { await api("POST", url, { candidates: numbers, worst }); renderCompareTab(body); }
    catch (e) { showError(e); }
  };
  const cards = page.candidates.map((c) => {
    const feedback = el("div", { class: "note-html" });
    feedback.innerHTML = c.note_html;  // escaped and rendered by the server (see _markdown.py)
    const key = page.component.artifact_key;
    if (page.component.output_type === "artifact" && key && c.row.user_attrs[key]) {
      const img = el("img", { class: "artifact-image", alt: String(c.row.user_attrs[key]) });
      fetch(`/api/studies/${S.studyId}/trials/${c.row.number}/artifacts/` +
        encodeURIComponent(c.row.user_attrs[key]), { credentials: "same-origin" })
        .then((r) => (r.ok ? r.blob() : null)).then((b) => { if (b) img.src = URL.createObjectURL(b); });
      feedback.replaceChildren(img);
    }
    return el("div", { class: "card candidate", "data-number": c.row.number },
      el("h3", { text: `Trial ${c.row.number}` }), kv(Object.entries(c.row.params)), feedback,
      el("button", { class: "danger worst", text: "Worst of these", disabled: S.meta.read_only ||
        numbers.length < 2, onclick: () => pick(c.row.number) }));
  });
  const history = page.answers.map((a) => el("li", { class: "answer" },
    a.pairs.map(([b, w]) => `${b} ≻ ${w}`).join(", "), " ",
    el("button", { class: "undo", text: "Undo", disabled: S.meta.read_only, onclick: async () => {
      try { await api("DELETE", `${url}/${encodeURIComponent(a.answer_id)}`); renderCompareTab(body); }
      catch (e) { showError(e); }
    } })));
  body.replaceChildren(
    el("p", { class: "muted", text: numbers.length < 2 ? "Waiting for the script to ask new candidates…" :
      `Pick the worst of these ${numbers.length} candidates (the script keeps ${page.n_generate} in play).` }),
    el("div", { class: "grid", id: "candidates" }, cards),
    el("div", { class: "card" }, el("h3", { text: "Answers" }), el("ol", { id: "answers" }, history)));
  S.refreshCompare = () => { if (S.tab === "compare") renderCompareTab(body); };
}

// ---------- notes ----------
function noteEditor(note, url) {
  let version = note.version;
  const preview = el("div", { class: "note-html" });
  preview.innerHTML = note.html; // escaped and rendered by the server (see _markdown.py)
  const area = el("textarea", { class: "note-input", value: note.body, disabled: S.meta.read_only });
  const save = el("button", { class: "primary note-save", text: "Save note", disabled: S.meta.read_only,
    onclick: async () => {
      try {
        const saved = await api("PUT", url, { version: version + 1, body: area.value });
        version = saved.version; preview.innerHTML = saved.html;
        setStatus("note saved");
      } catch (e) { showError(e); }
    } });
  return el("div", {}, area, el("div", { class: "row" }, save), preview);
}

function renderNoteTab(body) {
  body.replaceChildren(el("div", { class: "card" }, el("h3", { text: "Study note (Markdown)" }),
    noteEditor(S.study.note, `/api/studies/${S.studyId}/note`)));
}

// ---------- artifacts ----------
// Bodies are fetched and shown as text nodes, table cells or blob: images; the server sends
// them as downloads with a sandboxing CSP, so nothing in an artifact can run in the page.
const PREVIEW_CHARS = 100000;

function artifactPanel(listUrl) {
  const box = el("div", { class: "artifacts" }, el("p", { class: "muted", text: "loading…" }));
  api("GET", listUrl).then((list) => {
    if (!list.artifacts.length) {
      box.replaceChildren(el("p", { class: "muted", text: "No artifacts." })); return;
    }
    const preview = el("div", { class: "artifact-preview" });
    const rows = list.artifacts.map((a) => el("tr", {},
      el("td", { text: a.filename }), el("td", { text: a.mimetype }),
      el("td", {}, list.store_configured ? [
        el("a", { href: a.url, download: a.filename, text: "Download" }), " ",
        a.preview ? el("button", { text: "Preview", onclick: () => showArtifact(a, preview) }) : null,
      ] : el("span", { class: "muted", text: "no artifact store (--artifact-dir)" }))));
    box.replaceChildren(el("table", { class: "artifact-table" },
      el("thead", {}, el("tr", {}, el("th", { text: "file" }), el("th", { text: "type" }), el("th"))),
      el("tbody", {}, rows)), preview);
  }).catch((e) => box.replaceChildren(el("p", { class: "error", text: e.message })));
  return box;
}

async function showArtifact(a, target) {
  target.replaceChildren(el("p", { class: "muted", text: `loading ${a.filename}…` }));
  try {
    const res = await fetch(a.url, { credentials: "same-origin" });
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || res.statusText);
    const title = el("h4", { text: a.filename });
    if (a.preview === "image") {
      const img = el("img", { class: "artifact-image", alt: a.filename });
      img.src = URL.createObjectURL(await res.blob());
      target.replaceChildren(title, img);
    } else if (a.preview === "csv") {
      target.replaceChildren(title, csvTable((await res.text()).slice(0, PREVIEW_CHARS)));
    } else {
      target.replaceChildren(title, el("pre", { class: "artifact-text",
        text: (await res.text()).slice(0, PREVIEW_CHARS) }));
    }
  } catch (e) { target.replaceChildren(el("p", { class: "error", text: e.message })); }
}

function csvRows(text) {
  const rows = []; let row = []; let cell = ""; let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; }
    else if (c !== "\r") cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

function csvTable(text) {
  const rows = csvRows(text).slice(0, 500);
  const [head, ...body] = rows.length ? rows : [[]];
  return el("div", { class: "table-wrap" }, el("table", { class: "artifact-csv" },
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { text: h })))),
    el("tbody", {}, body.map((r) => el("tr", {}, r.map((v) => el("td", { text: v })))))));
}

function renderArtifactsTab(body) {
  body.replaceChildren(el("div", { class: "card" }, el("h3", { text: "Study artifacts" }),
    artifactPanel(`/api/studies/${S.studyId}/artifacts`)));
}

// ---------- live updates ----------
async function poll(force) {
  if (S.busy || (!S.live && !force)) return;
  S.busy = true;
  try {
    if (S.studyId === null) { if (S.refreshList) await S.refreshList(); return; }
    const up = await api("GET", `/api/studies/${S.studyId}/updates?cursor=${S.cursor}`);
    setStatus(`updated ${new Date().toLocaleTimeString()}`);
    if (up.cursor === S.cursor && !up.changed.length) return;
    S.cursor = up.cursor;
    Object.assign(S.study, { n_trials: up.n_trials, state_counts: up.state_counts,
      best_values: up.best_values });
    const newColumns = up.params.length !== S.study.params.length;
    S.study.params = up.params; S.study.user_attr_keys = up.user_attr_keys;
    renderSummary();
    if (S.tab === "trials" && S.refreshTable) S.refreshTable();
    if (S.tab === "compare" && S.refreshCompare) S.refreshCompare();
    if (newColumns && S.tab === "charts") return renderStudy();
    // Big studies: charts follow at most every 10 s (the table and counts every poll).
    const now = Date.now();
    if (up.n_trials > 5000 && now - (S.chartsAt || 0) < 10000) return;
    S.chartsAt = now;
    for (const chart of S.charts) if (chart.visible) queueChart(chart);
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
