/* 63_draw_boxes.js: the focus view's boxes: a relation's header (status glyph, name, kind,
   its own tests, tooltip) and its rows (the rows pseudo-column, columns with type and tests,
   "+N more", ghosts of removed columns); a consumer's header and kind line. */

/* A relation's or consumer's box: its header, then a relation's rows or a consumer's kind
   and owner line. */
function drawBox(M, S, view, box, parent) {
  const n = box.n;
  const consumer = M.isConsumer(n);
  const status = drawNodeStatus(M, n);
  const classes = [consumer ? "consumer" : "relation"];
  if (n === S.node) classes.push("selected");
  if (view.core.has(n)) classes.push("core");
  if (M.node.blind[n]) classes.push("blind");
  if (status) classes.push("sev-" + status);
  const g = drawEl("g", { class: classes.join(" "), "data-node": M.nodeIdText(n) }, parent);
  drawEl("rect", { class: "box", x: box.x, y: box.y, width: box.w, height: box.h, rx: 4 }, g);
  const tests = view.showTests ? M.nodeTests(n) : [];
  drawBoxHead(M, view, box, status, tests, g);
  if (consumer) {
    const line = [M.kindName(n), M.str(M.node.owner[n])].filter(Boolean).join(" · ");
    drawText(drawCut(line, Math.floor((box.w - 2 * DRAW_PAD) / DRAW_CHAR)), { class: "sub",
      x: box.x + DRAW_PAD, y: box.y + DRAW_HEAD + 13 }, g);
    return;
  }
  const testsByColumn = new Map();
  for (const t of tests) {
    if (t.column >= 0) testsByColumn.set(t.column, (testsByColumn.get(t.column) || []).concat(t));
  }
  for (const row of box.rows) drawRow(M, S, view, box, row, testsByColumn, g);
}

/* The header of node box.n (a button that opens it): hatch, status glyph, name, kind, the
   count of its own tests, and a tooltip. */
function drawBoxHead(M, view, box, status, tests, parent) {
  const n = box.n;
  const reasons = drawBlindReasons(M).nodes.get(n);
  const head = drawEl("g", { class: "header", tabindex: "0", role: "button",
                             "data-n": String(n) }, parent);
  drawEl("rect", { class: "head", x: box.x, y: box.y, width: box.w, height: DRAW_HEAD, rx: 4 },
    head);
  if (M.node.blind[n]) {
    drawEl("rect", { class: "hatch", x: box.x, y: box.y, width: box.w, height: DRAW_HEAD,
                     fill: "url(#hatch)" }, head);
  }
  let textX = box.x + DRAW_PAD;
  if (status) {
    drawText(M.diff.glyph(M.diff.nodeStatus(n)), { class: "glyph", x: textX,
      y: box.y + 16 }, head);
    textX += 14;
  }
  const label = M.nodeLabel(n);
  drawText(drawCut(label, Math.floor((box.w - 2 * DRAW_PAD - 40) / DRAW_CHAR)),
    { class: "name", x: textX, y: box.y + 16 }, head);
  drawText(M.kindName(n), { class: "kind", x: box.x + box.w - DRAW_PAD, y: box.y + 16,
                             "text-anchor": "end" }, head);
  const own = tests.filter((t) => t.column < 0);
  if (own.length) {
    const mark = drawText("✓" + own.length, { class: "tests", x: box.x + box.w - DRAW_PAD -
      M.kindName(n).length * DRAW_CHAR - 6, y: box.y + 16, "text-anchor": "end" }, head);
    drawTitle("Tests: " + own.map((t) => t.name).join(", "), mark);
  }
  const tip = [M.nodeIdText(n) + " (" + M.kindName(n) + ")"];
  if (M.str(M.node.description[n])) tip.push(M.str(M.node.description[n]));
  if (reasons) tip.push("Blind spot: " + reasons.join("; "));
  const hidden = view.hidden.get(n);
  if (hidden) tip.push("Fed through collapsed pass-throughs: " +
    hidden.map((h) => M.nodeLabel(h)).join(", "));
  drawTitle(tip.join("\n"), head);
}

/* One row of a relation box: "+N more", a ghost, or a column (the rows pseudo-column too). */
function drawRow(M, S, view, box, row, testsByColumn, parent) {
  if (row.type === "more") {
    drawMoreRow(M, box, row, parent);
    return;
  }
  if (row.type === "ghost") {
    drawGhost(M, box, row, parent);
    return;
  }
  drawColumnRow(M, view, box, row, testsByColumn, parent);
}

/* "+N more" (or "+N columns" when none is listed): a button that lists them all. */
function drawMoreRow(M, box, row, parent) {
  const g = drawEl("g", { class: "more", "data-n": String(row.n), role: "button",
                          tabindex: "0" }, parent);
  drawEl("rect", { x: box.x, y: row.y, width: box.w, height: DRAW_ROW }, g);
  drawText("+" + row.left + (row.all ? " columns" : " more"), { x: box.x + DRAW_PAD,
    y: row.y + 13 }, g);
  drawTitle("Show all the columns of " + M.nodeLabel(row.n), g);
}

