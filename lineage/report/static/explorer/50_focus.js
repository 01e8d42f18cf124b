/* 50_focus.js: the focus view's subgraph. focusView(M, S) turns the view state into what
   60_draw.js draws: the selected nodes (selectExpression, with S.depth hops), every relation on
   the highlighted column's whole path added to them, the noise toggles applied (seeds, sources,
   consumers hidden unless they are the selection itself), pass-through chains collapsed, a cap
   on the number of nodes (the nearest are kept, the notes say how many were left out), and the
   column edges to draw between what is left. Everything works on the model's integer indexes. */

const FOCUS_CAP = 400; // nodes drawn at most; the nearest to the selection are kept
const FOCUS_WORDS = {
  identity: "copy",
  transformation: "calc",
  aggregation: "agg",
  filter: "filter",
  join: "join",
  group_by: "group",
  sort: "sort",
  window: "window",
  conditional: "case",
};

/* the last selection evaluated (a column click keeps it) and the column held by the lock */
let focusSelCache = { key: null, value: null };
let focusLocked = -1;
const focusPathCache = { column: -1, model: null, value: null };

/* The focus view of the state S (contract: nodes, columns, path, pathEdges, count, error,
   notes, hidden), plus what the drawing needs: `via` (columns an on-path edge touches that are
   not themselves on the path: a rows pseudo-column), `pathColumn`, `core` (the selection
   itself), `edges` ({s, t, e, chain}), `chains` ({from, to, hidden}), `left` (left out by the
   cap) and `showTests`. */
function focusView(M, S) {
  const view = {
    nodes: [], columns: null, path: new Set(), pathEdges: new Set(), via: new Set(),
    pathColumn: -1, down: new Map(), count: 0, error: null, notes: [], hidden: new Map(), chains: [],
    edges: [], reads: [], core: new Set(), left: 0, showTests: !(S.hide && S.hide.has("tests")),
  };
  const picked = focusSelect(M, S);
  if (picked.error) {
    view.error = picked.error;
    return view;
  }
  view.notes.push(...picked.notes);
  view.core = picked.core;
  view.columns = picked.columns;
  const set = new Set(picked.nodes);
  view.pathColumn = focusPathColumn(S);
  if (view.pathColumn >= 0 && view.pathColumn < M.columnCount) {
    const path = focusPath(M, view.pathColumn);
    view.path = path.path;
    view.pathEdges = path.edges;
    view.via = path.via;
    view.down = path.down;
    for (const c of path.path) set.add(M.col.node[c]);
    for (const c of path.via) set.add(M.col.node[c]);
    for (const n of path.readers) set.add(n);
    view.core.add(M.col.node[view.pathColumn]);
  }
  if (set.size === 0) {
    return view;
  }
  const hiddenByNoise = focusHideNoise(M, S, set, view.core);
  if (hiddenByNoise) {
    view.notes.push(hiddenByNoise + " hidden by the noise filters.");
  }
  const onPath = focusPathNodes(M, view);
  if (S.collapse) {
    focusCollapse(M, set, view, onPath);
  }
  view.count = set.size;
  view.nodes = focusCap(M, set, view, onPath);
  focusEdges(M, view);
  return view;
}

/* The selection (cached per expression and depth): nodes, the column form's columns, notes,
   an error, and `core`: the nodes the expression names before any hop. */
function focusSelect(M, S) {
  const text = (S.select || "").trim();
  const key = text + "\u001f" + S.depth + "\u001f" + (text ? "" : S.node);
  if (focusSelCache.key === key) {
    const held = focusSelCache.value;
    return { nodes: held.nodes, columns: held.columns, notes: held.notes, error: held.error,
             core: new Set(held.core) };
  }
  let value;
  if (text) {
    const sel = selectExpression(M, text, S.depth);
    const core = sel.error ? [] : focusCore(M, text);
    value = {
      nodes: sel.nodes || [], columns: sel.columns ? new Set(sel.columns) : null,
      notes: sel.notes || [], error: sel.error || null, core: core,
    };
  } else if (S.node >= 0 && S.node < M.nodeCount) {
    const depth = Math.max(0, Number(S.depth) || 0);
    const nodes = new Set(M.reach([S.node], depth, false));
    for (const n of M.reach([S.node], depth, true)) nodes.add(n);
    value = { nodes: Array.from(nodes).sort((a, b) => a - b), columns: null, notes: [],
              error: null, core: [S.node] };
  } else {
    value = { nodes: [], columns: null, notes: [], error: null, core: [] };
  }
  focusSelCache = { key: key, value: value };
  return { nodes: value.nodes, columns: value.columns, notes: value.notes, error: value.error,
           core: new Set(value.core) };
}

/* The nodes an expression names before its hops: each atom without `@`, `N+` and `+N`,
   evaluated at depth 0 (an intersection's atoms each count). */
