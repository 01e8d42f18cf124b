/* 70_details.js: the details panel, aside#details. renderDetails(M, S, view) describes the
   selected column (its relation, type, description, the expression defining it with its CTE
   steps and file:line, its inputs, ancestors, descendants, consumers reached, tests, and its
   diff entry), else the selected node (description, kind, owner, tags, version, contract,
   file:line, tests, relations up and down, consumers reached, blind spots, changes), else the
   project (counts, coverage, the diff's verdict). Every project string goes in as text. */

const DETAILS_LIST_LIMIT = 30; // items of a list shown before "and N more"

function detailsEl(tag, text, parent, cls) {
  const el = document.createElement(tag);
  if (text !== undefined && text !== null) el.textContent = text;
  if (cls) el.className = cls;
  if (parent) parent.appendChild(el);
  return el;
}

/* A labelled field: a div with data-field=name and an h3 heading; returns the div. */
function detailsField(parent, name, label) {
  const field = detailsEl("div", null, parent, "field");
  field.setAttribute("data-field", name);
  detailsEl("h3", label, field);
  return field;
}

function detailsLine(parent, name, label, text) {
  const field = detailsField(parent, name, label);
  detailsEl("p", text, field);
  return field;
}

function detailsList(parent, items, render) {
  const list = detailsEl("ul", null, parent);
  for (const item of items.slice(0, DETAILS_LIST_LIMIT)) render(detailsEl("li", null, list), item);
  if (items.length > DETAILS_LIST_LIMIT) {
    detailsEl("li", "and " + (items.length - DETAILS_LIST_LIMIT) + " more", list, "note");
  }
  return list;
}

function detailsPlace(M, path, line) {
  const file = M.str(path);
  return file ? file + (line ? ":" + line : "") : "";
}

function detailsPlural(count, word) {
  return count + " " + word + (count === 1 ? "" : "s");
}

function detailsColumnLabel(M, c) {
  return M.nodeLabel(M.col.node[c]) + (M.isRows(c) ? " (rows)" : "." + M.colName(c));
}

function detailsSev(M, k, parent) {
  const name = M.diff.statusName(k);
  const badge = detailsEl("span", null, parent, "sev sev-" + name);
  const glyph = detailsEl("span", M.diff.glyph(k), badge, "glyph");
  glyph.setAttribute("aria-hidden", "true");
  badge.appendChild(document.createTextNode(" " + (M.diff.label(k) || "on the path")));
  return badge;
}

/* Render the panel for S (and the view drawn). */
function renderDetails(M, S, view) {
  const aside = document.getElementById("details");
  if (!aside) return;
  const body = document.createDocumentFragment();
  if (S.column >= 0 && S.column < M.columnCount) {
    detailsColumn(M, S.column, body);
  } else if (S.node >= 0 && S.node < M.nodeCount) {
    detailsNode(M, S.node, body);
  } else {
    detailsSummary(M, view, body);
  }
  aside.replaceChildren(body);
}

/* -- a column ------------------------------------------------------------------------------ */

function detailsColumn(M, c, parent) {
  const n = M.col.node[c];
  const rows = M.isRows(c);
  const head = detailsEl("h2", detailsColumnLabel(M, c), parent);
  head.setAttribute("data-field", "name");
  const relation = detailsLine(parent, "relation", "Relation", M.nodeIdText(n) + " (" +
    M.kindName(n) + ")");
  relation.setAttribute("data-node", M.nodeIdText(n));
  if (rows) {
    detailsEl("p", "The rows of this relation: what decides which rows exist (filters, joins, " +
      "grouping) and what a model-level consumer reads.", parent, "note");
  }
  const type = M.str(M.col.type[c]);
  if (type) detailsLine(parent, "type", "Type", type);
  const description = M.str(M.col.description[c]);
  detailsLine(parent, "description", "Description", description || "No description.")
    .classList.toggle("empty", !description);
  detailsDefinition(M, c, parent);
  detailsInputs(M, c, parent);
  detailsReach(M, c, parent);
  const tests = M.nodeTests(n).filter((t) => t.column === c);
  const field = detailsField(parent, "tests", "Tests");
  if (tests.length) {
    detailsList(field, tests, (li, t) => {
      li.textContent = t.name + (t.line ? " (line " + t.line + ")" : "");
    });
  } else {
    detailsEl("p", "No tests on this column.", field, "note");
  }
  detailsBlindColumn(M, c, parent);
  if (M.diff) detailsColumnDiff(M, c, parent);
}

