// 30_search.js: one search box over relations (short name, graph id) and columns
// (`relation.column`, column name), case-insensitive, ranked, at most SEARCH_LIMIT results.
//
// Speed at 400,000 columns: lower-case copies are made once, lazily, per distinct string
// (column names repeat a lot); a query ranks each distinct column name once and then walks
// a typed array; `relation.column` is never built as a string (searchQualified). The best
// SEARCH_LIMIT are kept in a small sorted array, so nothing sorts every match.

const SEARCH_LIMIT = 50;
const SEARCH_METHODS = ["path", "tag", "source", "exposure", "kind", "resource_type"];
const SEARCH_UNSAFE = /[\s,+@*?]/; // what the selector grammar would read as an operator

let searchModel = null;
let searchIndex = null; // built on first use
let searchResults = []; // [{node, column, text}], as listed
let searchActive = -1;
let searchNames = null; // exact selector key -> how many relations it names

/** Wire #search and #search-results. */
function initSearch(M) {
  searchModel = M;
  const input = document.getElementById("search");
  const list = document.getElementById("search-results");
  input.addEventListener("input", () => searchUpdate(input.value));
  input.addEventListener("focus", () => searchIndexOf(M));
  input.addEventListener("keydown", searchOnKey);
  list.addEventListener("pointerdown", (event) => event.preventDefault()); // keep the focus
  list.addEventListener("click", (event) => {
    const item = event.target.closest("li[role=option]");
    if (item) searchChoose(Number(item.dataset.index));
  });
  input.addEventListener("blur", () => searchClose());
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
}

/** Lower-case views of every name, built once. */
function searchIndexOf(M) {
  if (searchIndex) return searchIndex;
  const strings = M.D.strings;
  const lower = new Array(strings.length);
  const low = (s) => {
    if (lower[s] === undefined) lower[s] = strings[s].toLowerCase();
    return lower[s];
  };
  const n = M.nodeCount;
  const labels = new Array(n);
  const ids = new Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = M.nodeLabel(i).toLowerCase();
    ids[i] = M.nodeIdText(i).toLowerCase();
  }
  const names = M.col.name;
  const used = new Uint8Array(strings.length); // string indexes used as column names
  for (let c = 0; c < M.columnCount; c++) used[names[c]] = 1;
  used[0] = 0; // the rows pseudo-columns are not searched
  const nameStrings = [];
  for (let s = 1; s < used.length; s++) if (used[s]) nameStrings.push(s);
  const lengths = new Uint32Array(strings.length);
  for (const s of nameStrings) lengths[s] = low(s).length;
  searchIndex = { labels, ids, lower, nameStrings, lengths };
  return searchIndex;
}

/** The rank of each column against a dotted query as `relation.column`, without building
 * those strings: the query lies in the relation's name (every column matches), or splits at
 * one of its dots into the end of the relation's name and the start of the column's. */
function searchQualified(M, index, query) {
  const ranks = new Uint8Array(M.columnCount).fill(3);
  const splits = [];
  for (let p = query.indexOf("."); p >= 0; p = query.indexOf(".", p + 1)) {
    splits.push([query.slice(0, p), query.slice(p + 1)]);
  }
  const names = M.col.name;
  for (let i = 0; i < M.nodeCount; i++) {
    const count = M.node.count[i];
    if (count < 2) continue; // a consumer, or rows only
    const label = index.labels[i];
    const at = label.indexOf(query);
    const whole = at < 0 ? 3 : at === 0 ? 1 : 2;
    const heads = splits.filter(([head]) => label.endsWith(head));
    if (whole === 3 && !heads.length) continue;
    const first = M.node.first[i];
    for (let c = first + 1; c < first + count; c++) {
      const name = index.lower[names[c]];
      let rank = whole;
      for (const [head, tail] of heads) {
        if (!name.startsWith(tail)) continue;
        const exact = head.length === label.length;
        rank = Math.min(rank, exact ? (tail.length === name.length ? 0 : 1) : 2);
      }
      ranks[c] = rank;
    }
  }
  return ranks;
}

