/* Selectors as dbt users write them (docs/selectors.md), evaluated in the page on the model M
   with the meaning of lineage/selectors.py: union by spaces, intersection by commas, `+`, `N+`,
   `+N`, `@`, the methods path:, tag:, source:, exposure:, kind:/resource_type:, `*`/`?`
   wildcards, and the column form `relation.column` that walks column lineage.

   selectExpression(M, text, depth) never throws: a bad expression comes back as `error`, the
   sentence lineage.errors.UsageError carries in Python (did-you-mean included). An atom written
   without any `+` and without `@` gets `depth` hops up and down (the page's depth control), so
   `fct_orders` at depth 2 is `2+fct_orders+2`; at depth 0 the result is Python's
   `select(project, text)`. The name maps are built once per model, on first use.

   This file: the entry point, the expression's groups and atoms, an atom's hops and the
   intersection of a group. 21_selector_names.js: names and the column form;
   22_selector_methods.js: the `method:` atoms; 23_selector_patterns.js: wildcards and path
   globs; 24_selector_suggest.js: did-you-mean. */

const SEL_ALL = Infinity; // the depth of an unlimited `+`
const SEL_ATOM = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/s;
const SEL_WILDCARD = /[*?]/;
/* Python's str.split(): runs of what str.isspace() calls whitespace. */
const SEL_SPACE =
  /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const SEL_METHODS = {
  exposure: selExposure,
  kind: selKind,
  path: selPath,
  resource_type: selKind,
  source: selSource,
  tag: selTag,
};

/** A bad expression: the message is the page's error line (Python's UsageError sentence). */
class SelUsageError extends Error {}

/** What `text` selects on M: node indexes sorted, the column form's columns (null: no column
    form), notes on atoms that matched nothing, or an error sentence instead. */
function selectExpression(M, text, depth) {
  try {
    return selEvaluate(M, String(text == null ? "" : text), selDepth(depth));
  } catch (error) {
    if (error instanceof SelUsageError) {
      return { nodes: [], columns: null, notes: [], error: error.message };
    }
    console.error(error);
    return { nodes: [], columns: null, notes: [], error: "the selector failed: " + error };
  }
}

function selDepth(depth) {
  const number = Math.floor(Number(depth));
  return number > 0 ? number : 0;
}

function selEvaluate(M, text, depth) {
  const groups = text.split(SEL_SPACE).filter((g) => g !== "");
  if (groups.length === 0) {
    throw new SelUsageError("the selector is empty: name a relation, e.g. `+fct_orders`.");
  }
  const nodes = new Set();
  let columns = null;
  const notes = [];
  for (const group of groups) {
    const atoms = group.split(",");
    if (atoms.some((a) => a === "")) {
      throw new SelUsageError(
        `'${group}': an empty selector around ','; write \`a,b\` with no spaces.`
      );
    }
    const parts = atoms.map((a) => selPart(M, selParse(a, text, depth)));
    const part = selIntersect(M, parts);
    for (const i of part.nodes) nodes.add(i);
    if (part.columns !== null) {
      if (columns === null) columns = new Set();
      for (const c of part.columns) columns.add(c);
    }
    for (const note of part.notes) if (!notes.includes(note)) notes.push(note);
  }
  return {
    nodes: selSorted(nodes),
    columns: columns === null ? null : selSorted(columns),
    notes,
    error: null,
  };
}

function selSorted(values) {
  return Array.from(Int32Array.from(values).sort());
}

/** One atom: {text, body, up, down, at}; `up`/`down` 0 when there is no `+` on that side. */
function selParse(text, expression, depth) {
  const match = SEL_ATOM.exec(text);
  const body = match ? match[3] : "";
  if (match === null || body.includes("+") || body.includes("@")) {
    throw new SelUsageError(
      `'${text}' in '${expression}' is not a selector: write \`name\`, \`+name\`, \`name+\`, ` +
        "`2+name`, `name+3`, `+name+`, `@name` or `method:value` (docs/selectors.md)."
    );
  }
  const [, at, up, , down] = match;
  if (at && up !== undefined) {
    throw new SelUsageError(
      `'${text}': \`@\` already selects every ancestor; drop the leading \`+\`.`
    );
  }
  const plain = !at && up === undefined && down === undefined;
  return {
    text,
    body,
    up: plain ? depth : selHops(up),
    down: plain ? depth : selHops(down),
    at: Boolean(at),
  };
}

function selHops(digits) {
  if (digits === undefined) return 0;
  return digits === "" ? SEL_ALL : parseInt(digits, 10);
}

// -- one atom ---------------------------------------------------------------------------------

/** An atom's result: {nodes: Set, columns: Set|null (null: relation-level), notes: []}. */
function selPart(M, atom) {
  const start = selStart(M, atom);
  if (start.columns !== null) return selColumnPart(M, atom, start.columns);
  const nodes = new Set(start.nodes);
  const add = (found) => found.forEach((i) => nodes.add(i));
  if (atom.at) add(M.reach(M.reach(start.nodes, SEL_ALL, true), SEL_ALL, false));
  if (atom.up) add(M.reach(start.nodes, atom.up, false));
  if (atom.down) add(M.reach(start.nodes, atom.down, true));
  return { nodes, columns: null, notes: start.notes };
}

function selStart(M, atom) {
  const colon = atom.body.indexOf(":");
  const head = colon < 0 ? atom.body : atom.body.slice(0, colon);
  const method = colon < 0 ? undefined : selOwn(SEL_METHODS, head);
  if (method !== undefined) {
    const value = atom.body.slice(colon + 1);
    if (!value) {
      throw new SelUsageError(`'${atom.text}': \`${head}:\` needs a value after the colon.`);
    }
    return method(M, value, atom);
  }
  return selByNameOrColumn(M, atom, colon < 0 ? null : head);
}

function selOwn(table, key) {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

function selNodes(nodes, notes) {
  return { nodes: new Set(nodes), columns: null, notes: notes || [] };
}

/** Nodes in every part; the column parts' columns in every one of them, kept only where their
    relation is in every part. */
function selIntersect(M, parts) {
  let nodes = parts[0].nodes;
  for (const part of parts.slice(1)) nodes = selBoth(nodes, part.nodes);
  const restricted = parts.filter((p) => p.columns !== null);
  let columns = null;
  if (restricted.length) {
    let common = restricted[0].columns;
    for (const part of restricted.slice(1)) common = selBoth(common, part.columns);
    columns = new Set([...common].filter((c) => nodes.has(M.col.node[c])));
  }
  return { nodes, columns, notes: parts.flatMap((p) => p.notes) };
}

function selBoth(a, b) {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const both = new Set();
  for (const x of small) if (large.has(x)) both.add(x);
  return both;
}
