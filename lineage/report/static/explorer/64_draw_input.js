/* 64_draw_input.js: the focus view's input: the path preview of the hovered column, fitting
   a new view, pan with a drag, zoom with the wheel, and clicks (a column highlights its path,
   a header opens the node, "+N more" lists every column). */

function drawApplyPath(path, edges, via, down) {
  const svg = focusDraw.svg;
  svg.classList.toggle("has-path", path.size > 0);
  for (const [c, el] of focusDraw.cols) {
    el.classList.toggle("on-path", path.has(c));
    el.classList.toggle("via", via.has(c));
  }
  for (const item of focusDraw.edgeEls) item.el.classList.toggle("on-path", edges.has(item.e));
  for (const item of focusDraw.readEls) {
    item.el.classList.toggle("on-path", item.cs.some((c) => down.has(c)));
  }
}

function drawHover(c) {
  const view = focusDraw.view;
  if (!view || (focusDraw.S && focusDraw.S.lock && view.pathColumn >= 0) || c === focusDraw.hover) {
    return;
  }
  focusDraw.hover = c;
  if (c < 0) {
    drawApplyPath(view.path, view.pathEdges, view.via, view.down);
    focusDraw.svg.classList.remove("previewing");
    return;
  }
  const path = focusPath(focusDraw.M, c);
  focusDraw.svg.classList.add("previewing");
  drawApplyPath(path.path, path.edges, path.via, path.down);
}

function drawViewBox() {
  const vb = focusDraw.vb;
  focusDraw.svg.setAttribute("viewBox", vb.x + " " + vb.y + " " + vb.w + " " + vb.h);
}

/* Fit a new view: the whole drawing when it is readable that way, else a readable scale
   centred on the selection itself. */
function drawFit(M, view, layout) {
  const bounds = focusDraw.bounds;
  const width = focusDraw.size.w;
  const height = focusDraw.size.h;
  let scale = Math.min(width / bounds.w, height / bounds.h, 1.25);
  let cx = bounds.w / 2;
  let cy = bounds.h / 2;
  if (scale < 0.45) {
    scale = 0.45;
    const core = layout.boxes.filter((b) => view.core.has(b.n));
    const focus = core.length ? core : layout.boxes.slice(0, 1);
    if (focus.length) {
      cx = focus.reduce((s, b) => s + b.x + b.w / 2, 0) / focus.length;
      cy = focus.reduce((s, b) => s + b.y + b.h / 2, 0) / focus.length;
    }
  }
  const w = width / scale;
  const h = height / scale;
  focusDraw.vb = { x: cx - w / 2, y: cy - h / 2, w: w, h: h };
  drawViewBox();
}

function drawPoint(event) {
  const m = focusDraw.svg.getScreenCTM();
  if (!m) return { x: 0, y: 0, scale: 1 };
  const inv = m.inverse();
  return {
    x: inv.a * event.clientX + inv.c * event.clientY + inv.e,
    y: inv.b * event.clientX + inv.d * event.clientY + inv.f,
    scale: m.a || 1,
  };
}

function drawInit(svg) {
  if (focusDraw.ready) return;
  focusDraw.ready = true;
  svg.addEventListener("click", drawClick);
  svg.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      if (event.target.closest && event.target.closest(".header, .more")) {
        event.preventDefault();
        drawClick(event);
      }
    }
  });
  svg.addEventListener("mouseover", (event) => {
    const col = event.target.closest && event.target.closest("g.column");
    drawHover(col ? Number(col.getAttribute("data-c")) : -1);
  });
  svg.addEventListener("mouseleave", () => drawHover(-1));
  svg.addEventListener("wheel", (event) => {
    if (!focusDraw.vb) return;
    event.preventDefault();
    const p = drawPoint(event);
    const factor = Math.exp(Math.max(-1, Math.min(1, event.deltaY * 0.0015)));
    const vb = focusDraw.vb;
    const w = Math.max(80, Math.min(vb.w * factor, focusDraw.bounds.w * 6 + 4000));
    const ratio = w / vb.w;
    focusDraw.vb = { x: p.x - (p.x - vb.x) * ratio, y: p.y - (p.y - vb.y) * ratio,
                     w: w, h: vb.h * ratio };
    drawViewBox();
  }, { passive: false });
  svg.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || !focusDraw.vb) return;
    focusDraw.drag = { x: event.clientX, y: event.clientY, vb: focusDraw.vb, id: event.pointerId };
    focusDraw.moved = false;
  });
  svg.addEventListener("pointermove", (event) => {
    const drag = focusDraw.drag;
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!focusDraw.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!focusDraw.moved) svg.setPointerCapture(drag.id);
    focusDraw.moved = true;
    const m = svg.getScreenCTM();
    const scale = m ? m.a : 1;
    focusDraw.vb = { x: drag.vb.x - dx / scale, y: drag.vb.y - dy / scale, w: drag.vb.w,
                     h: drag.vb.h };
    drawViewBox();
  });
  const end = () => { focusDraw.drag = null; };
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
}

function drawClick(event) {
  if (focusDraw.moved) {
    focusDraw.moved = false;
    return;
  }
  const target = event.target.closest ? event.target : null;
  if (!target) return;
  const M = focusDraw.M;
  const S = focusDraw.S;
  const more = target.closest(".more");
  if (more) {
    focusDraw.expanded.add(Number(more.getAttribute("data-n")));
    drawFocus(M, S, focusDraw.view);
    return;
  }
  const col = target.closest("g.column");
  if (col) {
    const c = Number(col.getAttribute("data-c"));
    focusDraw.hover = -1;
    if (c === S.column) setState({ column: -1 });
    else setState({ column: c, node: M.col.node[c], view: "focus" });
    return;
  }
  const head = target.closest(".header");
  if (head) {
    setState({ node: Number(head.getAttribute("data-n")), column: -1, view: "focus" });
  }
}
