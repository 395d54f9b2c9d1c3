// The ablation page: /static/ablation.html?study=ID draws GET /api/studies/ID/ablation.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function num(x) { return x === null || x === undefined ? "n/a" : Number(x).toPrecision(4); }

function table(design, confidence) {
  const pct = Math.round(confidence * 100);
  const head = ["variant", "changes", "n", "mean", "effect", `${pct}% CI`, "p", "significant", "interaction"];
  const rows = design.effects.map((e) => el("tr", e.significant ? { class: "significant" } : {},
    el("td", {}, e.variant), el("td", {}, JSON.stringify(e.changes)), el("td", {}, e.n),
    el("td", {}, num(e.mean)), el("td", {}, num(e.effect)),
    el("td", {}, `[${num(e.ci_low)}, ${num(e.ci_high)}]`), el("td", {}, num(e.p_value)),
    el("td", {}, e.significant ? "yes" : "no"), el("td", {}, num(e.interaction))));
  return el("table", {}, el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows));
}

function chart(div, design) {
  if (typeof Plotly === "undefined") return;
  const traces = [false, true].map((sig) => {
    const rows = design.effects.filter((e) => e.significant === sig && e.effect !== null);
    return {
      type: "scatter", mode: "markers", name: sig ? "significant" : "not significant",
      x: rows.map((e) => e.effect), y: rows.map((e) => e.variant),
      marker: { color: sig ? "#d62728" : "#1f77b4", size: 10 },
      error_x: { type: "data", symmetric: false,
        array: rows.map((e) => (e.ci_high === null ? 0 : e.ci_high - e.effect)),
        arrayminus: rows.map((e) => (e.ci_low === null ? 0 : e.effect - e.ci_low)) },
    };
  });
  Plotly.newPlot(div, traces, {
    xaxis: { title: { text: "variant − base" }, zeroline: true },
    yaxis: { type: "category", autorange: "reversed" },
    shapes: [{ type: "line", x0: 0, x1: 0, yref: "paper", y0: 0, y1: 1, line: { dash: "dash", color: "gray" } }],
    margin: { l: 160 }, height: 120 + 40 * design.effects.length,
  }, { responsive: true });
}

async function load() {
  const study = new URLSearchParams(location.search).get("study");
  const main = $("main");
  if (study === null) {
    main.replaceChildren(el("p", {}, "Open this page as ablation.html?study=<study id>."));
    return;
  }
  const query = new URLSearchParams({ test: $("test").value, confidence: $("confidence").value });
  $("status").textContent = "loading…";
  const res = await fetch(`/api/studies/${encodeURIComponent(study)}/ablation?${query}`,
    { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const data = await res.json().catch(() => ({ error: res.statusText }));
  $("status").textContent = "";
  if (!res.ok) {
    main.replaceChildren(el("p", { class: "error" }, data.error || res.statusText));
    return;
  }
  if (data.designs.length === 0) {
    main.replaceChildren(el("p", {}, "This study has no ablation design (see trimtab.ablation)."));
    return;
  }
  const sections = data.designs.map((design) => {
    const plot = el("div", { class: "chart" });
    const pending = design.pending ? ` — ${design.pending} runs still waiting` : "";
    const section = el("section", {},
      el("h2", {}, `Design '${design.name}'`),
      el("p", {}, `base ${JSON.stringify(design.base)}, ${design.n_repeats} seeds per variant${pending}`),
      plot, table(design, data.confidence));
    setTimeout(() => chart(plot, design), 0);
    return section;
  });
  main.replaceChildren(...sections);
}

window.addEventListener("DOMContentLoaded", () => {
  $("test").addEventListener("change", load);
  $("confidence").addEventListener("change", load);
  load();
});
