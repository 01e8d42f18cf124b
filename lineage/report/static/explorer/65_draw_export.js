/* 65_draw_export.js: the focus view as a standalone SVG document (export), with its colours
   in an inline style. */

const DRAW_EXPORT_CSS = [
  "svg{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#ffffff}",
  "text{fill:#1f2328}",
  ".box{fill:#ffffff;stroke:#d1d9e0;stroke-width:1.5}",
  ".head{fill:#f6f8fa;stroke:none}",
  ".name{font-weight:700}",
  ".kind,.type,.sub,.group-label{fill:#59636e}",
  ".row{fill:transparent}",
  ".rows .cname{font-style:italic;fill:#59636e}",
  ".tests{fill:#1a7f37}",
  ".more text{fill:#0969da}",
  ".group-box{fill:#f6f8fa;fill-opacity:.5;stroke:#d1d9e0;stroke-dasharray:4 3}",
  ".edge,.read-edge{fill:none;stroke:#8c959f;stroke-width:1.2;marker-end:url(#arrow)}",
  ".edge.indirect{stroke-dasharray:5 4}",
  ".read-edge{stroke-dasharray:1 3}",
  ".arrow-head{fill:#8c959f}",
  ".hatch-line{stroke:#59636e;stroke-width:1.2;stroke-opacity:.5}",
  ".has-path .column:not(.on-path):not(.via),.has-path .edge:not(.on-path)," +
    ".has-path .read-edge:not(.on-path){opacity:.25}",
  ".column.on-path .row{fill:#ddf4ff}",
  ".column.selected .row{fill:#b6e3ff}",
  ".column.on-path .cname{font-weight:700}",
  ".edge.on-path,.read-edge.on-path{stroke:#0969da;stroke-width:2.4}",
  ".badge rect,.chain rect{fill:#ffffff;stroke:#0969da}",
  ".badge text,.chain text{font-size:10px;fill:#0969da}",
  ".chain rect{stroke:#59636e;stroke-dasharray:3 2}",
  ".chain text{fill:#59636e}",
  ".relation.selected>.box,.consumer.selected>.box{stroke:#0969da;stroke-width:2.5}",
  ".ghost .cname{text-decoration:line-through}",
  ".ghost .row{fill:#f6f8fa}",
  ".sev-breaks>.box{stroke:#cf222e}.sev-rows>.box{stroke:#bc4c00}",
  ".sev-values>.box{stroke:#9a6700}.sev-additive>.box{stroke:#1a7f37}",
  ".sev-changed>.box{stroke:#8250df}",
  ".column.sev-breaks .row,.ghost.sev-breaks .row{fill:#ffebe9}",
  ".column.sev-rows .row,.ghost.sev-rows .row{fill:#fff1e5}",
  ".column.sev-values .row,.ghost.sev-values .row{fill:#fff8c5}",
  ".column.sev-additive .row,.ghost.sev-additive .row{fill:#dafbe1}",
  ".column.sev-unknown .row,.ghost.sev-unknown .row{fill:#eaeef2}",
  ".column.sev-changed .row,.ghost.sev-changed .row{fill:#fbefff}",
  ".sev-breaks .glyph,.sev-breaks .cname{fill:#cf222e}",
  ".sev-rows .glyph,.sev-rows .cname{fill:#bc4c00}",
  ".sev-values .glyph,.sev-values .cname{fill:#9a6700}",
  ".sev-additive .glyph,.sev-additive .cname{fill:#1a7f37}",
  ".sev-changed .glyph,.sev-changed .cname{fill:#8250df}",
].join("\n");

/* The current focus view as a standalone SVG document: the whole drawing (not only what the
   viewport shows), concrete colours in an inline style, no CSS variables, no script. */
function focusSvgText() {
  const svg = document.getElementById("focus");
  const bounds = focusDraw.bounds || { x: 0, y: 0, w: 200, h: 100 };
  const copy = svg.cloneNode(true);
  copy.setAttribute("xmlns", DRAW_NS);
  copy.setAttribute("viewBox", bounds.x + " " + bounds.y + " " + bounds.w + " " + bounds.h);
  copy.setAttribute("width", String(Math.ceil(bounds.w)));
  copy.setAttribute("height", String(Math.ceil(bounds.h)));
  copy.removeAttribute("id");
  copy.classList.remove("previewing");
  for (const el of copy.querySelectorAll("[tabindex]")) el.removeAttribute("tabindex");
  const style = document.createElementNS(DRAW_NS, "style");
  style.textContent = DRAW_EXPORT_CSS;
  copy.insertBefore(style, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}
