/* 60_draw.js: the focus view in SVG. drawFocus(M, S, view) lays the view out (x: the node's
   overview layer, compacted to the layers present; y: its overview order, grouped by folder,
   layer or tag when asked) and draws relation boxes listing their columns, consumer boxes,
   column edges (direct solid, indirect dashed), the highlighted path with a badge per hop,
   hatched blind spots and the diff overlay. Pan with a drag, zoom with the wheel; a new set of
   nodes is fitted. focusSvgText() gives the drawing as a standalone SVG document.

   This file: the sizes, the drawing's state `focusDraw`, SVG element helpers, the facts a
   drawing shows (blind reasons, removed columns, diff status) and drawFocus, which runs the
   others: 61_draw_layout.js places the boxes, 62_draw_edges.js draws edges and badges,
   63_draw_boxes.js relation and consumer boxes with their rows, 64_draw_input.js the hover
   preview, pan, zoom and clicks, 65_draw_export.js the standalone SVG. */

const DRAW_NS = "http://www.w3.org/2000/svg";
const DRAW_CHAR = 7.2; // width of a 12px monospace character
const DRAW_ROW = 18;
const DRAW_HEAD = 24;
const DRAW_PAD = 8;
const DRAW_BOX_GAP = 16;
const DRAW_LAYER_GAP = 110;
const DRAW_GROUP_HEAD = 22;
const DRAW_MARGIN = 24;
/* Columns listed in a box before its "+N more" row, by the number of nodes in view: a big view
   lists fewer (its path columns always show), so a drawing stays a few thousand elements. */
const DRAW_ROW_LIMITS = [[40, 25], [120, 8], [Infinity, 0]];
const DRAW_NAME_CHARS = 30;
const DRAW_TYPE_CHARS = 14;
const DRAW_LABEL_CHARS = 40;

const focusDraw = {
  M: null, S: null, view: null, svg: null, expanded: new Set(), fitKey: null,
  vb: null, bounds: null, gone: null, cols: new Map(), edgeEls: [], readEls: [], hover: -1, ready: false,
  drag: null, moved: false, blind: null,
};

function drawEl(tag, attrs, parent) {
  const el = document.createElementNS(DRAW_NS, tag);
  for (const key in attrs) el.setAttribute(key, attrs[key]);
  if (parent) parent.appendChild(el);
  return el;
}

function drawText(text, attrs, parent) {
  const el = drawEl("text", attrs, parent);
  el.textContent = text;
  return el;
}

function drawTitle(text, parent) {
  const el = drawEl("title", {}, parent);
  el.textContent = text;
  return el;
}

function drawCut(text, limit) {
  return text.length > limit ? text.slice(0, limit - 1) + "…" : text;
}

function drawColumnKey(M, c) {
  return M.nodeIdText(M.col.node[c]) + "|" + M.colName(c);
}

/* Why each blind column and node is blind: blind spots (reason, file:line) and warnings. */
function drawBlindReasons(M) {
  if (focusDraw.blind && focusDraw.blind.M === M) return focusDraw.blind;
  const columns = new Map();
  const nodes = new Map();
  const add = (map, key, text) => {
    const held = map.get(key) || [];
    if (held.indexOf(text) < 0) held.push(text);
    map.set(key, held);
  };
  for (const spot of M.D.blind_spots || []) {
    const where = spot[2] ? " (" + M.str(spot[2]) + (spot[3] ? ":" + spot[3] : "") + ")" : "";
    const text = M.str(spot[1]) + where;
    if (spot[0] >= 0) {
      add(columns, spot[0], text);
      add(nodes, M.col.node[spot[0]], text);
    }
  }
  for (const d of M.D.diagnostics || []) {
    const severity = M.str(d[2]);
    if (d[5] >= 0 && (severity === "warning" || severity === "error")) {
      add(nodes, d[5], M.str(d[4]) + " (" + M.str(d[0]) + (d[1] ? ":" + d[1] : "") + ")");
    }
  }
  focusDraw.blind = { M: M, columns: columns, nodes: nodes };
  return focusDraw.blind;
}

