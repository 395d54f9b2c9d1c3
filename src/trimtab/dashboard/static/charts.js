/* trimtab dashboard: the charts tab (one renderer per chart kind; data from the server).
 * User strings reach Plotly through pt() (entities), never as markup. */
"use strict";

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
    const started = performance.now();
    await chart.render(div, res.data, chart);
    S.drawMs = (S.drawMs || 0) + performance.now() - started;
    div.dataset.renderedAt = String(Math.round(performance.now()));  // for timing tests
  };
  chart.reload = () => queueChart(chart);
  if (options.controls) options.controls(controls, chart);
  S.charts.push(chart);
  card._chart = chart;
  S.chartObserver.observe(card);
  return card;
}

// One observer for all the charts of the page: its entries come in the order the cards were
// observed, so the charts in view are queued, and drawn, from the top (history first).
function observeCharts() {
  if (S.chartObserver) S.chartObserver.disconnect();
  S.chartObserver = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const chart = entry.target._chart;
      chart.visible = entry.isIntersecting;
      if (chart.visible && chart.loaded < S.cursor) queueChart(chart);
    }
  });
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

// Point charts get at most 4,000 points from the server (see _sampling.py). SVG draws them
// in about 0.1 s; every WebGL trace costs its own context (with software rendering, as in a
// browser without a GPU, about 0.5 s of CPU per page), so WebGL only above that.
function scatterType(n) { return n > 5000 ? "scattergl" : "scatter"; }

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
    yaxis: { title: { text: pt(vi.label_name) }, type: chart.log ? "log" : "linear" } },
  { preview: true });
}

function renderImportances(div, data) {
  const traces = data.map((info) => ({ type: "bar", orientation: "h", name: pt(info.target_name),
    x: info.importance_values, y: info.param_names.map(pt), text: info.importance_labels,
    textposition: "outside" }));
  return plot(div, traces, { xaxis: { title: { text: "Importance" } }, barmode: "group",
    yaxis: { automargin: true } }, { preview: true });
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
    yaxis: { title: { text: "Trial" } } }, { preview: true });
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
    yaxis: { title: { text: pt(data.target_name) } } }, { preview: true });
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
