/* trimtab dashboard: the trials tab (server-side table, filters, brush, trial detail,
 * tell and enqueue). */
"use strict";

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