/* Column row.c: its classes (path, selection, blind, status, removed), hatch, status glyph,
   name, type, test count and tooltip. */
function drawColumnRow(M, view, box, row, testsByColumn, parent) {
  const c = row.c;
  const status = drawStatus(M, c);
  const classes = ["column"];
  if (row.type === "rows") classes.push("rows");
  if (view.path.has(c)) classes.push("on-path");
  if (view.via.has(c)) classes.push("via");
  if (c === view.pathColumn) classes.push("selected");
  if (view.columns && view.columns.has(c)) classes.push("chosen");
  if (M.col.blind[c]) classes.push("blind");
  if (status) classes.push("sev-" + status);
  const gone = drawGone(M).has(c);
  if (gone) classes.push("ghost");
  const g = drawEl("g", { class: classes.join(" "), "data-column": drawColumnKey(M, c),
                          "data-c": String(c) }, parent);
  if (gone) g.setAttribute("data-status", status || "changed");
  focusDraw.cols.set(c, g);
  drawEl("rect", { class: "row", x: box.x + 1, y: row.y, width: box.w - 2, height: DRAW_ROW },
    g);
  if (M.col.blind[c]) {
    drawEl("rect", { class: "hatch", x: box.x + 1, y: row.y, width: box.w - 2,
                     height: DRAW_ROW, fill: "url(#hatch)" }, g);
  }
  let textX = box.x + DRAW_PAD;
  if (status) {
    drawText(M.diff.glyph(M.diff.status(c)), { class: "glyph", x: textX, y: row.y + 13 }, g);
    textX += 14;
  }
  const name = row.type === "rows" ? "(rows)" : M.colName(c);
  const type = M.str(M.col.type[c]);
  const colTests = testsByColumn.get(c) || [];
  const right = box.x + box.w - DRAW_PAD - (colTests.length ? 22 : 0);
  const room = Math.floor((right - textX) / DRAW_CHAR) - Math.min(type.length, DRAW_TYPE_CHARS) - 1;
  drawText(drawCut(name, Math.max(6, Math.min(DRAW_NAME_CHARS, room))), { class: "cname",
    x: textX, y: row.y + 13 }, g);
  if (type) {
    drawText(drawCut(type, DRAW_TYPE_CHARS), { class: "type", x: right, y: row.y + 13,
                                               "text-anchor": "end" }, g);
  }
  if (colTests.length) {
    drawText("✓" + colTests.length, { class: "tests", x: box.x + box.w - DRAW_PAD,
      y: row.y + 13, "text-anchor": "end" }, g);
  }
  drawTitle((gone ? "Removed by this change, still read downstream.\n" : "") +
    drawColumnTip(M, c, name, type, colTests, status), g);
}

function drawColumnTip(M, c, name, type, tests, status) {
  const tip = [M.nodeLabel(M.col.node[c]) + "." + name + (type ? " " + type : "")];
  const description = M.str(M.col.description[c]);
  if (description) tip.push(description);
  if (M.isRows(c)) tip.push("Decides which rows exist (filters, joins, grouping).");
  if (tests.length) tip.push("Tests: " + tests.map((t) => t.name).join(", "));
  if (status) tip.push(M.diff.label(M.diff.status(c)));
  const reasons = drawBlindReasons(M).columns.get(c);
  if (reasons) tip.push("Blind spot: " + reasons.join("; "));
  else if (M.col.blind[c]) tip.push("Blind spot: its lineage could not be fully resolved.");
  return tip.join("\n");
}

function drawGhost(M, box, row, parent) {
  const ghost = row.ghost; // [node, column name, status, reason]
  const status = M.diff.statusName(ghost[2]);
  const name = M.str(ghost[1]);
  const g = drawEl("g", { class: "ghost sev-" + status, "data-column": M.nodeIdText(box.n) +
    "|" + name, "data-status": status }, parent);
  drawEl("rect", { class: "row", x: box.x + 1, y: row.y, width: box.w - 2, height: DRAW_ROW },
    g);
  drawText(M.diff.glyph(ghost[2]), { class: "glyph", x: box.x + DRAW_PAD, y: row.y + 13 }, g);
  drawText(drawCut(name, DRAW_NAME_CHARS), { class: "cname", x: box.x + DRAW_PAD + 14,
    y: row.y + 13 }, g);
  drawText("removed", { class: "type", x: box.x + box.w - DRAW_PAD, y: row.y + 13,
                        "text-anchor": "end" }, g);
  const reason = ghost[3] ? M.str(ghost[3]) : "";
  drawTitle(name + ": not in the head any more. " + M.diff.label(ghost[2]) +
    (reason ? ": " + reason : "."), g);
}
