// 43_overview_input.js: the overview map's input: which box is under the pointer, drag to
// pan, click to open, the hover tooltip, wheel and keyboard zoom and pan; ovClientRect for
// tests and the benchmark.

/** The node under a point of the canvas (css px), or -1. */
function ovNodeAt(sx, sy) {
  if (!ov.fitted) return -1;
  const M = ov.M;
  const wx = (sx - ov.tx) / ov.kx;
  const wy = (sy - ov.ty) / ov.ky;
  const nearX = OV_NEAR_PX / ov.kx;
  const nearY = OV_NEAR_PX / ov.ky;
  let found = -1;
  let distance = Infinity;
  for (const layer of ov.layers) {
    if (wx < layer.x - nearX || wx > layer.x + layer.w + nearX) continue;
    const ys = layer.ys;
    let low = 0;
    let high = ys.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (ys[mid] <= wy) low = mid + 1;
      else high = mid;
    }
    for (const k of [low - 1, low]) {
      if (k < 0 || k >= ys.length) continue;
      const i = layer.nodes[k];
      if (wx < M.node.x[i] - nearX || wx > M.node.x[i] + M.node.w[i] + nearX) continue;
      const off = wy < ys[k] ? ys[k] - wy : Math.max(0, wy - ys[k] - ov.rowHeight);
      if (off <= nearY && off < distance) {
        distance = off;
        found = i;
      }
    }
  }
  return found;
}

function ovPoint(event) {
  const box = ov.canvas.getBoundingClientRect();
  return [event.clientX - box.left, event.clientY - box.top];
}

function ovOnDown(event) {
  if (event.button !== 0) return;
  const [sx, sy] = ovPoint(event);
  ov.drag = { sx, sy, tx: ov.tx, ty: ov.ty, moved: false, id: event.pointerId };
  ov.canvas.setPointerCapture(event.pointerId);
}

function ovOnMove(event) {
  const [sx, sy] = ovPoint(event);
  const drag = ov.drag;
  if (drag) {
    const dx = sx - drag.sx;
    const dy = sy - drag.sy;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    drag.moved = true;
    ov.tx = drag.tx + dx;
    ov.ty = drag.ty + dy;
    ov.atFit = false;
    ovHover(-1, 0, 0);
    ovSchedule();
    return;
  }
  ovHover(ovNodeAt(sx, sy), sx, sy);
}

function ovOnUp(event) {
  const drag = ov.drag;
  ov.drag = null;
  if (!drag || drag.moved) return;
  const [sx, sy] = ovPoint(event);
  const node = ovNodeAt(sx, sy);
  if (node >= 0) ovOpen(node);
}

function ovOpen(node) {
  ovHover(-1, 0, 0);
  setState({ select: searchSelectText(ov.M, node), node, column: -1, view: "focus" });
}

function ovHover(node, sx, sy) {
  const tip = ov.tip;
  if (node !== ov.hover) {
    ov.hover = node;
    ov.canvas.style.cursor = node >= 0 ? "pointer" : "";
    if (tip && node >= 0) ovTipText(ov.M, tip, node);
    ovSchedule();
  }
  if (!tip) return;
  tip.hidden = node < 0;
  if (node >= 0) {
    const left = Math.min(sx + 14, Math.max(0, ov.cssW - tip.offsetWidth - 4));
    const top = sy + 18 + tip.offsetHeight > ov.cssH ? sy - tip.offsetHeight - 8 : sy + 18;
    tip.style.left = left + ov.canvas.offsetLeft + "px";
    tip.style.top = top + ov.canvas.offsetTop + "px";
  }
}

function ovTipText(M, tip, node) {
  const name = document.createElement("strong");
  name.textContent = M.nodeLabel(node);
  const lines = [name];
  const what = [M.kindName(node), M.groupName(node).replace(/_/g, " ")];
  if (M.node.blind[node]) what.push("blind spot");
  if (M.diff) {
    const k = M.diff.nodeStatus(node);
    if (M.diff.statusName(k) !== "none") what.push(M.diff.glyph(k) + " " + M.diff.label(k));
  }
  const kind = document.createElement("span");
  kind.textContent = what.join(" · ");
  lines.push(kind);
  if (M.nodeIdText(node) !== M.nodeLabel(node)) {
    const id = document.createElement("code");
    id.textContent = M.nodeIdText(node);
    lines.push(id);
  }
  tip.replaceChildren(...lines);
}

function ovOnWheel(event) {
  event.preventDefault();
  const [sx, sy] = ovPoint(event);
  const lines = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? ov.cssH : 1;
  if (event.ctrlKey || Math.abs(event.deltaY) >= Math.abs(event.deltaX)) {
    ovZoomAt(sx, sy, Math.exp(-event.deltaY * lines * 0.0015));
  } else {
    ovPan(-event.deltaX * lines, 0);
  }
}

function ovOnKey(event) {
  const step = 0.2;
  const keys = {
    "+": () => ovZoomAt(ov.cssW / 2, ov.cssH / 2, 1.5),
    "=": () => ovZoomAt(ov.cssW / 2, ov.cssH / 2, 1.5),
    "-": () => ovZoomAt(ov.cssW / 2, ov.cssH / 2, 1 / 1.5),
    "0": () => { ovFit(); ovSchedule(); },
    ArrowLeft: () => ovPan(ov.cssW * step, 0),
    ArrowRight: () => ovPan(-ov.cssW * step, 0),
    ArrowUp: () => ovPan(0, ov.cssH * step),
    ArrowDown: () => ovPan(0, -ov.cssH * step),
  };
  const action = keys[event.key];
  if (!action || event.ctrlKey || event.metaKey || event.altKey) return;
  event.preventDefault();
  action();
}

/** Node i's box on the map as drawn now, in client pixels: [left, top, width, height]
 * (for tests and the benchmark). */
function ovClientRect(i) {
  const box = ov.canvas.getBoundingClientRect();
  const M = ov.M;
  return [box.left + M.node.x[i] * ov.kx + ov.tx, box.top + M.node.y[i] * ov.ky + ov.ty,
    M.node.w[i] * ov.kx, ov.rowHeight * ov.ky];
}