function detailsDefinition(M, c, parent) {
  const expression = M.expressionOf(c);
  const field = detailsField(parent, "expression", "Defined by");
  if (expression) {
    detailsEl("pre", expression, field);
  } else {
    detailsEl("p", M.columnsIn(c).length ? "No single defining expression." :
      "Nothing in the project computes it: a root (a table, source or seed column).", field,
      "note");
  }
  const inner = M.colInner(c);
  if (inner.length) {
    const steps = detailsField(parent, "inner", "Inside the statement (innermost first)");
    const list = detailsEl("ol", null, steps);
    for (const step of inner) detailsEl("pre", step, detailsEl("li", null, list));
  }
  const place = detailsPlace(M, M.col.path[c], M.col.line[c]);
  if (place) detailsLine(parent, "location", "Where", place);
}

/* The columns it is computed from, by edge, with kind and (when not the column's own
   definition) the edge's expression. */
function detailsInputs(M, c, parent) {
  const into = Array.from(M.columnsIn(c));
  if (!M.isRows(c)) {
    const rows = M.rowsOf(M.col.node[c]);
    if (rows >= 0) into.push(...M.columnsIn(rows));
  }
  if (!into.length) return;
  const field = detailsField(parent, "inputs", "Inputs");
  detailsList(field, into, (li, e) => {
    const kind = M.edgeKindName(M.edge.kind[e]);
    const code = detailsEl("code", detailsColumnLabel(M, M.edge.source[e]), li);
    code.setAttribute("data-column", M.nodeIdText(M.col.node[M.edge.source[e]]) + "|" +
      M.colName(M.edge.source[e]));
    li.appendChild(document.createTextNode(" " + focusKindWord(M, M.edge.kind[e]) +
      (M.isDirect(M.edge.kind[e]) ? "" : " (decides rows)")));
    li.title = kind;
    const own = M.str(M.edge.expression[e]);
    if (own) detailsEl("pre", own, li);
  });
}

/* Counts of ancestors and descendants (whole column walk) and the consumers reached. */
function detailsReach(M, c, parent) {
  const path = focusPath(M, c);
  const count = (walk) => {
    const nodes = new Set();
    let columns = 0;
    for (const other of walk.keys()) {
      if (other === c) continue;
      columns++;
      nodes.add(M.col.node[other]);
    }
    return detailsPlural(columns, "column") + " in " + detailsPlural(nodes.size, "relation");
  };
  detailsLine(parent, "ancestors", "Ancestors", count(path.up)).setAttribute("data-count",
    String(path.up.size - 1));
  detailsLine(parent, "descendants", "Descendants", count(path.down)).setAttribute(
    "data-count", String(path.down.size - 1));
  detailsConsumers(M, Array.from(path.readers).sort((a, b) => a - b), parent);
}

function detailsConsumers(M, consumers, parent) {
  const field = detailsField(parent, "consumers", "Consumers reached");
  field.setAttribute("data-count", String(consumers.length));
  if (!consumers.length) {
    detailsEl("p", "No consumer reads it, directly or downstream.", field, "note");
    return;
  }
  detailsList(field, consumers, (li, n) => {
    detailsEl("strong", M.nodeLabel(n), li).setAttribute("data-node", M.nodeIdText(n));
    const owner = M.str(M.node.owner[n]);
    li.appendChild(document.createTextNode(" " + M.kindName(n) + (owner ? ", " + owner : "")));
  });
}

