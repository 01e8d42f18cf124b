/* 62_draw_edges.js: the focus view's edges: column edges (direct solid, indirect dashed,
   one path for edges that join the same hidden rows), consumer reads (bundled when a
   consumer reads more than three columns of one relation), and the badges on the highlighted
   hops and on links through collapsed pass-through chains. */

function drawCurve(a, b) {
  if (b.x > a.x + 20) {
    const dx = (b.x - a.x) / 2;
    return "M" + a.x + "," + a.y + " C" + (a.x + dx) + "," + a.y + " " + (b.x - dx) + "," +
      b.y + " " + b.x + "," + b.y;
  }
  const out = 60;
  return "M" + a.x + "," + a.y + " C" + (a.x + out) + "," + a.y + " " + (b.x - out) + "," +
    b.y + " " + b.x + "," + b.y;
}

/* The column edges, then the consumer reads; `seen` keeps one path per pair of points. */
function drawEdges(M, view, layout, parent) {
  const seen = new Set();
  drawColumnEdges(M, view, layout, parent, seen);
  drawReadEdges(M, view, layout, parent, seen);
}

/* An edge per column edge in view; edges whose end rows are hidden (behind "+N more") are
   drawn once per pair of points and kind. */
function drawColumnEdges(M, view, layout, parent, seen) {
  for (const edge of view.edges) {
    const a = drawPort(M, layout, edge.s, true);
    const b = drawPort(M, layout, edge.t, false);
    if (!a || !b) continue;
    const kind = M.edgeKindName(M.edge.kind[edge.e]);
    if (a.hidden || b.hidden) {
      const key = a.x + "," + a.y + ">" + b.x + "," + b.y + ":" + kind;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const direct = M.isDirect(M.edge.kind[edge.e]);
    const on = view.pathEdges.has(edge.e);
    const el = drawEl("path", {
      class: "edge " + (direct ? "direct" : "indirect") + (on ? " on-path" : "") +
        (edge.chain ? " through" : ""),
      "data-kind": kind,
      "data-source": drawColumnKey(M, edge.s),
      "data-target": drawColumnKey(M, edge.t),
      d: drawCurve(a, b),
    }, parent);
    focusDraw.edgeEls.push({ el: el, e: edge.e, a: a, b: b, edge: edge });
  }
}

/* A read edge from each column a consumer reads to its header; more than three columns of one
   relation are one bundle from that relation's header. */
function drawReadEdges(M, view, layout, parent, seen) {
  const groups = new Map(); // reads of one consumer from one relation
  for (const read of view.reads) {
    const key = M.col.node[read.c] + ">" + read.n;
    if (!groups.has(key)) groups.set(key, { n: read.n, from: M.col.node[read.c], cs: [] });
    groups.get(key).cs.push(read.c);
  }
  for (const group of groups.values()) {
    const box = layout.boxOf.get(group.n);
    const from = layout.boxOf.get(group.from);
    if (!box || !from) continue;
    const b = { x: box.x, y: box.y + DRAW_HEAD / 2 };
    const bundle = group.cs.length > 3;
    const ends = bundle ? [[{ x: from.x + from.w, y: from.y + DRAW_HEAD / 2 }, group.cs]] :
      group.cs.map((c) => [drawPort(M, layout, c, true), [c]]);
    for (const [a, cs] of ends) {
      const key = a.x + "," + a.y + ">" + group.n;
      if (seen.has(key)) continue;
      seen.add(key);
      const on = cs.some((c) => view.down.has(c));
      const el = drawEl("path", {
        class: "read-edge" + (bundle ? " bundle" : "") + (on ? " on-path" : ""),
        "data-source": bundle ? M.nodeIdText(group.from) : drawColumnKey(M, cs[0]),
        "data-target": M.nodeIdText(group.n), d: drawCurve(a, b),
      }, parent);
      if (bundle) drawTitle(M.nodeLabel(group.n) + " reads " + cs.length + " columns of " +
        M.nodeLabel(group.from), el);
      focusDraw.readEls.push({ el: el, cs: cs });
    }
  }
}

/* A badge per highlighted hop, with its kind; a "⋯ N pass-through" badge on each link that
   goes through a collapsed chain. */
function drawBadges(M, view, layout, parent) {
  for (const item of focusDraw.edgeEls) {
    if (!view.pathEdges.has(item.e)) continue;
    const kind = M.edgeKindName(M.edge.kind[item.e]);
    drawBadge(focusKindWord(M, M.edge.kind[item.e]), "badge", { "data-kind": kind },
      (item.a.x + item.b.x) / 2, (item.a.y + item.b.y) / 2, parent);
  }
  const placed = new Set();
  for (const chain of view.chains) {
    const key = chain.from + ">" + chain.to;
    const from = layout.boxOf.get(chain.from);
    const to = layout.boxOf.get(chain.to);
    if (placed.has(key) || !from || !to) continue;
    placed.add(key);
    const through = focusDraw.edgeEls.find((item) => item.edge.chain &&
      M.col.node[item.edge.s] === chain.from && M.col.node[item.edge.t] === chain.to);
    const x = through ? (through.a.x + through.b.x) / 2 : (from.x + from.w + to.x) / 2;
    const y = through ? (through.a.y + through.b.y) / 2 - 14 : (from.y + to.y) / 2;
    const g = drawBadge("⋯ " + chain.hidden.length + " pass-through", "chain",
      { "data-hidden": chain.hidden.map((n) => M.nodeIdText(n)).join(" ") }, x, y, parent);
    drawTitle("Collapsed pass-through chain: " + chain.hidden.map((n) => M.nodeLabel(n))
      .join(" → "), g);
  }
}

function drawBadge(text, cls, attrs, x, y, parent) {
  const width = text.length * 6.2 + 10;
  const g = drawEl("g", Object.assign({ class: cls }, attrs), parent);
  drawEl("rect", { x: x - width / 2, y: y - 8, width: width, height: 16, rx: 8 }, g);
  drawText(text, { x: x, y: y + 4, "text-anchor": "middle" }, g);
  return g;
}