/** 0 exact, 1 prefix, 2 substring, 3 no match. */
function searchRankOf(text, query) {
  const at = text.indexOf(query);
  if (at < 0) return 3;
  if (at > 0) return 2;
  return text.length === query.length ? 0 : 1;
}

/** The ranked matches of `text`: [{node, column (-1 for a relation), text}]. */
function searchFind(M, text) {
  const query = text.trim().toLowerCase();
  if (!query) return [];
  const index = searchIndexOf(M);
  const best = [];
  for (let i = 0; i < M.nodeCount; i++) {
    const rank = Math.min(searchRankOf(index.labels[i], query), searchRankOf(index.ids[i], query));
    if (rank < 3) searchKeep(best, [rank, 0, index.labels[i].length, index.labels[i], i, -1]);
  }
  searchColumns(M, index, query, best);
  return best.map((entry) => ({
    node: entry[4],
    column: entry[5],
    text: entry[5] < 0 ? M.nodeLabel(entry[4]) : M.nodeLabel(entry[4]) + "." + M.colName(entry[5]),
  }));
}

function searchColumns(M, index, query, best) {
  const rankOfName = new Uint8Array(M.D.strings.length).fill(3);
  for (const s of index.nameStrings) rankOfName[s] = searchRankOf(index.lower[s], query);
  const qualified = query.includes(".") ? searchQualified(M, index, query) : null;
  const names = M.col.name;
  const lengths = index.lengths;
  // the last kept entry, once SEARCH_LIMIT are kept: anything worse is skipped cheaply
  let worstRank = 4;
  let worstType = 1;
  let worstLength = 0;
  for (let i = 0; i < M.nodeCount; i++) {
    const count = M.node.count[i];
    if (count < 2) continue; // a consumer, or rows only (the first column is the rows)
    const labelLength = index.labels[i].length + 1;
    const end = M.node.first[i] + count;
    for (let c = M.node.first[i] + 1; c < end; c++) {
      let rank = rankOfName[names[c]];
      if (qualified !== null && qualified[c] < rank) rank = qualified[c];
      if (rank > worstRank || rank === 3) continue;
      const length = labelLength + lengths[names[c]];
      if (rank === worstRank && (worstType === 0 || worstLength < length)) continue;
      searchKeep(best, [rank, 1, length, index.labels[i] + "." + index.lower[names[c]], i, c]);
      if (best.length === SEARCH_LIMIT) {
        [worstRank, worstType, worstLength] = best[SEARCH_LIMIT - 1];
      }
    }
  }
}

/** Order: rank, relations before columns, shorter first, then name, then index. */
function searchCompare(a, b) {
  for (let k = 0; k < 3; k++) if (a[k] !== b[k]) return a[k] - b[k];
  if (a[3] !== b[3]) return a[3] < b[3] ? -1 : 1;
  return a[4] - b[4] || a[5] - b[5];
}

/** Insert `entry` into the sorted `best`, keeping at most SEARCH_LIMIT. */
function searchKeep(best, entry) {
  if (best.length === SEARCH_LIMIT && searchCompare(entry, best[SEARCH_LIMIT - 1]) >= 0) return;
  let low = 0;
  let high = best.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (searchCompare(best[mid], entry) <= 0) low = mid + 1;
    else high = mid;
  }
  best.splice(low, 0, entry);
  if (best.length > SEARCH_LIMIT) best.pop();
}

function searchUpdate(text) {
  searchResults = searchFind(searchModel, text);
  searchActive = -1;
  searchShow(text);
}

function searchShow(text) {
  const M = searchModel;
  const input = document.getElementById("search");
  const list = document.getElementById("search-results");
  list.replaceChildren();
  searchResults.forEach((result, k) => list.append(searchItem(M, result, k)));
  if (text.trim() && !searchResults.length) {
    const empty = document.createElement("li");
    empty.className = "search-empty";
    empty.setAttribute("aria-disabled", "true");
    empty.textContent = "No relation or column matches.";
    list.append(empty);
  }
  const open = list.children.length > 0;
  list.hidden = !open;
  input.setAttribute("aria-expanded", String(open));
  input.removeAttribute("aria-activedescendant");
}

