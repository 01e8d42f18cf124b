// 42_overview_paint.js: painting the overview map: the boxes in view (culled per layer
// strip), their labels, the edges, the hovered and selected box's edges, and the outlines of
// the focus set, the selection and the hover.

function ovPaint() {
  const { ctx, M } = ov;
  const palette = ovPalette();
  const fill = ovFills();
  ctx.setTransform(ov.ratio, 0, 0, ov.ratio, 0, 0);
  ctx.fillStyle = palette.bg;
  ctx.fillRect(0, 0, ov.cssW, ov.cssH);
  const view = {
    x0: -ov.tx / ov.kx, x1: (ov.cssW - ov.tx) / ov.kx,
    y0: -ov.ty / ov.ky, y1: (ov.cssH - ov.ty) / ov.ky,
  };
  if (ov.ky >= OV_EDGE_SCALE) ovEdges(M, view, palette);
  for (const node of [ov.hover, S.node]) {
    if (node >= 0 && node < M.nodeCount) ovNeighbourEdges(M, node, palette);
  }
  const labels = ov.rowHeight * ov.ky >= OV_LABEL_PX;
  ovBoxes(M, view, fill, palette, labels);
  ovOutlines(M, palette);
}

/** Every layer strip in view, and in it the boxes in view. */
function ovVisible(view, visit) {
  const rowHeight = ov.rowHeight;
  for (const layer of ov.layers) {
    if (layer.x > view.x1 || layer.x + layer.w < view.x0) continue;
    const ys = layer.ys;
    let low = 0;
    let high = ys.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (ys[mid] + rowHeight < view.y0) low = mid + 1;
      else high = mid;
    }
    for (let k = low; k < ys.length && ys[k] <= view.y1; k++) visit(layer.nodes[k]);
  }
}

function ovBoxes(M, view, fill, palette, labels) {
  const { ctx, kx, ky, tx, ty } = ov;
  const height = Math.max(1, ov.rowHeight * ky);
  const marked = ov.marked;
  let lastRow = -1;
  let lastX = -1;
  let lastFill = "";
  const text = [];
  ovVisible(view, (i) => {
    const sx = M.node.x[i] * kx + tx;
    const sy = M.node.y[i] * ky + ty;
    const dim = marked !== null && !marked.has(i);
    const colour = fill[i];
    const row = Math.floor(sy);
    const same = row === lastRow && sx === lastX && colour === lastFill;
    if (same && !labels && !M.node.blind[i]) return; // the same pixel row, already painted
    lastRow = row;
    lastX = sx;
    lastFill = colour;
    const width = Math.max(1, M.node.w[i] * kx);
    ctx.globalAlpha = dim ? 0.45 : 1;
    ctx.fillStyle = colour;
    ctx.fillRect(sx, sy, width, height);
    if (M.node.blind[i]) {
      ctx.fillStyle = ov.hatch;
      ctx.fillRect(sx, sy, width, height);
    }
    if (labels) text.push(i);
  });
  ctx.globalAlpha = 1;
  if (labels) ovLabels(M, text, palette);
}

function ovLabels(M, nodes, palette) {
  const { ctx, kx, ky, tx, ty } = ov;
  const size = Math.min(13, ov.rowHeight * ky * 0.6);
  const charWidth = size * 0.6;
  ctx.font = size + "px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  ctx.textBaseline = "middle";
  const status = S.colour === "status" && M.diff;
  for (const i of nodes) {
    const sx = M.node.x[i] * kx + tx;
    const sy = M.node.y[i] * ky + ty + (ov.rowHeight * ky) / 2;
    let label = M.nodeLabel(i);
    if (status) {
      const k = M.diff.nodeStatus(i);
      if (M.diff.statusName(k) !== "none") label = M.diff.glyph(k) + " " + label;
    }
    const room = Math.floor((M.node.w[i] * kx - 8) / charWidth);
    if (room < 2) continue;
    if (label.length > room) label = label.slice(0, room - 1) + "…";
    ctx.globalAlpha = ov.marked !== null && !ov.marked.has(i) ? 0.4 : 1;
    ctx.fillStyle = palette.fg;
    ctx.fillText(label, sx + 4, sy);
  }
  ctx.globalAlpha = 1;
}

