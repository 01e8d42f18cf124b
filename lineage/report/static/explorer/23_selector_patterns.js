/* 23_selector_patterns.js: the wildcard patterns of selectors: a path prefix or glob for
   path:, and Python's fnmatch.fnmatchcase (`*`, `?`, `[seq]`, `[!seq]`) as a cached RegExp
   for names, tags, sources and exposures. */

const SEL_GLOB = { "**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]" };
const selPatterns = new Map(); // fnmatch pattern -> RegExp, the most recent ones

/** A file path prefix (`models/staging`) or a glob whose `*` stays within one folder. */
function selPathMatcher(pattern) {
  if (!SEL_WILDCARD.test(pattern)) {
    return (path) => path === pattern || path.startsWith(pattern + "/");
  }
  const parts = pattern.split(/(\*\*\/|\*\*|\*|\?)/);
  const source = parts.map((part) => selOwn(SEL_GLOB, part) ?? selEscape(part)).join("");
  const compiled = new RegExp("^(?:" + source + ")(?:/.*)?$");
  return (path) => compiled.test(path);
}

function selEscape(text) {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/** The longest run of plain characters before any `[` of a wildcard pattern: every name the
    pattern matches contains it (a cheap test before the RegExp). */
function selLiteral(pattern) {
  const head = pattern.split("[")[0];
  return head.split(/[*?]/).reduce((a, b) => (b.length > a.length ? b : a), "");
}

/** Python's fnmatch.fnmatchcase(name, pattern) as a RegExp: `*`, `?`, `[seq]`, `[!seq]`. */
function selFnmatch(pattern) {
  let compiled = selPatterns.get(pattern);
  if (compiled === undefined) {
    if (selPatterns.size >= 64) selPatterns.delete(selPatterns.keys().next().value);
    compiled = selFnmatchRegExp(pattern);
    selPatterns.set(pattern, compiled);
  }
  return compiled;
}

function selFnmatchRegExp(pattern) {
  const chars = Array.from(pattern); // code points, as Python indexes a str
  const n = chars.length;
  let out = "";
  let i = 0;
  while (i < n) {
    const c = chars[i++];
    if (c === "*") {
      if (!out.endsWith(".*")) out += ".*";
    } else if (c === "?") {
      out += ".";
    } else if (c === "[") {
      let j = i;
      if (j < n && chars[j] === "!") j++;
      if (j < n && chars[j] === "]") j++;
      while (j < n && chars[j] !== "]") j++;
      if (j >= n) {
        out += "\\[";
      } else {
        out += selFnmatchSet(chars, i, j);
        i = j + 1;
      }
    } else {
      out += selEscape(c);
    }
  }
  return new RegExp("^(?:" + out + ")$", "su");
}

/** The class for chars[i..j) (after a `[`), as fnmatch builds it: a range written backwards
    is dropped, a lone `!` is any character, an empty set matches nothing. */
function selFnmatchSet(chars, i, j) {
  const text = (from, to) => chars.slice(from, to).join("");
  const escape = (s) => s.replace(/[\\\]\[-]/g, "\\$&");
  let stuff;
  if (!chars.slice(i, j).includes("-")) {
    stuff = escape(text(i, j));
  } else {
    const chunks = [];
    let k = chars[i] === "!" ? i + 2 : i + 1;
    for (;;) {
      k = chars.indexOf("-", k);
      if (k < 0 || k >= j) break;
      chunks.push(chars.slice(i, k));
      i = k + 1;
      k = k + 3;
    }
    const last = chars.slice(i, j);
    if (last.length) chunks.push(last);
    else chunks[chunks.length - 1] = [...chunks[chunks.length - 1], "-"];
    for (let m = chunks.length - 1; m > 0; m--) {
      const before = chunks[m - 1];
      if (before[before.length - 1].codePointAt(0) > chunks[m][0].codePointAt(0)) {
        chunks[m - 1] = [...before.slice(0, -1), ...chunks[m].slice(1)];
        chunks.splice(m, 1);
      }
    }
    stuff = chunks.map((chunk) => escape(chunk.join(""))).join("-");
  }
  if (!stuff) return "(?!)";
  if (stuff === "!") return ".";
  if (stuff[0] === "!") return "[^" + stuff.slice(1) + "]";
  if (stuff[0] === "^") return "[\\" + stuff + "]";
  return "[" + stuff + "]";
}