function searchItem(M, result, k) {
  const item = document.createElement("li");
  item.id = "search-option-" + k;
  item.setAttribute("role", "option");
  item.setAttribute("aria-selected", "false");
  item.dataset.index = String(k);
  const id = M.nodeIdText(result.node);
  if (result.column < 0) item.dataset.node = id;
  else item.dataset.column = id + "|" + M.colName(result.column);
  const name = document.createElement("span");
  name.className = "search-name";
  name.textContent = result.text;
  const what = document.createElement("span");
  what.className = "search-what";
  what.textContent = result.column < 0
    ? M.kindName(result.node)
    : searchColumnType(M, result.column);
  item.append(name, " ", what);
  if (result.column < 0 && id !== result.text) {
    const full = document.createElement("span");
    full.className = "search-id";
    full.textContent = id;
    item.append(" ", full);
  }
  return item;
}

function searchColumnType(M, c) {
  const type = M.str(M.col.type[c]);
  return type ? "column · " + type : "column";
}

function searchOnKey(event) {
  const count = searchResults.length;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    if (!count) return;
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : -1;
    searchMove(searchActive < 0 && step < 0 ? count - 1 : (searchActive + step + count) % count);
  } else if (event.key === "Enter") {
    event.preventDefault();
    if (count) searchChoose(searchActive < 0 ? 0 : searchActive);
  } else if (event.key === "Escape") {
    if (!document.getElementById("search-results").hidden) event.preventDefault();
    searchClose();
  }
}

function searchMove(k) {
  const input = document.getElementById("search");
  const items = document.querySelectorAll("#search-results li[role=option]");
  items.forEach((item, j) => {
    item.classList.toggle("active", j === k);
    item.setAttribute("aria-selected", String(j === k));
  });
  searchActive = k;
  input.setAttribute("aria-activedescendant", items[k].id);
  items[k].scrollIntoView({ block: "nearest" });
}

function searchClose() {
  const list = document.getElementById("search-results");
  list.hidden = true;
  document.getElementById("search").setAttribute("aria-expanded", "false");
  document.getElementById("search").removeAttribute("aria-activedescendant");
}

function searchChoose(k) {
  const result = searchResults[k];
  if (!result) return;
  searchClose();
  const M = searchModel;
  if (result.column < 0) {
    const select = searchSelectText(M, result.node);
    setState({ select, node: result.node, column: -1, view: "focus" });
  } else {
    setState({
      select: searchColumnText(M, result.column),
      node: result.node,
      column: result.column,
      view: "focus",
    });
  }
}

/** The selector that names relation `i`: its short name when that names it alone, else its
 * graph id. "" when the grammar cannot name it: a consumer (`exposure:` also selects what it
 * reads) or a name with spaces or operators; the focus view then starts from S.node. */
function searchSelectText(M, i) {
  if (M.isConsumer(i)) return "";
  const label = M.nodeLabel(i);
  if (searchNameIsSafe(M, label)) return label;
  const id = M.nodeIdText(i);
  return searchNameIsSafe(M, id) ? id : "";
}

/** `relation.column` for column c (the relation alone for its rows; "" as above). */
function searchColumnText(M, c) {
  const relation = searchSelectText(M, M.col.node[c]);
  const name = M.colName(c);
  if (!relation || M.isRows(c)) return relation;
  return /[\s,+@*?]/.test(name) ? "" : relation + "." + name;
}

function searchNameIsSafe(M, name) {
  if (!name || SEARCH_UNSAFE.test(name)) return false;
  const colon = name.indexOf(":");
  if (colon > 0 && SEARCH_METHODS.includes(name.slice(0, colon)) && !name.startsWith("source:")) {
    return false;
  }
  if (!searchNames) {
    searchNames = new Map();
    for (let i = 0; i < M.nodeCount; i++) {
      if (M.isConsumer(i)) continue;
      const keys = new Set([M.nodeLabel(i), M.nodeIdText(i)]);
      for (const key of keys) searchNames.set(key, (searchNames.get(key) || 0) + 1);
    }
  }
  return searchNames.get(name) === 1;
}
