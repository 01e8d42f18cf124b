/* 61_draw_layout.js: where the focus view's boxes go (focusLayout): each node's rows and
   width, layers left to right, boxes stacked in overview order and framed per group, every
   layer centred; drawPort gives the point of a column's row that an edge joins. */

/* The group a node is framed in: its folder, overview layer kind or first tag. */
function drawGroupKey(M, group, n) {
  if (group === "folder") {
    const path = M.str(M.node.path[n]);
    const slash = path.lastIndexOf("/");
    return slash > 0 ? path.slice(0, slash) : path ? "(top folder)" : "(no file)";
  }
  if (group === "layer") return M.groupName(n);
  if (group === "tag") {
    const tags = M.nodeTags(n);
    return tags.length ? tags.slice().sort()[0] : "(no tag)";
  }
  return "";
}

/* The rows of a relation box: the rows pseudo-column when an edge in view touches it, its
   columns (the first few (DRAW_ROW_LIMITS), plus every one that must show), "+N more", ghosts. */
function drawRows(M, view, n, touched, removed) {
  const rows = [];
  const first = M.node.first[n];
  const end = first + M.node.count[n];
  const must = (c) => view.path.has(c) || view.via.has(c) ||
    (view.columns && view.columns.has(c)) || drawStatus(M, c) !== "";
  if (end > first && M.isRows(first)) {
    if (view.path.has(first) || view.via.has(first) || touched.has(first)) {
      rows.push({ type: "rows", c: first });
    }
  }
  const open = focusDraw.expanded.has(n);
  const limit = DRAW_ROW_LIMITS.find((pair) => view.nodes.length <= pair[0])[1];
  let listed = 0;
  let left = 0;
  for (let c = first; c < end; c++) {
    if (M.isRows(c)) continue;
    listed++;
    if (open || listed <= limit || must(c)) {
      rows.push({ type: "col", c: c });
    } else {
      left++;
    }
  }
  if (left) rows.push({ type: "more", n: n, left: left, all: left === listed });
  for (const ghost of removed.get(n) || []) rows.push({ type: "ghost", ghost: ghost });
  return rows;
}

function drawBoxWidth(M, n, rows) {
  let chars = Math.min(DRAW_LABEL_CHARS, M.nodeLabel(n).length) + M.kindName(n).length + 3;
  for (const row of rows) {
    if (row.type !== "col") continue;
    const name = Math.min(DRAW_NAME_CHARS, M.colName(row.c).length);
    const type = Math.min(DRAW_TYPE_CHARS, M.str(M.col.type[row.c]).length);
    chars = Math.max(chars, name + type + 6);
  }
  return Math.round(Math.max(170, Math.min(380, 2 * DRAW_PAD + chars * DRAW_CHAR)));
}

/* Where every box goes: layers left to right (compacted), each layer's boxes in overview order
   (group first), stacked and centred; `anchor` maps each drawn column to its row. */
function focusLayout(M, S, view) {
  const group = S.group && S.group !== "none" ? S.group : "";
  const byLayer = drawMeasure(M, view, group);
  const placed = drawStackLayers(M, byLayer, group);
  const tallest = drawCentreLayers(placed.heights);
  const anchor = new Map();
  const boxOf = new Map();
  for (const box of placed.boxes) {
    boxOf.set(box.n, box);
    box.rows.forEach((row, i) => {
      row.y = box.y + DRAW_HEAD + i * DRAW_ROW;
      if (row.type === "col" || row.type === "rows") anchor.set(row.c, row);
      if (row.type === "more") box.more = row;
    });
  }
  return {
    boxes: placed.boxes, frames: placed.frames, anchor: anchor, boxOf: boxOf,
    width: placed.x - DRAW_LAYER_GAP + DRAW_MARGIN, height: tallest + DRAW_MARGIN,
  };
}

/* Every node's box, not yet placed (its rows, width, height and group key), by layer. */
function drawMeasure(M, view, group) {
  const touched = new Set();
  for (const edge of view.edges) {
    touched.add(edge.s);
    touched.add(edge.t);
  }
  for (const read of view.reads) touched.add(read.c);
  const removed = new Map();
  if (M.diff) {
    for (const r of M.diff.removed) {
      const held = removed.get(r[0]) || [];
      held.push(r);
      removed.set(r[0], held);
    }
  }
  const byLayer = new Map();
  for (const n of view.nodes) {
    const layer = M.node.layer[n];
    if (!byLayer.has(layer)) byLayer.set(layer, []);
    const rows = M.isConsumer(n) ? [] : drawRows(M, view, n, touched, removed);
    const h = DRAW_HEAD + (M.isConsumer(n) ? DRAW_ROW : rows.length * DRAW_ROW) + 4;
    byLayer.get(layer).push({
      n: n, rows: rows, w: drawBoxWidth(M, n, rows), h: h, x: 0, y: 0,
      key: group ? drawGroupKey(M, group, n) : "",
    });
  }
  return byLayer;
}

/* The layers left to right, each as wide as its widest box; `x`: the right edge of the last
   one plus DRAW_LAYER_GAP. */
function drawStackLayers(M, byLayer, group) {
  const layers = Array.from(byLayer.keys()).sort((a, b) => a - b);
  const boxes = [];
  const frames = [];
  const heights = [];
  let x = DRAW_MARGIN;
  for (const layer of layers) {
    const list = byLayer.get(layer);
    list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
      M.node.y[a.n] - M.node.y[b.n] || a.n - b.n);
    const width = Math.max(...list.map((b) => b.w));
    const stacked = drawStackLayer(list, group, x, width);
    heights.push({ list: list, frames: stacked.frames, h: stacked.h });
    frames.push(...stacked.frames);
    boxes.push(...list);
    x += width + DRAW_LAYER_GAP;
  }
  return { boxes: boxes, frames: frames, heights: heights, x: x };
}

/* One layer's boxes top to bottom at `x`, a frame around each run of one group; `h`: the
   bottom of the stack. */
function drawStackLayer(list, group, x, width) {
  let y = DRAW_MARGIN;
  let frame = null;
  const frames = [];
  for (const box of list) {
    if (group && (!frame || frame.label !== box.key)) {
      if (frame) y += DRAW_BOX_GAP / 2;
      frame = { label: box.key, x: x - 8, y: y, w: width + 16, h: 0 };
      frames.push(frame);
      y += DRAW_GROUP_HEAD;
    }
    box.x = x;
    box.w = width;
    box.y = y;
    y += box.h + DRAW_BOX_GAP;
    if (frame) frame.h = y - frame.y - DRAW_BOX_GAP + 8;
  }
  return { frames: frames, h: y };
}

/* Centre every layer on the tallest one; returns its height. */
function drawCentreLayers(heights) {
  const tallest = Math.max(0, ...heights.map((l) => l.h));
  for (const layer of heights) {
    const shift = Math.round((tallest - layer.h) / 2);
    for (const box of layer.list) box.y += shift;
    for (const frame of layer.frames) frame.y += shift;
  }
  return tallest;
}

/* The point an edge leaves from (right side) or arrives at (left side) for column c. */
function drawPort(M, layout, c, right) {
  const box = layout.boxOf.get(M.col.node[c]);
  if (!box) return null;
  const row = layout.anchor.get(c) || box.more;
  const y = row ? row.y + DRAW_ROW / 2 : box.y + DRAW_HEAD / 2;
  return { x: right ? box.x + box.w : box.x, y: y, hidden: !layout.anchor.has(c) };
}
