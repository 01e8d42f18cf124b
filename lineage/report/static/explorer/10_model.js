/* The explorer document (docs/explorer.md), decoded into typed arrays and indexes: the model M
   every other part of the page reads. The node arrays are ready at once; the column indexes
   (edges by column, readers) are built on first use, so the first paint never waits for them. */

const MODEL_DIRECT_KINDS = new Set(["identity", "transformation", "aggregation"]);
const MODEL_NONE_STATUS = 6;

/** The document embedded in the page: JSON, or gzip in base64 inflated by the browser. */
async function loadDocument() {
  const element = document.getElementById("explorer-data");
  if (!element) throw new Error("this page holds no explorer data");
  const encoding = element.getAttribute("data-encoding") || "json";
  if (encoding === "json") return JSON.parse(element.textContent);
  if (encoding !== "gzip+base64") throw new Error("unknown data encoding: " + encoding);
  if (typeof DecompressionStream !== "function") {
    throw new Error(
      "this browser cannot inflate the page's data (no DecompressionStream): " +
        "open it in a current Chrome, Edge, Firefox or Safari"
    );
  }
  const binary = atob(element.textContent.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return JSON.parse(await new Response(stream).text());
}

function modelInts(values) {
  return Int32Array.from(values);
}

function modelFlags(values) {
  return Uint8Array.from(values);
}

/** Compressed sparse rows: for `count` keys, the item indexes whose key is keys[k]. */
function modelCsr(keys, count) {
  const start = new Int32Array(count + 1);
  for (let k = 0; k < keys.length; k++) start[keys[k] + 1]++;
  for (let i = 0; i < count; i++) start[i + 1] += start[i];
  const fill = start.slice(0, count);
  const items = new Int32Array(keys.length);
  for (let k = 0; k < keys.length; k++) items[fill[keys[k]]++] = k;
  return { start, items };
}

function modelNodes(D) {
  const N = D.nodes;
  const node = {};
  for (const key of ["id", "name", "kind", "group", "layer", "x", "y", "w", "path", "line",
    "description", "owner", "version", "first", "count", "url", "maturity", "origin", "level"]) {
    node[key] = modelInts(N[key]);
  }
  node.contract = modelFlags(N.contract);
  node.blind = modelFlags(N.blind);
  return node;
}

function modelColumns(D, node) {
  const C = D.columns;
  const col = {};
  for (const key of ["name", "type", "description", "expression", "path", "line"]) {
    col[key] = modelInts(C[key]);
  }
  col.blind = modelFlags(C.blind);
  col.node = new Int32Array(C.name.length);
  for (let i = 0; i < node.first.length; i++) {
    col.node.fill(i, node.first[i], node.first[i] + node.count[i]);
  }
  return col;
}

function modelEdges(D) {
  const E = D.edges;
  const count = E.target.length;
  const source = new Int32Array(count);
  const target = new Int32Array(count);
  let at = 0;
  let from = 0;
  for (let k = 0; k < count; k++) {
    at += E.target[k];
    from += E.source[k];
    target[k] = at;
    source[k] = from;
  }
  return { source, target, kind: Uint8Array.from(E.kind), expression: modelInts(E.expression) };
}

/** Each column's first direct input (-1: none), edges being sorted by target. */
function modelFirstDirect(edge, columnCount, direct) {
  const found = new Int32Array(columnCount).fill(-1);
  for (let k = 0; k < edge.target.length; k++) {
    const t = edge.target[k];
    if (found[t] < 0 && direct[edge.kind[k]]) found[t] = edge.source[k];
  }
  return found;
}

/** Names stored as 0 (the name of the first direct input: explorer_encoding.shared_names),
    resolved in place; rows columns keep 0. */
function modelResolveNames(col, node, firstDirect) {
  const name = col.name;
  const chain = [];
  for (let start = 0; start < name.length; start++) {
    let at = start;
    while (name[at] === 0 && at !== node.first[col.node[at]] && firstDirect[at] >= 0) {
      if (chain.length > name.length) break; // never for a document lineage wrote
      chain.push(at);
      at = firstDirect[at];
    }
    for (const member of chain) name[member] = name[at];
    chain.length = 0;
  }
}

/** The expression of each column from its template (explorer_encoding.expression_template):
    placeholder U+0001 + chr(0x30 + i) is `alias.<name of input i>`, aliases read in column
    order. Offsets into the alias list are counted once, on first use. */
function modelExpressions(M) {
  let offsets = null;
  const aliases = M.D.columns.aliases;
  const placeholders = new Map();
  const countIn = (t) => {
    let n = placeholders.get(t);
    if (n === undefined) {
      n = M.str(t).split("\u0001").length - 1;
      placeholders.set(t, n);
    }
    return n;
  };
  return (c) => {
    const template = M.str(M.col.expression[c]);
    if (template.indexOf("\u0001") < 0) return template;
    if (offsets === null) {
      offsets = new Int32Array(M.columnCount + 1);
      for (let d = 0; d < M.columnCount; d++) {
        const t = M.col.expression[d];
        offsets[d + 1] = offsets[d] + (t ? countIn(t) : 0);
      }
    }
    const inputs = Array.from(M.columnsIn(c), (k) => M.colName(M.edge.source[k]));
    const parts = template.split("\u0001");
    let shown = parts[0];
    for (let p = 1; p < parts.length; p++) {
      const alias = M.str(aliases[offsets[c] + p - 1]);
      shown += alias + "." + inputs[parts[p].charCodeAt(0) - 0x30] + parts[p].slice(1);
    }
    return shown;
  };
}

function modelDiff(D, columnCount, nodeCount) {
  const diff = D.diff;
  if (!diff) return null;
  const columns = new Int8Array(columnCount).fill(MODEL_NONE_STATUS);
  for (let k = 0; k < diff.columns.length; k += 2) columns[diff.columns[k]] = diff.columns[k + 1];
  const nodes = new Int8Array(nodeCount).fill(MODEL_NONE_STATUS);
  for (let k = 0; k < diff.nodes.length; k += 2) nodes[diff.nodes[k]] = diff.nodes[k + 1];
  return {
    raw: diff,
    status: (c) => columns[c],
    nodeStatus: (i) => nodes[i],
    statusName: (k) => diff.statuses[k],
    glyph: (k) => diff.glyphs[k],
    label: (k) => diff.labels[k],
    entries: diff.entries,
    changes: diff.changes,
    removed: diff.removed,
  };
}

/** The model of document D (the contract in docs/explorer.md lists every member). */
function buildModel(D) {
  const strings = D.strings;
  const node = modelNodes(D);
  const col = modelColumns(D, node);
  const edge = modelEdges(D);
  const nodeCount = node.id.length;
  const columnCount = col.name.length;
  const consumerGroup = D.groups.indexOf("consumer");
  const direct = D.edge_kinds.map((k) => MODEL_DIRECT_KINDS.has(k));
  modelResolveNames(col, node, modelFirstDirect(edge, columnCount, direct));
  const pairs = D.layout.edges;
  const from = new Int32Array(pairs.length / 2);
  const to = new Int32Array(pairs.length / 2);
  for (let k = 0; k < from.length; k++) {
    from[k] = pairs[2 * k];
    to[k] = pairs[2 * k + 1];
  }
  const down = modelCsr(from, nodeCount);
  const up = modelCsr(to, nodeCount);
  let byId = null;
  let columnIndex = null;
  let expressionOf = null;

  const M = {
    D,
    node,
    col,
    edge,
    nodeCount,
    columnCount,
    edgeCount: edge.source.length,
    str: (s) => strings[s],
    isConsumer: (i) => node.group[i] === consumerGroup,
    kindName: (i) => D.kinds[node.kind[i]],
    groupName: (i) => D.groups[node.group[i]],
    nodeLabel: (i) => strings[node.name[i]],
    nodeIdText: (i) => strings[node.id[i]],
    nodeTags: (i) => D.nodes.tags[i].map((s) => strings[s]),
    nodeTests: (i) => D.nodes.tests[i].map(([name, column, line]) => ({
      name: strings[name], column, line,
    })),
    nodeByText(text) {
      if (byId === null) {
        byId = new Map();
        for (let i = 0; i < nodeCount; i++) byId.set(strings[node.id[i]], i);
      }
      const found = byId.get(text);
      return found === undefined ? -1 : found;
    },
    colName: (c) => strings[col.name[c]],
    isRows: (c) => col.name[c] === 0 && c === node.first[col.node[c]] && !M.isConsumer(col.node[c]),
    rowsOf: (i) => (node.count[i] > 0 ? node.first[i] : -1),
    colInner: (c) => D.columns.inner[c].map((s) => strings[s]),
    expressionOf: (c) => expressionOf(c),
    columnByName(i, name) {
      const end = node.first[i] + node.count[i];
      for (let c = node.first[i] + 1; c < end; c++) if (strings[col.name[c]] === name) return c;
      const folded = name.toLowerCase();
      for (let c = node.first[i] + 1; c < end; c++) {
        if (strings[col.name[c]].toLowerCase() === folded) return c;
      }
      return -1;
    },
    edgeKindName: (k) => D.edge_kinds[k],
    isDirect: (k) => direct[k],
    parents: (i) => up.items.subarray(up.start[i], up.start[i + 1]).map((k) => from[k]),
    children: (i) => down.items.subarray(down.start[i], down.start[i + 1]).map((k) => to[k]),
    columnsOut(c) {
      const index = modelColumnIndex();
      return index.out.items.subarray(index.out.start[c], index.out.start[c + 1]);
    },
    columnsIn(c) {
      const index = modelColumnIndex();
      return index.into.items.subarray(index.into.start[c], index.into.start[c + 1]);
    },
    readersOf(c) {
      const index = modelColumnIndex();
      const i = col.node[c];
      const lo = M.isRows(c) ? node.first[i] : c;
      const hi = M.isRows(c) ? node.first[i] + node.count[i] : c + 1;
      const found = new Set();
      for (let d = lo; d < hi; d++) {
        for (let k = index.reads.start[d]; k < index.reads.start[d + 1]; k++) {
          found.add(index.readers[index.reads.items[k]]);
        }
      }
      return [...found].sort((a, b) => a - b);
    },
    walk: (start, depth, downstream) => modelWalk(M, start, depth, downstream),
    reach(start, depth, downstream) {
      const seen = new Set(start);
      let frontier = [...seen];
      for (let level = 0; level < depth && frontier.length; level++) {
        const next = [];
        for (const i of frontier) {
          for (const o of downstream ? M.children(i) : M.parents(i)) {
            if (!seen.has(o)) {
              seen.add(o);
              next.push(o);
            }
          }
        }
        frontier = next;
      }
      return seen;
    },
    diff: modelDiff(D, columnCount, nodeCount),
    columnIndex: () => modelColumnIndex(),
  };

  expressionOf = modelExpressions(M);

  function modelColumnIndex() {
    if (columnIndex === null) {
      const readColumns = modelInts(D.reads.column);
      columnIndex = {
        out: modelCsr(edge.source, columnCount),
        into: modelCsr(edge.target, columnCount),
        reads: modelCsr(readColumns, columnCount),
        readers: modelInts(D.reads.consumer),
      };
    }
    return columnIndex;
  }
  return M;
}

/** Every column reached from `start` within `depth` hops, at its least depth: downstream of a
    column are the targets of its edges (of a rows column: of every column of its relation);
    upstream, the sources of the edges into it and into its relation's rows. Levels are kept in
    a typed array while walking (a walk may reach a large part of the project); the Map is
    built once at the end. */
function modelWalk(M, start, depth, downstream) {
  const index = M.columnIndex();
  const level = new Int32Array(M.columnCount).fill(-1);
  const order = [];
  for (const c of start) {
    if (level[c] < 0) {
      level[c] = 0;
      order.push(c);
    }
  }
  const { source, target } = M.edge;
  const { first, count } = M.node;
  const colNode = M.col.node;
  const csr = downstream ? index.out : index.into;
  const far = downstream ? target : source;
  let begin = 0;
  for (let at = 1; at <= depth && begin < order.length; at++) {
    const end = order.length;
    for (let f = begin; f < end; f++) {
      const c = order[f];
      const i = colNode[c];
      const rows = c === first[i];
      let lo = c;
      let hi = c + 1;
      if (downstream && rows) {
        lo = first[i] + 1;
        hi = first[i] + count[i];
      }
      for (let d = lo; d < hi; d++) {
        for (let k = csr.start[d]; k < csr.start[d + 1]; k++) {
          const other = far[csr.items[k]];
          if (level[other] < 0) {
            level[other] = at;
            order.push(other);
          }
        }
      }
      if (!downstream && !rows) {
        const r = first[i];
        for (let k = csr.start[r]; k < csr.start[r + 1]; k++) {
          const other = far[csr.items[k]];
          if (level[other] < 0) {
            level[other] = at;
            order.push(other);
          }
        }
      }
    }
    begin = end;
  }
  const reached = new Map();
  for (const c of order) reached.set(c, level[c]);
  return reached;
}
