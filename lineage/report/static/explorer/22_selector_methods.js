/* 22_selector_methods.js: the `method:value` atoms of SEL_METHODS: tag:, path:, kind: (and
   resource_type:), source: and exposure:. A method that matches nothing gives a note, a value
   that cannot mean anything an error with did-you-mean. */

/* RelationKind values (lineage/entities.py), sorted as the unknown-kind error lists them. */
const SEL_KINDS = [
  "app_table", "external", "materialized_view", "model", "seed", "snapshot", "source", "table",
  "view",
];

/** The relation nodes passing `test`; a note (not an error) when there are none. */
function selWhere(M, atom, test) {
  const found = [];
  for (let i = 0; i < M.nodeCount; i++) if (!M.isConsumer(i) && test(i)) found.push(i);
  return selNodes(found, found.length ? [] : [`\`${atom.text}\` matched no relation.`]);
}

function selTag(M, value, atom) {
  const pattern = selFnmatch(value);
  const tags = M.D.nodes.tags; // string indexes, as M.nodeTags(i) reads them
  const matches = new Map(); // string index -> whether the tag matches
  const test = (s) => {
    let found = matches.get(s);
    if (found === undefined) matches.set(s, (found = pattern.test(M.str(s))));
    return found;
  };
  return selWhere(M, atom, (i) => tags[i].some(test));
}

function selPath(M, value, atom) {
  let pattern = value.startsWith("./") ? value.slice(2) : value;
  pattern = pattern.replace(/\/+$/, "");
  const match = selPathMatcher(pattern);
  return selWhere(M, atom, (i) => M.node.path[i] !== 0 && match(M.str(M.node.path[i])));
}

function selKind(M, value, atom) {
  const kind = value.toLowerCase();
  if (!SEL_KINDS.includes(kind)) {
    const kinds = SEL_KINDS.join(", ");
    throw new SelUsageError(`'${atom.text}': unknown kind '${value}'; kinds are ${kinds}.`);
  }
  return selWhere(M, atom, (i) => M.kindName(i) === kind);
}

function selSource(M, value, atom) {
  const sources = [];
  for (let i = 0; i < M.nodeCount; i++) {
    if (!M.isConsumer(i) && M.nodeIdText(i).startsWith("source.")) sources.push(i);
  }
  const found = sources.filter((i) => selSourceMatches(M.nodeIdText(i), value));
  if (found.length) return selNodes(found);
  if (value.split(".").length > 2) {
    const column = selColumnRef(M, "source:" + value);
    if (column !== -1) return { nodes: new Set(), columns: [column], notes: [] };
  }
  const known = new Set();
  for (const i of sources) {
    known.add(M.nodeLabel(i));
    const parts = M.nodeIdText(i).split(".");
    if (parts.length > 2) known.add("source:" + parts[2]);
  }
  const hint = selDidYouMean(`source:${value}`, known);
  throw new SelUsageError(`'${atom.text}': no dbt source table matches '${value}'.${hint}`);
}

/** dbt's `source:` forms: `src`, `src.table`, `package.src.table`; wildcards. */
function selSourceMatches(relation, value) {
  const parts = selSplit(relation, ".", 3);
  if (parts.length !== 4) return false;
  const [, packageName, source, table] = parts;
  const wanted = value.split(".");
  const candidates = { 1: [source], 2: [source, table], 3: [packageName, source, table] }[
    wanted.length
  ];
  if (candidates === undefined) return false;
  return candidates.every((have, k) => selFnmatch(wanted[k]).test(have));
}

/** Python's text.split(separator, most): at most `most` splits, the rest kept whole. */
function selSplit(text, separator, most) {
  const parts = [];
  let rest = text;
  for (let k = 0; k < most; k++) {
    const at = rest.indexOf(separator);
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + separator.length);
  }
  parts.push(rest);
  return parts;
}

function selExposure(M, value, atom) {
  const pattern = selFnmatch(value);
  const exposures = []; // [name after `exposure.`, node]
  for (let i = 0; i < M.nodeCount; i++) {
    const id = M.nodeIdText(i);
    if (M.isConsumer(i) && id.startsWith("exposure.")) exposures.push([id.slice(9), i]);
  }
  const short = (name) => selSplit(name, ".", 1).pop();
  const found = exposures
    .filter(([name]) => pattern.test(name) || pattern.test(short(name)))
    .map(([, i]) => i);
  if (!found.length) {
    const hint = selDidYouMean(value, exposures.map(([name]) => short(name)));
    throw new SelUsageError(`'${atom.text}': no dbt exposure named '${value}'.${hint}`);
  }
  return selNodes(M.reach(found, 1, false));
}
