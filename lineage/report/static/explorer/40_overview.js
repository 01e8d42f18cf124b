// 40_overview.js: the overview map, every box of the project on one <canvas>.
//
// Level of detail: far out, boxes are filled rectangles (at least 1 px; boxes that would
// land on the same pixel row with the same colour are drawn once); labels once a row is
// OV_LABEL_PX tall; every edge once zoomed in past OV_EDGE_SCALE, and at any zoom the edges
// of the hovered and the selected box. Culling: layers are vertical strips, each indexed by
// y, so only the boxes in view are visited (binary search). A tall layout (thousands of boxes
// per layer) is stretched sideways to the canvas width until zooming in makes it square.
//
// This file: the state `ov`, the layer index, wiring, sizing, fitting, zoom and pan.
// 41_overview_colour.js: the colourings and the legend; 42_overview_paint.js: painting;
// 43_overview_input.js: pointer, wheel and keys, the tooltip.

const OV_LABEL_PX = 11;
const OV_EDGE_SCALE = 0.3;
const OV_MAX_SCALE = 4;
const OV_PAD = 8;
const OV_NEAR_PX = 3; // how far from a thin box the pointer may be and still hit it

let ov = null;

/** Index the boxes by layer and wire the canvas. The first draw does not need columns. */
function initOverview(M) {
  const canvas = document.getElementById("overview");
  ov = {
    M, canvas, ctx: canvas.getContext("2d"), section: document.getElementById("map-view"),
    tip: document.getElementById("overview-tip"),
    layers: ovLayers(M), rowHeight: M.D.layout.row_height || 20,
    width: M.D.layout.width || 1, height: M.D.layout.height || 1,
    kx: 1, ky: 1, tx: 0, ty: 0, stretch: 0, kyFit: 1, fitted: false, atFit: true,
    cssW: 0, cssH: 0, hover: -1, marked: null, frame: 0, drag: null,
    fill: null, fillKey: "", palette: null, hatch: null,
  };
  canvas.setAttribute("aria-label", "Overview map of " + M.nodeCount + " relations and "
    + "consumers. Drag to pan, wheel or + and - to zoom, 0 to fit, click a box to open it; "
    + "search reaches every box by keyboard.");
  ovWire(canvas);
  const dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  if (dark && dark.addEventListener) {
    dark.addEventListener("change", () => {
      ov.palette = null;
      ov.fillKey = "";
      drawOverview();
    });
  }
  if (window.ResizeObserver) new ResizeObserver(() => ovOnResize()).observe(ov.section);
  window.addEventListener("resize", () => ovOnResize());
}

/** Per layer: its x, its widest box, and its nodes sorted by y (with their y). */
function ovLayers(M) {
  const n = M.nodeCount;
  const count = [];
  for (let i = 0; i < n; i++) {
    const layer = M.node.layer[i];
    count[layer] = (count[layer] || 0) + 1;
  }
  const layers = [];
  for (let l = 0; l < count.length; l++) {
    layers.push({ x: Infinity, w: 0, nodes: new Int32Array(count[l] || 0), ys: null, fill: 0 });
  }
  for (let i = 0; i < n; i++) {
    const layer = layers[M.node.layer[i]];
    layer.nodes[layer.fill++] = i;
    layer.x = Math.min(layer.x, M.node.x[i]);
    layer.w = Math.max(layer.w, M.node.x[i] + M.node.w[i] - layer.x);
  }
  for (const layer of layers) {
    layer.nodes.sort((a, b) => M.node.y[a] - M.node.y[b] || a - b);
    layer.ys = Int32Array.from(layer.nodes, (i) => M.node.y[i]);
  }
  return layers.filter((layer) => layer.nodes.length);
}