function detailsBlindColumn(M, c, parent) {
  const spots = (M.D.blind_spots || []).filter((spot) => spot[0] === c);
  if (!spots.length && !M.col.blind[c]) return;
  const field = detailsField(parent, "blind", "Blind spot");
  if (!spots.length) {
    detailsEl("p", "Its lineage could not be fully resolved.", field);
  }
  detailsList(field, spots, (li, spot) => {
    const place = detailsPlace(M, spot[2], spot[3]);
    li.textContent = M.str(spot[1]) + (place ? " (" + place + ")" : "");
  });
}

function detailsColumnDiff(M, c, parent) {
  const k = M.diff.status(c);
  if (M.diff.statusName(k) === "none") return;
  const field = detailsField(parent, "diff", "In this change");
  detailsSev(M, k, detailsEl("p", null, field));
  for (const entry of M.diff.entries.filter((e) => e[0] === c)) {
    // [column, status, direct, reason, fix, depth, path, line]
    const item = detailsEl("div", null, field, "entry");
    if (entry[3]) detailsEl("p", M.str(entry[3]), item);
    if (entry[4]) detailsEl("p", "Fix: " + M.str(entry[4]), item, "fix");
    const place = detailsPlace(M, entry[6], entry[7]);
    detailsEl("p", detailsPlural(entry[5], "hop") + " from the change" +
      (place ? ", at " + place : ""), item, "note");
  }
}

/* -- a node -------------------------------------------------------------------------------- */

function detailsNode(M, n, parent) {
  const head = detailsEl("h2", M.nodeLabel(n), parent);
  head.setAttribute("data-field", "name");
  detailsEl("p", M.nodeIdText(n), parent, "note id");
  detailsLine(parent, "kind", "Kind", M.kindName(n));
  const description = M.str(M.node.description[n]);
  detailsLine(parent, "description", "Description", description || "No description.")
    .classList.toggle("empty", !description);
  const owner = M.str(M.node.owner[n]);
  detailsLine(parent, "owner", "Owner", owner || "No owner found.").classList.toggle("empty",
    !owner);
  const tags = M.nodeTags(n);
  if (tags.length) detailsLine(parent, "tags", "Tags", tags.join(", "));
  const version = M.str(M.node.version[n]);
  if (version || M.node.contract[n]) {
    detailsLine(parent, "version", "Version and contract", (version ? "version " + version : "") +
      (version && M.node.contract[n] ? ", " : "") + (M.node.contract[n] ? "contract enforced" :
      ""));
  }
  const place = detailsPlace(M, M.node.path[n], M.node.line[n]);
  if (place) detailsLine(parent, "location", "Where", place);
  if (M.isConsumer(n)) {
    detailsConsumerFacts(M, n, parent);
  } else {
    detailsNodeTests(M, n, parent);
  }
  const up = M.reach([n], Infinity, false);
  const down = M.reach([n], Infinity, true);
  const relations = (set) => Array.from(set).filter((i) => i !== n && !M.isConsumer(i)).length;
  detailsLine(parent, "ancestors", "Upstream", detailsPlural(relations(up), "relation"))
    .setAttribute("data-count", String(relations(up)));
  detailsLine(parent, "descendants", "Downstream", detailsPlural(relations(down), "relation"))
    .setAttribute("data-count", String(relations(down)));
  if (!M.isConsumer(n)) {
    detailsConsumers(M, Array.from(down).filter((i) => M.isConsumer(i)).sort((a, b) => a - b),
      parent);
  }
  detailsBlindNode(M, n, parent);
  if (M.diff) detailsNodeDiff(M, n, parent);
}

