/* 24_selector_suggest.js: the did-you-mean of selector errors: up to three names close to a
   word that matched nothing, ranked like difflib.get_close_matches. */

/** ` Did you mean: a, b?` with up to three options close to `word`, or "". The ranking is our
    own take on difflib.get_close_matches (cutoff 0.6): the similarity is 2*M/T, M the
    characters of the longest common blocks found recursively, T both lengths; ties go to the
    later name. An option whose upper bound cannot beat the third best so far is skipped. */
function selDidYouMean(word, options) {
  const close = selCloseMatches(word, options, 3, 0.6);
  return close.length ? ` Did you mean: ${close.join(", ")}?` : "";
}

function selCloseMatches(word, options, count, cutoff) {
  const b = Array.from(word);
  const positions = new Map(); // character -> its indexes in b
  b.forEach((ch, k) => (positions.get(ch) || positions.set(ch, []).get(ch)).push(k));
  if (b.length >= 200) {
    const most = Math.floor(b.length / 100) + 1; // characters more common are not anchors
    for (const [ch, list] of positions) if (list.length > most) positions.delete(ch);
  }
  const counts = new Map();
  const codes = new Int32Array(65536); // the same counts by UTF-16 code (astral ones left out)
  for (const ch of b) {
    counts.set(ch, (counts.get(ch) || 0) + 1);
    if (ch.length === 1) codes[ch.charCodeAt(0)]++;
  }
  const scratch = {
    lengths: new Int32Array(b.length + 1),
    next: new Int32Array(b.length + 1),
    codes,
    used: new Int32Array(65536),
    left: new Map(),
  };
  const best = []; // the `count` best [score, option] so far, best first
  const below = (x, y) => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]); // x ranks below y
  let floor = cutoff; // what an option must score to enter `best`
  for (const option of options) {
    const size = /[\ud800-\udfff]/.test(option) ? Array.from(option).length : option.length;
    const total = size + b.length;
    let score = 1;
    if (total) {
      // two cheap upper bounds of the score first, as difflib does
      if ((2 * Math.min(size, b.length)) / total < floor) continue;
      if ((2 * selCommonCount(option, counts, scratch)) / total < floor) continue;
      score = (2 * selMatched(Array.from(option), b, positions, scratch)) / total;
      if (score < floor) continue;
    }
    const entry = [score, option];
    if (best.length === count && !below(best[count - 1], entry)) continue;
    const at = best.findIndex((held) => below(held, entry));
    best.splice(at < 0 ? best.length : at, 0, entry);
    if (best.length > count) best.pop();
    if (best.length === count) floor = Math.max(cutoff, best[count - 1][0]);
  }
  return best.map(([, option]) => option);
}

/** How many characters of `a` the multiset `counts` (of b) also holds. */
function selCommonCount(a, counts, scratch) {
  const { codes, used, left } = scratch;
  let common = 0;
  let k = 0;
  for (; k < a.length; k++) {
    const code = a.charCodeAt(k);
    if (code >= 0xd800 && code <= 0xdfff) break; // astral: counted by code point below
    if (used[code]++ < codes[code]) common++;
  }
  for (let m = 0; m < k; m++) used[a.charCodeAt(m)] = 0;
  if (k === a.length) return common;
  left.clear();
  common = 0;
  for (const ch of a) {
    const have = left.has(ch) ? left.get(ch) : counts.get(ch) || 0;
    left.set(ch, have - 1);
    if (have > 0) common++;
  }
  return common;
}

/** Characters in the matching blocks of a and b: the longest common block, then the same on
    either side of it, recursively. */
function selMatched(a, b, positions, scratch) {
  let matched = 0;
  const queue = [[0, a.length, 0, b.length]];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop();
    const [i, j, k] = selLongestBlock(a, b, positions, [alo, ahi, blo, bhi], scratch);
    if (!k) continue;
    matched += k;
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  return matched;
}

/** The longest common block of a[alo..ahi) and b[blo..bhi): earliest in a, then in b.
    scratch.lengths[j + 1]: the length of the common block ending at a[i - 1] and b[j]
    (zero-filled between calls). */
function selLongestBlock(a, b, positions, [alo, ahi, blo, bhi], scratch) {
  let besti = alo;
  let bestj = blo;
  let best = 0;
  let { lengths, next } = scratch;
  let set = [];
  for (let i = alo; i < ahi; i++) {
    const following = [];
    for (const j of positions.get(a[i]) || []) {
      if (j < blo) continue;
      if (j >= bhi) break;
      const k = lengths[j] + 1;
      next[j + 1] = k;
      following.push(j + 1);
      if (k > best) {
        besti = i - k + 1;
        bestj = j - k + 1;
        best = k;
      }
    }
    for (const j of set) lengths[j] = 0;
    [lengths, next, set] = [next, lengths, following];
  }
  for (const j of set) lengths[j] = 0;
  while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
    besti--;
    bestj--;
    best++;
  }
  while (besti + best < ahi && bestj + best < bhi && a[besti + best] === b[bestj + best]) best++;
  return [besti, bestj, best];
}