function ovWire(canvas) {
  canvas.addEventListener("pointerdown", ovOnDown);
  canvas.addEventListener("pointermove", ovOnMove);
  canvas.addEventListener("pointerup", ovOnUp);
  canvas.addEventListener("pointercancel", () => { ov.drag = null; });
  canvas.addEventListener("pointerleave", () => ovHover(-1, 0, 0));
  canvas.addEventListener("wheel", ovOnWheel, { passive: false });
  canvas.addEventListener("keydown", ovOnKey);
  const click = (id, action) => {
    const button = document.getElementById(id);
    if (button) button.addEventListener("click", action);
  };
  click("map-zoom-in", () => ovZoomAt(ov.cssW / 2, ov.cssH / 2, 1.5));
  click("map-zoom-out", () => ovZoomAt(ov.cssW / 2, ov.cssH / 2, 1 / 1.5));
  click("map-fit", () => { ovFit(); ovSchedule(); });
}

/** Draw the map now (when it is shown). */
function drawOverview() {
  const size = ov ? ovSize() : false;
  if (!size) return;
  if (!ov.fitted || (size === "changed" && ov.atFit)) ovFit();
  if (ov.frame) cancelAnimationFrame(ov.frame);
  ov.frame = 0;
  ovPaint();
}

/** Mark the boxes of the focus view (a Set of nodes, or null for none). */
function markOverview(nodeSet) {
  if (!ov) return;
  ov.marked = nodeSet && nodeSet.size ? nodeSet : null;
  ovSchedule();
}

function ovSchedule() {
  if (!ov.frame) ov.frame = requestAnimationFrame(() => { ov.frame = 0; drawOverview(); });
}

/** Match the canvas to its box and the device pixel ratio; false when it is not shown. */
function ovSize() {
  const box = ov.canvas.getBoundingClientRect();
  if (box.width < 1 || box.height < 1 || ov.section.hidden) return false;
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(box.width * ratio);
  const height = Math.round(box.height * ratio);
  if (ov.canvas.width !== width || ov.canvas.height !== height) {
    ov.canvas.width = width;
    ov.canvas.height = height;
  }
  const changed = ov.cssW !== box.width || ov.cssH !== box.height;
  ov.cssW = box.width;
  ov.cssH = box.height;
  ov.ratio = ratio;
  return changed ? "changed" : true;
}

function ovOnResize() {
  if (!ov || !ov.fitted) return drawOverview();
  const cx = (ov.cssW / 2 - ov.tx) / ov.kx;
  const cy = (ov.cssH / 2 - ov.ty) / ov.ky;
  if (ovSize() !== "changed") return;
  if (ov.atFit) ovFit();
  else {
    ovFitScales();
    ov.kx = ovKx(ov.ky);
    ov.tx = ov.cssW / 2 - cx * ov.kx;
    ov.ty = ov.cssH / 2 - cy * ov.ky;
  }
  ovPaint();
}

/** The scales that fit the whole map: uniform for a wide map; a tall one (many boxes per
 * layer) also stretches sideways to the canvas width, but never past its natural size. */
function ovFitScales() {
  const kxFit = Math.max(ov.cssW - 2 * OV_PAD, 1) / ov.width;
  const kyFit = Math.max(ov.cssH - 2 * OV_PAD, 1) / ov.height;
  ov.kyFit = Math.min(kxFit, kyFit);
  ov.stretch = kxFit > kyFit ? Math.min(1, kxFit) : 0;
}

function ovKx(ky) {
  return Math.max(ky, ov.stretch);
}

function ovFit() {
  ovFitScales();
  ov.ky = ov.kyFit;
  ov.kx = ovKx(ov.ky);
  ov.tx = (ov.cssW - ov.width * ov.kx) / 2;
  ov.ty = (ov.cssH - ov.height * ov.ky) / 2;
  ov.fitted = true;
  ov.atFit = true;
}

function ovZoomAt(sx, sy, factor) {
  if (!ov.fitted) return;
  const wx = (sx - ov.tx) / ov.kx;
  const wy = (sy - ov.ty) / ov.ky;
  ov.ky = Math.min(OV_MAX_SCALE, Math.max(ov.kyFit / 2, ov.ky * factor));
  ov.kx = ovKx(ov.ky);
  ov.tx = sx - wx * ov.kx;
  ov.ty = sy - wy * ov.ky;
  ov.atFit = false;
  ovSchedule();
}

function ovPan(dx, dy) {
  ov.tx += dx;
  ov.ty += dy;
  ov.atFit = false;
  ovSchedule();
}