function focusCore(M, text) {
  const bodies = [];
  for (const group of text.split(/\s+/)) {
    for (const atom of group.split(",")) {
      const body = atom.replace(/^@/, "").replace(/^\d*\+/, "").replace(/\+\d*$/, "");
      if (body) bodies.push(body);
    }
  }
  if (!bodies.length) return [];
  const sel = selectExpression(M, bodies.join(" "), 0);
  return sel.error ? [] : sel.nodes;
}

/* The column whose path is highlighted: S.column, or with the lock the last one chosen. */
function focusPathColumn(S) {
  if (S.column >= 0) {
    focusLocked = S.column;
    return S.column;
  }
  if (!S.lock) {
    focusLocked = -1;
  }
  return S.lock ? focusLocked : -1;
}

/* A column's whole path, upstream and downstream at every depth (M.walk, the semantics of
   Python's column walk), the edges those walks follow, the columns those edges touch that are
   not on the path (`via`: a rows pseudo-column), and the consumers reading what is below. */
function focusPath(M, column) {
  if (focusPathCache.column === column && focusPathCache.model === M) {
    return focusPathCache.value;
  }
  const up = M.walk([column], Infinity, false);
  const down = M.walk([column], Infinity, true);
  const path = new Set(up.keys());
  for (const c of down.keys()) path.add(c);
  const edges = new Set();
  const add = (list) => { for (let k = 0; k < list.length; k++) edges.add(list[k]); };
  for (const c of up.keys()) {
    add(M.columnsIn(c));
    if (!M.isRows(c)) {
      const rows = M.rowsOf(M.col.node[c]);
      if (rows >= 0) add(M.columnsIn(rows));
    }
  }
  const readers = new Set();
  for (const c of down.keys()) {
    if (M.isRows(c)) {
      const n = M.col.node[c];
      const end = M.node.first[n] + M.node.count[n];
      for (let other = M.node.first[n] + 1; other < end; other++) add(M.columnsOut(other));
    } else {
      add(M.columnsOut(c));
    }
    for (const consumer of M.readersOf(c)) readers.add(consumer);
  }
  const via = new Set();
  for (const e of edges) {
    if (!path.has(M.edge.source[e])) via.add(M.edge.source[e]);
    if (!path.has(M.edge.target[e])) via.add(M.edge.target[e]);
  }
  const value = { path: path, edges: edges, via: via, readers: readers, up: up, down: down };
  focusPathCache.column = column;
  focusPathCache.model = M;
  focusPathCache.value = value;
  return value;
}

/* Nodes with a column on the highlighted path (or touched by it). */
function focusPathNodes(M, view) {
  const nodes = new Set();
  for (const c of view.path) nodes.add(M.col.node[c]);
  for (const c of view.via) nodes.add(M.col.node[c]);
  return nodes;
}

/* The kinds of node a noise toggle hides; the selection itself is never hidden. */
function focusNoiseKind(M, n) {
  if (M.isConsumer(n)) return "consumers";
  const kind = M.kindName(n);
  if (kind === "seed") return "seeds";
  if (kind === "source" || kind === "app_table") return "sources";
  return "";
}

function focusHideNoise(M, S, set, core) {
  if (!S.hide || !S.hide.size) return 0;
  let hidden = 0;
  for (const n of Array.from(set)) {
    const kind = focusNoiseKind(M, n);
    if (kind && S.hide.has(kind) && !core.has(n)) {
      set.delete(n);
      hidden++;
    }
  }
  return hidden;
}

/* The parent of a pure pass-through relation: every column an identity copy of a column of
   that one parent, and nothing deciding its rows; -1 when it is anything more. */
function focusPassParent(M, n) {
  if (M.isConsumer(n) || M.node.blind[n]) return -1;
  const first = M.node.first[n];
  const count = M.node.count[n];
  if (count < 2 || M.rowsOf(n) !== first || M.columnsIn(first).length) return -1;
  let parent = -1;
  for (let c = first + 1; c < first + count; c++) {
    const into = M.columnsIn(c);
    if (into.length !== 1) return -1;
    const e = into[0];
    const source = M.edge.source[e];
    if (M.edgeKindName(M.edge.kind[e]) !== "identity" || M.isRows(source)) return -1;
    const p = M.col.node[source];
    if (p === n || (parent !== -1 && p !== parent)) return -1;
    parent = p;
  }
  return parent;
}

/* Collapse pass-through chains: such a relation (not selected, not on the path) whose parent
   is shown and that feeds something shown is hidden; view.hidden maps each shown node fed
   through a chain to the chain's relations, upstream first. */
