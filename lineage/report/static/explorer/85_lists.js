// 85_lists.js: the lists under the page (blind spots, diagnostics, the diff's changes), filled
// a chunk at a time, each entry with a button that opens its node or column; and the footer
// (coverage line, diff legend). 90_main.js calls mainLists and mainFooter at startup.

const MAIN_LIST_CHUNK = 200; // list items rendered at a time

function mainLists(M) {
  const D = M.D;
  mainFillList(M, "blind-spot-list", D.blind_spots, mainBlindSpotItem);
  mainFillList(M, "diagnostic-list", D.diagnostics, mainDiagnosticItem);
  const changes = document.getElementById("changes");
  if (D.diff) {
    const entries = D.diff.changes.map((change) => ["change", change])
      .concat(D.diff.removed.map((removed) => ["removed", removed]));
    mainFillList(M, "change-list", entries, mainChangeItem);
    changes.hidden = false;
  } else if (changes) {
    changes.hidden = true;
  }
}

/** Fill list `id` with `entries` MAIN_LIST_CHUNK at a time (a button shows more). */
function mainFillList(M, id, entries, makeItem) {
  const list = document.getElementById(id);
  const count = document.getElementById(id + "-count");
  if (count) count.textContent = String(entries.length);
  const more = document.createElement("button");
  more.type = "button";
  more.className = "more";
  let shown = 0;
  const showMore = () => {
    const end = Math.min(entries.length, shown + MAIN_LIST_CHUNK);
    const items = [];
    for (let k = shown; k < end; k++) items.push(makeItem(M, entries[k]));
    shown = end;
    list.append(...items);
    more.textContent = "Show " + Math.min(MAIN_LIST_CHUNK, entries.length - shown)
      + " more of " + (entries.length - shown);
    more.hidden = shown >= entries.length;
  };
  more.addEventListener("click", showMore);
  list.replaceChildren();
  if (!entries.length) {
    const none = document.createElement("li");
    none.className = "none";
    none.textContent = "None.";
    list.append(none);
    return;
  }
  showMore();
  list.after(more);
}

function mainText(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.textContent = text;
  return element;
}

function mainAt(M, path, line) {
  const text = M.str(path);
  return mainText("code", "at", text ? text + (line ? ":" + line : "") : "(no file)");
}

/** A button that opens node (and column) in the focus view. */
function mainOpenButton(M, node, column, text) {
  const button = mainText("button", "open", text);
  button.type = "button";
  button.dataset.node = M.nodeIdText(node);
  button.addEventListener("click", () => mainOpen(M, node, column));
  return button;
}

function mainColumnText(M, c) {
  const node = M.col.node[c];
  return M.nodeLabel(node) + (M.isRows(c) ? " (rows)" : "." + M.colName(c));
}

function mainBlindSpotItem(M, spot) {
  const [c, reason, path, line, upstream] = spot;
  const node = M.col.node[c];
  const item = document.createElement("li");
  item.append(mainOpenButton(M, node, c, mainColumnText(M, c)), " ",
    mainText("span", "reason", M.str(reason)), " ", mainAt(M, path, line));
  if (upstream && upstream.length) {
    const names = upstream.slice(0, 3).map((i) => M.nodeLabel(i));
    const rest = upstream.length > 3 ? " and " + (upstream.length - 3) + " more" : "";
    item.append(" ", mainText("span", "note", "reads " + names.join(", ") + rest));
  }
  return item;
}

function mainDiagnosticItem(M, diagnostic) {
  const [path, line, severity, code, message, node] = diagnostic;
  const item = document.createElement("li");
  const word = M.str(severity);
  item.append(mainText("span", "diag diag-" + word.replace(/[^a-z]/g, ""), word), " ",
    mainText("code", "", M.str(code)), " ", mainText("span", "message", M.str(message)), " ",
    mainAt(M, path, line));
  if (node >= 0) item.append(" ", mainOpenButton(M, node, -1, M.nodeLabel(node)));
  return item;
}

function mainChangeItem(M, entry) {
  const item = document.createElement("li");
  if (entry[0] === "removed") {
    const [node, name, status, reason] = entry[1];
    item.append(mainStatus(M, status), " ", mainText("span", "kind", "column removed"), " ",
      mainOpenButton(M, node, -1, M.nodeLabel(node) + "." + M.str(name)));
    if (reason) item.append(" ", mainText("span", "detail", M.str(reason)));
    return item;
  }
  const [kind, ref, detail, path, line] = entry[1];
  const target = mainResolve(M, M.str(ref));
  const refText = M.str(ref);
  item.append(mainText("span", "kind", M.str(kind)), " ",
    target ? mainOpenButton(M, target[0], target[1], refText) : mainText("code", "", refText));
  if (detail) item.append(" ", mainText("span", "detail", M.str(detail)));
  item.append(" ", mainAt(M, path, line));
  return item;
}

/** [node, column or -1] for a change's subject: a graph id, a consumer id, a short name,
 * `name.column` or `name (rows)`; null when the head has no such thing. */
function mainResolve(M, ref) {
  const node = mainNodeNamed(M, ref);
  if (node >= 0) return [node, -1];
  if (ref.endsWith(" (rows)")) {
    const rows = mainNodeNamed(M, ref.slice(0, -7));
    return rows >= 0 ? [rows, M.rowsOf(rows)] : null;
  }
  const dot = ref.lastIndexOf(".");
  const parent = dot > 0 ? mainNodeNamed(M, ref.slice(0, dot)) : -1;
  return parent >= 0 ? [parent, M.columnByName(parent, ref.slice(dot + 1))] : null;
}

let mainLabels = null; // short name -> the first node of that name

function mainNodeNamed(M, text) {
  const node = M.nodeByText(text);
  if (node >= 0) return node;
  if (!mainLabels) {
    mainLabels = new Map();
    for (let i = 0; i < M.nodeCount; i++) {
      if (!mainLabels.has(M.nodeLabel(i))) mainLabels.set(M.nodeLabel(i), i);
    }
  }
  const found = mainLabels.get(text);
  return found === undefined ? -1 : found;
}

function mainStatus(M, k) {
  const name = M.diff.statusName(k);
  const badge = mainText("span", "sev sev-" + name, "");
  badge.append(mainText("span", "glyph", M.diff.glyph(k)), " " + M.diff.label(k));
  return badge;
}

function mainFooter(M) {
  const D = M.D;
  const blind = D.blind_spots.length;
  document.getElementById("coverage").textContent = D.coverage_line + " · " + blind
    + (blind === 1 ? " blind spot" : " blind spots");
  const legend = document.getElementById("diff-legend");
  if (!D.diff) {
    legend.hidden = true;
    return;
  }
  const parts = [mainText("span", "refs", "Diff " + D.diff.base + " → " + D.diff.head + ": ")];
  for (let k = 0; k < D.diff.statuses.length; k++) {
    if (D.diff.statuses[k] !== "none") parts.push(mainStatus(M, k), " ");
  }
  legend.replaceChildren(...parts);
  legend.hidden = false;
}
