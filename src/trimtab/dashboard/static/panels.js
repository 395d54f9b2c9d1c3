/* trimtab dashboard: panels fed by the Python API: human-in-the-loop forms, user figures,
 * the preferential compare page, notes and artifacts. The only HTML inserted is the
 * server-escaped note rendering; everything else goes in as text nodes. */
"use strict";

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
  const reload = () => api("GET", listUrl).then((list) => fillArtifacts(box, list, listUrl, reload))
    .catch((e) => box.replaceChildren(el("p", { class: "error", text: e.message })));
  reload();
  return box;
}

// Upload: the file's bytes are the request body, its name goes in ?filename= (the server
// checks both); names are shown as text nodes only.
async function uploadArtifact(listUrl, file) {
  const res = await fetch(`${listUrl}?filename=${encodeURIComponent(file.name)}`, {
    method: "POST", body: file, credentials: "same-origin",
    headers: { "X-Trimtab-Dashboard": "1", "Content-Type": "application/octet-stream" } });
  const data = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function fillArtifacts(box, list, listUrl, reload) {
  const writable = list.store_configured && !S.meta.read_only;
  const picker = el("input", { type: "file", class: "artifact-file", disabled: !writable });
  const upload = el("button", { class: "primary artifact-upload", text: "Upload", disabled: !writable,
    onclick: async () => {
      if (!picker.files.length) return showError("Choose a file to upload first.");
      try {
        for (const file of picker.files) await uploadArtifact(listUrl, file);
        setStatus(`uploaded ${picker.files.length} file(s)`); reload();
      } catch (e) { showError(e); }
    } });
  const remove = (a) => async () => {
    if (!(await modal(`Delete artifact "${a.filename}"?`, [el("p", { text: "Its file is removed from the artifact store." })], "Delete", true))) return;
    try { await api("DELETE", a.url); setStatus(`deleted ${a.filename}`); reload(); }
    catch (e) { showError(e); }
  };
  const preview = el("div", { class: "artifact-preview" });
  const rows = list.artifacts.map((a) => el("tr", { "data-artifact": a.artifact_id },
    el("td", { class: "artifact-name", text: a.filename }), el("td", { text: a.mimetype }),
    el("td", {}, list.store_configured ? [
      el("a", { href: a.url, download: a.filename, text: "Download" }), " ",
      a.preview ? el("button", { text: "Preview", onclick: () => showArtifact(a, preview) }) : null, " ",
      el("button", { class: "danger artifact-delete", text: "Delete", disabled: !writable, onclick: remove(a) }),
    ] : el("span", { class: "muted", text: "no artifact store (--artifact-dir)" }))));
  box.replaceChildren(
    el("div", { class: "row artifact-upload-row" }, picker, upload),
    list.artifacts.length ? el("table", { class: "artifact-table" },
      el("thead", {}, el("tr", {}, el("th", { text: "file" }), el("th", { text: "type" }), el("th"))),
      el("tbody", {}, rows)) : el("p", { class: "muted", text: "No artifacts." }),
    preview);
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