function ovCurve(ctx, M, a, b) {
  const half = ov.rowHeight / 2;
  const x1 = (M.node.x[a] + M.node.w[a]) * ov.kx + ov.tx;
  const y1 = (M.node.y[a] + half) * ov.ky + ov.ty;
  const x2 = M.node.x[b] * ov.kx + ov.tx;
  const y2 = (M.node.y[b] + half) * ov.ky + ov.ty;
  const bend = Math.max(Math.abs(x2 - x1) / 2, 12);
  ctx.moveTo(x1, y1);
  ctx.bezierCurveTo(x1 + bend, y1, x2 - bend, y2, x2, y2);
}

/** Every overview edge with a part in view (zoomed in only). */
function ovEdges(M, view, palette) {
  const { ctx } = ov;
  const pairs = M.D.layout.edges;
  const half = ov.rowHeight / 2;
  ctx.strokeStyle = palette.edge;
  ctx.lineWidth = 1;
  ctx.globalAlpha = ov.marked ? 0.35 : 0.8;
  ctx.beginPath();
  for (let k = 0; k + 1 < pairs.length; k += 2) {
    const a = pairs[k];
    const b = pairs[k + 1];
    const xa = M.node.x[a] + M.node.w[a];
    const xb = M.node.x[b];
    const ya = M.node.y[a] + half;
    const yb = M.node.y[b] + half;
    if (Math.max(xa, xb) < view.x0 || Math.min(xa, xb) > view.x1) continue;
    if (Math.max(ya, yb) < view.y0 || Math.min(ya, yb) > view.y1) continue;
    ovCurve(ctx, M, a, b);
  }
  ctx.stroke();
  ctx.globalAlpha = 1;
}

/** The edges of one node (hovered or selected), at any zoom. */
function ovNeighbourEdges(M, node, palette) {
  const { ctx } = ov;
  ctx.strokeStyle = palette.path;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (const parent of M.parents(node)) ovCurve(ctx, M, parent, node);
  for (const child of M.children(node)) ovCurve(ctx, M, node, child);
  ctx.stroke();
}

/** Outlines: the focus set (at least 3 px tall, so it shows far out), the selection, the hover. */
function ovOutlines(M, palette) {
  const { ctx, kx, ky, tx, ty } = ov;
  const box = (i, grow) => {
    const height = Math.max(3, ov.rowHeight * ky);
    const sy = M.node.y[i] * ky + ty + (ov.rowHeight * ky - height) / 2;
    const width = Math.max(3, M.node.w[i] * kx);
    return [M.node.x[i] * kx + tx - grow, sy - grow, width + 2 * grow, height + 2 * grow];
  };
  if (ov.marked) {
    ctx.fillStyle = palette.path;
    ctx.strokeStyle = palette.path;
    ctx.lineWidth = 1.5;
    const big = ov.rowHeight * ky >= 4;
    for (const i of ov.marked) {
      if (i < 0 || i >= M.nodeCount) continue;
      const [x, y, w, h] = box(i, 0);
      if (x > ov.cssW || x + w < 0 || y > ov.cssH || y + h < 0) continue;
      if (big) ctx.strokeRect(x, y, w, h);
      else ctx.fillRect(x, y, w, h);
    }
  }
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = palette.path;
  if (S.node >= 0 && S.node < M.nodeCount) ctx.strokeRect(...box(S.node, 2));
  ctx.strokeStyle = palette.fg;
  ctx.lineWidth = 1.5;
  if (ov.hover >= 0) ctx.strokeRect(...box(ov.hover, 1));
}
