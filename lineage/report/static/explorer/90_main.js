// 90_main.js: startup, render(), the header's controls, the exports (85_lists.js: the lists
// and the footer).
//
// Startup: loadDocument -> buildModel -> init every part -> S from the URL hash -> render;
// then performance.mark("lineage:ready") and window.lineageExplorer (for tests and the
// benchmark). Data that cannot be decoded gives a visible message, never a blank page.

const MAIN_CSV_HEADER = ["id", "name", "kind", "path", "line", "owner", "status"];

let mainModel = null;
let mainView = null; // the focus view last rendered, or null when nothing is selected

async function mainStart() {
  let M;
  try {
    M = buildModel(await loadDocument());
    performance.mark("lineage:model");
  } catch (error) {
    mainFail(error);
    return;
  }
  mainModel = M;
  initState(M);
  initSearch(M);
  initOverview(M);
  mainWire(M);
  mainLists(M);
  mainFooter(M);
  stateLoadHash();
  render();
  performance.mark("lineage:ready");
  window.lineageExplorer = {
    ready: true, M, S, setState, render, selectExpression,
    view: () => mainView, // the focus view shown (or counted), null when nothing is selected
    mapRect: ovClientRect, // a node's box on the map, in client pixels
  };
  const index = () => searchIndexOf(M); // after the first paint, before the first keystroke
  if (window.requestIdleCallback) window.requestIdleCallback(index);
  else setTimeout(index, 200);
}

function mainFail(error) {
  const message = document.getElementById("load-error");
  const reason = error && error.message ? error.message : String(error);
  const missing = typeof DecompressionStream === "undefined"
    ? " This page is compressed and needs a browser with DecompressionStream "
      + "(Chrome or Edge 80, Firefox 113, Safari 16.4 or later)."
    : "";
  message.textContent = "This page could not open its lineage data: " + reason + "." + missing;
  message.hidden = false;
  document.getElementById("bar").setAttribute("aria-disabled", "true");
}

/** Show S: the map or the focus view, the details, the controls. */
function render() {
  const M = mainModel;
  const selected = S.select !== "" || S.node >= 0;
  const view = selected ? focusView(M, S) : null;
  mainView = view;
  const focus = S.view === "focus" && view !== null;
  document.getElementById("map-view").hidden = focus;
  document.getElementById("focus-view").hidden = !focus;
  mainSyncControls(M, view, focus);
  markOverview(view ? new Set(view.nodes) : null);
  if (focus) drawFocus(M, S, view);
  else drawOverview();
  renderDetails(M, S, view);
}

// -- controls ---------------------------------------------------------------------------------

function mainSyncControls(M, view, focus) {
  const byId = (id) => document.getElementById(id);
  const select = byId("select");
  if (document.activeElement !== select) select.value = S.select;
  const depth = byId("depth");
  if (Number(depth.value) !== S.depth) depth.value = String(S.depth);
  const count = view ? (view.count !== undefined ? view.count : view.nodes.length) : M.nodeCount;
  mainSetText(byId("depth-count"), count + (count === 1 ? " node" : " nodes"));
  const problems = view ? [view.error || "", ...(view.notes || [])] : [];
  const message = [...problems, stateNotice].filter(Boolean).join(" ");
  const error = byId("select-error");
  mainSetText(error, message);
  error.hidden = message === "";
  error.dataset.kind = view && view.error ? "error" : "note";
  for (const name of STATE_HIDE) byId("show-" + name).checked = !S.hide.has(name);
  byId("collapse").checked = S.collapse;
  byId("group").value = S.group;
  byId("colour").value = S.colour;
  byId("lock").setAttribute("aria-pressed", String(S.lock));
  const map = byId("show-map");
  map.setAttribute("aria-pressed", String(!focus));
  map.disabled = view === null;
  byId("export-svg").disabled = !focus;
  byId("export-csv").disabled = view === null;
}

function mainSetText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function mainWire(M) {
  const byId = (id) => document.getElementById(id);
  if (M.diff) {
    const option = document.createElement("option");
    option.value = "status";
    option.textContent = "diff status";
    byId("colour").append(option);
  }
  byId("select-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = byId("select").value.trim();
    setState({ select: text, node: -1, column: -1, view: text ? "focus" : "map" });
  });
  const depth = byId("depth");
  depth.addEventListener("input", () => {
    const value = depth.value.trim();
    if (/^\d$/.test(value)) setState({ depth: Number(value) });
  });
  depth.addEventListener("change", () => {
    if (Number(depth.value) !== S.depth) setState({ depth: stateDepth(depth.value) });
  });
  for (const name of STATE_HIDE) {
    byId("show-" + name).addEventListener("change", () => {
      setState({ hide: STATE_HIDE.filter((n) => !byId("show-" + n).checked) });
    });
  }
  const collapse = byId("collapse");
  collapse.addEventListener("change", () => setState({ collapse: collapse.checked }));
  byId("group").addEventListener("change", () => setState({ group: byId("group").value }));
  byId("colour").addEventListener("change", () => setState({ colour: byId("colour").value }));
  byId("lock").addEventListener("click", () => setState({ lock: !S.lock }));
  byId("show-map").addEventListener("click", () => {
    setState({ view: S.view === "map" ? "focus" : "map" });
  });
  byId("export-svg").addEventListener("click", () => mainExportSvg(M));
  byId("export-csv").addEventListener("click", () => mainExportCsv(M));
}

/** Open node `node` (and column `column`, or -1) in the focus view. */
function mainOpen(M, node, column) {
  const select = column >= 0 ? searchColumnText(M, column) : searchSelectText(M, node);
  setState({ select, node, column, view: "focus" });
}

// -- exports ----------------------------------------------------------------------------------

function mainFileName(M, extension) {
  const title = String(M.D.title || "project").replace(/[^A-Za-z0-9._-]+/g, "_");
  return "lineage-" + title + "." + extension;
}

function mainDownload(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function mainExportSvg(M) {
  if (S.view !== "focus" || !mainView) return;
  mainDownload(mainFileName(M, "svg"), "image/svg+xml", focusSvgText());
}

function mainExportCsv(M) {
  if (!mainView) return;
  mainDownload(mainFileName(M, "csv"), "text/csv", mainCsv(M, mainView.nodes));
}

/** The nodes as CSV (RFC 4180, CRLF), one row each, header MAIN_CSV_HEADER. */
function mainCsv(M, nodes) {
  const rows = [MAIN_CSV_HEADER];
  for (const i of nodes) {
    const status = M.diff ? M.diff.statusName(M.diff.nodeStatus(i)) : "";
    rows.push([
      M.nodeIdText(i), M.nodeLabel(i), M.kindName(i), M.str(M.node.path[i]),
      M.node.line[i] ? String(M.node.line[i]) : "", M.str(M.node.owner[i]), status,
    ]);
  }
  return rows.map((row) => row.map(mainCsvCell).join(",")).join("\r\n") + "\r\n";
}

/** One CSV field: a spreadsheet formula is defused with a leading ', then RFC 4180 quoting. */
function mainCsvCell(value) {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

mainStart().catch(mainFail);