function focusCollapse(M, set, view, onPath) {
  const removed = new Set(M.diff ? M.diff.removed.map((r) => r[0]) : []);
  const order = Array.from(set).sort((a, b) => M.node.layer[a] - M.node.layer[b] || a - b);
  const through = new Map(); // collapsed node -> the shown parent its chain starts from
  const parentOf = new Map();
  for (const n of order) {
    if (view.core.has(n) || onPath.has(n) || removed.has(n)) continue;
    const parent = focusPassParent(M, n);
    if (parent < 0 || !set.has(parent)) continue;
    const children = M.children(n);
    let feeds = false;
    for (let k = 0; k < children.length && !feeds; k++) feeds = set.has(children[k]);
    if (!feeds) continue;
    through.set(n, through.has(parent) ? through.get(parent) : parent);
    parentOf.set(n, parent);
  }
  for (const n of through.keys()) set.delete(n);
  const seen = new Set();
  for (const n of through.keys()) {
    const children = M.children(n);
    for (let k = 0; k < children.length; k++) {
      const child = children[k];
      if (!set.has(child) || seen.has(n + ":" + child)) continue;
      seen.add(n + ":" + child);
      const chain = [];
      for (let h = n; through.has(h); h = parentOf.get(h)) chain.unshift(h);
      const held = view.hidden.get(child) || [];
      for (const h of chain) if (held.indexOf(h) < 0) held.push(h);
      view.hidden.set(child, held);
      view.chains.push({ from: through.get(n), to: child, hidden: chain });
    }
  }
  view.collapsed = through;
}

/* At most FOCUS_CAP nodes: the selection itself and the path first, then by hops from them. */
function focusCap(M, set, view, onPath) {
  const nodes = Array.from(set);
  if (nodes.length <= FOCUS_CAP) {
    return nodes.sort((a, b) => a - b);
  }
  const distance = new Map();
  let frontier = [];
  for (const n of nodes) {
    if (view.core.has(n) || onPath.has(n)) {
      distance.set(n, 0);
      frontier.push(n);
    }
  }
  if (!frontier.length) {
    frontier = nodes.slice().sort((a, b) => M.node.layer[a] - M.node.layer[b] || a - b)
      .slice(0, 1);
    distance.set(frontier[0], 0);
  }
  for (let level = 1; frontier.length && distance.size < FOCUS_CAP; level++) {
    const next = [];
    for (const n of frontier) {
      for (const list of [M.parents(n), M.children(n)]) {
        for (let k = 0; k < list.length; k++) {
          const other = list[k];
          if (set.has(other) && !distance.has(other)) {
            distance.set(other, level);
            next.push(other);
          }
        }
      }
    }
    frontier = next;
  }
  const far = 1 << 30;
  nodes.sort((a, b) => (distance.has(a) ? distance.get(a) : far) -
    (distance.has(b) ? distance.get(b) : far) || M.node.layer[a] - M.node.layer[b] || a - b);
  const kept = nodes.slice(0, FOCUS_CAP).sort((a, b) => a - b);
  view.left = nodes.length - kept.length;
  view.notes.push("Showing the " + kept.length + " nodes nearest the selection; " + view.left +
    " more left out: narrow the selector or lower the depth.");
  return kept;
}

/* The column edges between shown nodes; an edge out of a collapsed chain is traced back
   through its identity copies to the shown relation the chain starts from. */
function focusEdges(M, view) {
  const shown = new Set(view.nodes);
  view.shown = shown;
  const collapsed = view.collapsed || new Map();
  for (const n of view.nodes) {
    if (M.isConsumer(n)) continue;
    const end = M.node.first[n] + M.node.count[n];
    for (let c = M.node.first[n]; c < end; c++) {
      const into = M.columnsIn(c);
      for (let k = 0; k < into.length; k++) {
        const e = into[k];
        let s = M.edge.source[e];
        let chain = null;
        while (collapsed.has(M.col.node[s])) {
          chain = chain || [];
          chain.unshift(M.col.node[s]);
          const back = M.columnsIn(s);
          if (back.length !== 1) break;
          s = M.edge.source[back[0]];
        }
        if (shown.has(M.col.node[s]) && !collapsed.has(M.col.node[s])) {
          view.edges.push({ s: s, t: c, e: e, chain: chain });
        }
      }
    }
  }
  focusReads(M, view, shown);
}

/* Consumer reads between shown columns and shown consumers: {c, n}. */
function focusReads(M, view, shown) {
  const reads = M.D.reads;
  if (!reads || !reads.consumer) return;
  for (let k = 0; k < reads.consumer.length; k++) {
    const n = reads.consumer[k];
    const c = reads.column[k];
    if (shown.has(n) && shown.has(M.col.node[c])) view.reads.push({ c: c, n: n });
  }
}

/* The short word of an edge kind, for the per-hop badges. */
function focusKindWord(M, k) {
  const name = M.edgeKindName(k);
  return FOCUS_WORDS[name] || name;
}
