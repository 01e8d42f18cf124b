/* 21_selector_names.js: the atoms that name something: a relation by short name or graph id
   (exact, case-folded, or wildcards), else a column `relation.column`, whose column form walks
   column lineage up and down and collects the consumers reading what it reaches. */

const selIndexes = new WeakMap(); // M -> its name maps

/** Name maps of M, built on first use: `byName` maps the short names and graph ids of the
    relation nodes to those nodes (ascending); `folded()` the same keys case-folded, built
    only when a name is not found as typed. */
function selIndex(M) {
  let index = selIndexes.get(M);
  if (index !== undefined) return index;
  const byName = new Map();
  const add = (key, i) => {
    const held = byName.get(key);
    if (held === undefined) byName.set(key, [i]);
    else held.push(i);
  };
  for (let i = 0; i < M.nodeCount; i++) {
    if (M.isConsumer(i)) continue;
    const id = M.nodeIdText(i);
    const label = M.nodeLabel(i);
    add(id, i);
    if (label !== id) add(label, i);
  }
  let byFolded = null;
  const folded = () => {
    if (byFolded === null) {
      byFolded = new Map();
      for (const [key, ids] of byName) {
        const fold = selFold(key);
        const held = byFolded.get(fold);
        byFolded.set(fold, held === undefined ? ids : selSorted(new Set([...held, ...ids])));
      }
    }
    return byFolded;
  };
  index = { byName, folded };
  selIndexes.set(M, index);
  return index;
}

/** Close to Python's str.casefold(): `ß` folds to `ss`, a final sigma to `σ`. */
function selFold(text) {
  return /^[\x00-\x7f]*$/.test(text) ? text.toLowerCase() : text.toUpperCase().toLowerCase();
}

/** Relation nodes `text` names (short name or graph id, wildcards); null: no match. */
function selNamed(M, text) {
  const { byName, folded } = selIndex(M);
  if (SEL_WILDCARD.test(text)) {
    const pattern = selFnmatch(text);
    const literal = selLiteral(text);
    const found = new Set();
    for (const [key, ids] of byName) {
      if (key.includes(literal) && pattern.test(key)) ids.forEach((i) => found.add(i));
    }
    return found.size ? selSorted(found) : null;
  }
  const exact = byName.get(text) || folded().get(selFold(text)) || null;
  if (exact !== null && exact.length > 1) {
    const listed = exact.map((i) => M.nodeIdText(i)).join(", ");
    throw new SelUsageError(`'${text}' is ambiguous: it could be ${listed}. Use the graph id.`);
  }
  return exact;
}

function selByNameOrColumn(M, atom, method) {
  const found = selNamed(M, atom.body);
  if (found !== null) return selNodes(found);
  const column = selColumnRef(M, atom.body);
  if (column !== -1) return { nodes: new Set(), columns: [column], notes: [] };
  const { byName } = selIndex(M);
  if (method !== null && ![...byName.keys()].some((k) => k.startsWith(method + ":"))) {
    const supported = Object.keys(SEL_METHODS).sort().map((m) => m + ":").join(", ");
    throw new SelUsageError(
      `'${atom.text}': unknown method \`${method}:\`; methods: ${supported}.`
    );
  }
  const hint = selDidYouMean(atom.body, byName.keys());
  const what = SEL_WILDCARD.test(atom.body) ? "matches no relation" : "is not a relation";
  throw new SelUsageError(`'${atom.text}': '${atom.body}' ${what} in this project.${hint}`);
}

/** The column `relation.column` names, when the part before the last dot names a relation;
    -1 when it does not. The rows pseudo-column cannot be named. */
function selColumnRef(M, text) {
  const dot = text.lastIndexOf(".");
  const column = text.slice(dot + 1);
  if (dot < 0 || !column || SEL_WILDCARD.test(text)) return -1;
  const found = selNamed(M, text.slice(0, dot));
  if (found === null) return -1;
  const node = found[0];
  const first = M.node.first[node];
  const named = [];
  for (let c = first; c < first + M.node.count[node]; c++) if (!M.isRows(c)) named.push(c);
  let match = named.filter((c) => M.colName(c) === column);
  if (!match.length) {
    const folded = selFold(column);
    match = named.filter((c) => selFold(M.colName(c)) === folded);
  }
  if (match.length !== 1) {
    const hint = selDidYouMean(column, named.map((c) => M.colName(c)));
    throw new SelUsageError(`'${text}': ${M.nodeLabel(node)} has no column '${column}'.${hint}`);
  }
  return match[0];
}

/** The column form: the start column, what its operators reach, their relations and the
    consumers reading a column reached downstream (one more hop for a depth limit). */
function selColumnPart(M, atom, start) {
  const reached = new Set(start);
  const nodes = new Set();
  const down = atom.at ? SEL_ALL : atom.down;
  if (down) {
    const read = new Map(); // node -> whether a consumer reads it
    const isRead = (i) => {
      let found = read.get(i);
      if (found === undefined) read.set(i, (found = M.children(i).some(M.isConsumer)));
      return found;
    };
    for (const [c, level] of M.walk(start, down, true)) {
      reached.add(c);
      if (level < down && isRead(M.col.node[c])) selReaders(M, c).forEach((i) => nodes.add(i));
    }
  }
  if (atom.at) for (const c of M.walk([...reached], SEL_ALL, false).keys()) reached.add(c);
  if (atom.up) for (const c of M.walk(start, atom.up, false).keys()) reached.add(c);
  for (const c of reached) nodes.add(M.col.node[c]);
  return { nodes, columns: reached, notes: [] };
}

/** Consumers reading column c; for a rows column, those reading any named column of its
    relation (a model-level read of the rows alone is not one, as in Python). */
function selReaders(M, c) {
  if (!M.isRows(c)) return M.readersOf(c);
  const found = [];
  const end = c + M.node.count[M.col.node[c]];
  for (let d = c + 1; d < end; d++) found.push(...M.readersOf(d));
  return found;
}
