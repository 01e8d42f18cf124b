// 80_state.js: the view state S, setState, and the URL hash that carries it.
//
// The hash names things by graph id and column name, never by index, so a link survives
// regenerating the page: `#select=%2Bfct_orders&depth=3&node=model.shop.fct_orders&col=
// model.shop.fct_orders%1Fstatus&view=focus`. Only values that differ from the defaults are
// written. A hash naming something the project no longer has leaves that part out and says so
// in #select-error; it never throws.

const STATE_HIDE = ["tests", "seeds", "sources", "consumers"];
const STATE_GROUPS = ["none", "folder", "layer", "tag"];
const STATE_COLOURS = ["layer", "folder", "kind", "status"];
const STATE_UNIT = "\u001f"; // between a column's node id and its name in `col=`
const STATE_NAVIGATION = ["select", "node", "column", "view"]; // a change adds a history entry

const S = {
  select: "",
  depth: 2,
  node: -1,
  column: -1,
  lock: false,
  hide: new Set(),
  collapse: false,
  group: "none",
  colour: "layer",
  view: "map",
};

let stateModel = null;
let stateDefaults = null;
let stateHash = ""; // the hash last written or applied, without "#"
let stateNotice = ""; // what the last hash named that this project does not have

/** Remember the model and the defaults (a diff colours the map by status by default). */
function initState(M) {
  stateModel = M;
  if (M.diff) S.colour = "status";
  stateDefaults = stateCopy(S);
  window.addEventListener("popstate", stateOnHistory);
  window.addEventListener("hashchange", stateOnHistory);
}

function stateCopy(state) {
  return Object.assign({}, state, { hide: new Set(state.hide) });
}

/** Merge `patch` into S, write the hash (a new history entry when what is shown changes,
 * else in place), and render. */
function setState(patch) {
  const before = stateCopy(S);
  stateMerge(patch);
  stateNotice = "";
  const moved = STATE_NAVIGATION.some((key) => before[key] !== S[key]);
  stateWriteHash(moved);
  render();
}

function stateMerge(patch) {
  for (const key of Object.keys(patch)) {
    if (!(key in S)) continue;
    S[key] = key === "hide" ? new Set(patch.hide) : patch[key];
  }
  S.select = String(S.select || "").trim();
  S.depth = stateDepth(S.depth);
  if (!STATE_GROUPS.includes(S.group)) S.group = "none";
  if (!STATE_COLOURS.includes(S.colour) || (S.colour === "status" && !stateModel.diff)) {
    S.colour = stateDefaults ? stateDefaults.colour : "layer";
  }
  if (!(S.node >= 0 && S.node < stateModel.nodeCount)) S.node = -1;
  if (!(S.column >= 0 && S.column < stateModel.columnCount)) S.column = -1;
  if (S.view !== "focus" || (S.select === "" && S.node < 0)) S.view = "map";
  S.lock = Boolean(S.lock);
  S.collapse = Boolean(S.collapse);
}

function stateDepth(value) {
  const depth = Math.round(Number(value));
  return Number.isFinite(depth) ? Math.min(9, Math.max(0, depth)) : 2;
}

function stateWriteHash(push) {
  const hash = stateSerialize(stateModel, S);
  if (hash === stateHash) return;
  stateHash = hash;
  const url = location.href.split("#")[0] + (hash ? "#" + hash : "");
  try {
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  } catch (error) {
    location.hash = hash; // a browser that refuses the history API for this page
  }
}

/** The hash (without "#") that restores `state`. */
function stateSerialize(M, state) {
  const parts = [];
  const add = (key, value) => parts.push(key + "=" + encodeURIComponent(value));
  if (state.select) add("select", state.select);
  if (state.depth !== stateDefaults.depth) add("depth", String(state.depth));
  if (state.node >= 0) add("node", M.nodeIdText(state.node));
  if (state.column >= 0) {
    const node = M.col.node[state.column];
    add("col", M.nodeIdText(node) + STATE_UNIT + M.colName(state.column));
  }
  if (state.lock) add("lock", "1");
  const hidden = STATE_HIDE.filter((name) => state.hide.has(name));
  if (hidden.length) add("hide", hidden.join(","));
  if (state.collapse) add("collapse", "1");
  if (state.group !== stateDefaults.group) add("group", state.group);
  if (state.colour !== stateDefaults.colour) add("colour", state.colour);
  if (state.view !== "map") add("view", state.view);
  return parts.join("&");
}

/** The state a hash describes: {state, problems}; unknown names become problems. */
function stateParse(M, hash) {
  const state = stateCopy(stateDefaults);
  const problems = [];
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const equals = part.indexOf("=");
    const key = equals < 0 ? part : part.slice(0, equals);
    let value = "";
    try {
      value = decodeURIComponent(equals < 0 ? "" : part.slice(equals + 1));
    } catch (error) {
      problems.push("The link's " + key + " is not readable.");
      continue;
    }
    stateParsePart(M, state, key, value, problems);
  }
  if (state.column >= 0 && state.node < 0) state.node = M.col.node[state.column];
  return { state, problems };
}

function stateParsePart(M, state, key, value, problems) {
  if (key === "select") state.select = value;
  else if (key === "depth") state.depth = stateDepth(value);
  else if (key === "node") state.node = stateNode(M, value, problems);
  else if (key === "col") state.column = stateColumn(M, value, problems);
  else if (key === "lock") state.lock = value === "1";
  else if (key === "collapse") state.collapse = value === "1";
  else if (key === "hide") {
    state.hide = new Set(value.split(",").filter((name) => STATE_HIDE.includes(name)));
  }
  else if (key === "group" && STATE_GROUPS.includes(value)) state.group = value;
  else if (key === "colour" && STATE_COLOURS.includes(value)) state.colour = value;
  else if (key === "view") state.view = value === "focus" ? "focus" : "map";
}

function stateNode(M, id, problems) {
  const node = M.nodeByText(id);
  if (node < 0) problems.push("The link names " + id + ", which is not in this project.");
  return node;
}

function stateColumn(M, text, problems) {
  const cut = text.lastIndexOf(STATE_UNIT);
  const id = cut < 0 ? text : text.slice(0, cut);
  const name = cut < 0 ? "" : text.slice(cut + 1);
  const node = stateNode(M, id, problems);
  if (node < 0) return -1;
  const column = name === "" ? M.rowsOf(node) : M.columnByName(node, name);
  if (column < 0) {
    problems.push("The link names the column " + name + " of " + id + ", which it does not have.");
  }
  return column;
}

/** Apply location.hash to S without writing it back (startup, back and forward). */
function stateLoadHash() {
  const hash = location.hash.replace(/^#/, "");
  const { state, problems } = stateParse(stateModel, hash);
  stateMerge(state);
  stateHash = hash;
  stateNotice = problems.join(" ");
}

function stateOnHistory() {
  if (location.hash.replace(/^#/, "") === stateHash) return; // popstate and hashchange both fire
  stateLoadHash();
  render();
}