/* Columns the change removed or renamed away that the head still names (a YAML contract still
   declares them, or an edge or consumer still reads them): drawn as ghost rows too, but still
   columns with a path (D.diff.gone). */
function drawGone(M) {
  if (focusDraw.gone && focusDraw.gone.M === M) return focusDraw.gone.columns;
  const columns = new Set(M.diff ? M.diff.raw.gone : []);
  focusDraw.gone = { M: M, columns: columns };
  return columns;
}

function drawStatus(M, c) {
  if (!M.diff) return "";
  const k = M.diff.status(c);
  const name = M.diff.statusName(k);
  return name === "none" ? "" : name;
}

function drawNodeStatus(M, n) {
  if (!M.diff) return "";
  const name = M.diff.statusName(M.diff.nodeStatus(n));
  return name === "none" ? "" : name;
}

function drawDefs(svg) {
  const defs = drawEl("defs", {}, svg);
  const marker = drawEl("marker", {
    id: "arrow", viewBox: "0 0 8 8", refX: "8", refY: "4", markerUnits: "userSpaceOnUse",
    markerWidth: "8", markerHeight: "8", orient: "auto",
  }, defs);
  drawEl("path", { d: "M0,0 L8,4 L0,8 z", class: "arrow-head" }, marker);
  const hatch = drawEl("pattern", {
    id: "hatch", width: "6", height: "6", patternUnits: "userSpaceOnUse",
    patternTransform: "rotate(45)",
  }, defs);
  drawEl("line", { x1: "0", y1: "0", x2: "0", y2: "6", class: "hatch-line" }, hatch);
}

/* Draw the view into svg#focus. */
function drawFocus(M, S, view) {
  const svg = document.getElementById("focus");
  if (!svg) return;
  focusDraw.M = M;
  focusDraw.S = S;
  focusDraw.view = view;
  focusDraw.svg = svg;
  focusDraw.hover = -1;
  // read the size before the drawing changes: reading it after would lay out the new drawing
  // once for nothing (the new viewBox lays it out again)
  focusDraw.size = { w: svg.clientWidth || 1000, h: svg.clientHeight || 600 };
  drawInit(svg);
  const layout = focusLayout(M, S, view);
  focusDraw.layout = layout;
  focusDraw.cols = new Map();
  focusDraw.edgeEls = [];
  focusDraw.readEls = [];
  const root = drawEl("g", { class: "focus-root" });
  drawFrames(layout, root);
  const edges = drawEl("g", { class: "edges" }, root);
  drawEdges(M, view, layout, edges);
  const nodes = drawEl("g", { class: "nodes" }, root);
  for (const box of layout.boxes) drawBox(M, S, view, box, nodes);
  const badges = drawEl("g", { class: "badges" }, root);
  drawBadges(M, view, layout, badges);
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  drawDefs(svg);
  svg.appendChild(root);
  svg.classList.toggle("has-path", view.path.size > 0);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Focus view: " + view.nodes.length + " nodes" +
    (view.path.size ? ", the path of " + M.colName(view.pathColumn) + " highlighted" : ""));
  focusDraw.bounds = { x: 0, y: 0, w: Math.max(layout.width, 200), h: Math.max(layout.height, 100) };
  const fitKey = view.nodes.join(",");
  if (fitKey !== focusDraw.fitKey || !focusDraw.vb) {
    focusDraw.fitKey = fitKey;
    drawFit(M, view, layout);
  } else {
    drawViewBox();
  }
}

function drawFrames(layout, parent) {
  if (!layout.frames.length) return;
  const g = drawEl("g", { class: "groups" }, parent);
  for (const frame of layout.frames) {
    const f = drawEl("g", { class: "group", "data-group": frame.label }, g);
    drawEl("rect", { class: "group-box", x: frame.x, y: frame.y, width: frame.w,
                     height: frame.h, rx: 6 }, f);
    drawText(drawCut(frame.label, DRAW_LABEL_CHARS + 6), { class: "group-label",
      x: frame.x + 6, y: frame.y + 15 }, f);
    drawTitle(frame.label, f);
  }
}