function detailsNodeTests(M, n, parent) {
  const tests = M.nodeTests(n);
  const field = detailsField(parent, "tests", "Tests");
  field.setAttribute("data-count", String(tests.length));
  if (!tests.length) {
    detailsEl("p", "No tests.", field, "note");
    return;
  }
  detailsList(field, tests, (li, t) => {
    li.textContent = t.name + (t.column >= 0 ? " on " + M.colName(t.column) : " on the relation") +
      (t.line ? " (line " + t.line + ")" : "");
  });
}

function detailsConsumerFacts(M, n, parent) {
  const facts = [["url", "Link", M.node.url], ["maturity", "Maturity", M.node.maturity],
    ["origin", "Defined in", M.node.origin], ["level", "Reads", M.node.level]];
  for (const [name, label, values] of facts) {
    const text = M.str(values[n]);
    if (text) detailsLine(parent, name, label, name === "level" ? "at " + text + " level" : text);
  }
  const reads = [];
  const all = M.D.reads;
  for (let k = 0; k < all.consumer.length; k++) if (all.consumer[k] === n) reads.push(all.column[k]);
  const field = detailsField(parent, "reads", "Columns read");
  detailsList(field, reads, (li, c) => {
    li.textContent = detailsColumnLabel(M, c);
  });
}

function detailsBlindNode(M, n, parent) {
  const reasons = drawBlindReasons(M).nodes.get(n);
  if (!reasons && !M.node.blind[n]) return;
  const field = detailsField(parent, "blind", "Blind spots");
  detailsList(field, reasons || ["Its lineage could not be fully resolved."], (li, text) => {
    li.textContent = text;
  });
}

function detailsNodeDiff(M, n, parent) {
  const k = M.diff.nodeStatus(n);
  const label = M.nodeLabel(n);
  const changes = M.diff.changes.filter((ch) => {
    const ref = M.str(ch[1]);
    return ref === label || ref.startsWith(label + ".");
  });
  const removed = M.diff.removed.filter((r) => r[0] === n);
  if (M.diff.statusName(k) === "none" && !changes.length && !removed.length) return;
  const field = detailsField(parent, "diff", "In this change");
  detailsSev(M, k, detailsEl("p", null, field));
  detailsList(field, changes, (li, ch) => {
    const place = detailsPlace(M, ch[3], ch[4]);
    li.textContent = M.str(ch[0]) + ": " + M.str(ch[1]) + (ch[2] ? ", " + M.str(ch[2]) : "") +
      (place ? " (" + place + ")" : "");
  });
  if (removed.length) {
    detailsEl("p", "No longer in the head: " + removed.map((r) => M.str(r[1])).join(", "), field);
  }
}

/* -- the project --------------------------------------------------------------------------- */

function detailsSummary(M, view, parent) {
  const D = M.D;
  const head = detailsEl("h2", D.title, parent);
  head.setAttribute("data-field", "name");
  let relations = 0;
  let consumers = 0;
  let columns = 0;
  for (let i = 0; i < M.nodeCount; i++) {
    if (M.isConsumer(i)) consumers++;
    else {
      relations++;
      columns += Math.max(0, M.node.count[i] - 1);
    }
  }
  const counts = detailsField(parent, "counts", "Project");
  detailsList(counts, [detailsPlural(relations, "relation"), detailsPlural(columns, "column"),
    detailsPlural(consumers, "consumer"), detailsPlural(M.edgeCount, "column edge"),
    detailsPlural((D.blind_spots || []).length, "blind spot"),
    detailsPlural((D.diagnostics || []).length, "diagnostic")], (li, text) => {
    li.textContent = text;
  });
  detailsLine(parent, "coverage", "Coverage", D.coverage_line);
  if (D.diff) {
    const field = detailsLine(parent, "verdict", "This change", D.diff.verdict);
    detailsEl("p", D.diff.base + " → " + D.diff.head, field, "note");
  }
  if (view && view.error) detailsLine(parent, "error", "Selector", view.error);
  detailsEl("p", "Search for a relation or a column, or click a box on the map. In the focus " +
    "view, click a column to highlight its whole path, and a relation's name for its facts.",
    parent, "note");
}
