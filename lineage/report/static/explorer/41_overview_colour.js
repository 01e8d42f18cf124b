// 41_overview_colour.js: the colours of the overview map: the palette read from the page's
// CSS (light or dark), the hatch of blind spots, each node's fill for the chosen colouring
// (layer, kind, folder or diff status) and the legend that explains it.

const OV_GROUP_COLOURS = {
  // OverviewGroup order: app_table source seed snapshot staging intermediate marts model
  // table external consumer
  light: ["#f2c6a0", "#b6e3c6", "#d8e2a8", "#c7d8e8", "#a8d1f5", "#c9b8f0", "#f5b8cf",
    "#b9c4d0", "#a9dcd6", "#d6d8db", "#f3dc8c"],
  dark: ["#7a4a22", "#1f5c37", "#4d5a1c", "#2f4a63", "#1f4f7a", "#4b3a7a", "#7a2f4d",
    "#3d4754", "#1f5954", "#40454c", "#6b5511"],
};
const OV_KIND_COLOURS = {
  light: ["#a8d1f5", "#b6e3c6", "#f2c6a0", "#c9b8f0", "#f5b8cf", "#d8e2a8", "#a9dcd6",
    "#f3dc8c", "#c7d8e8", "#e3c2e8", "#d6d8db", "#f0b5a8"],
  dark: ["#1f4f7a", "#1f5c37", "#7a4a22", "#4b3a7a", "#7a2f4d", "#4d5a1c", "#1f5954",
    "#6b5511", "#2f4a63", "#5e3366", "#40454c", "#6e3026"],
};

function ovPalette() {
  if (ov.palette) return ov.palette;
  const style = getComputedStyle(document.documentElement);
  const css = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  const palette = {
    dark, bg: css("--bg", "#ffffff"), fg: css("--fg", "#1f2328"), muted: css("--muted", "#59636e"),
    border: css("--border", "#d1d9e0"), edge: css("--edge", "#8c959f"),
    path: css("--path", "#0969da"),
    groups: OV_GROUP_COLOURS[dark ? "dark" : "light"],
    kinds: OV_KIND_COLOURS[dark ? "dark" : "light"],
    status: {}, statusBg: {},
  };
  for (const name of ["breaks", "rows", "values", "additive", "unknown", "changed", "none"]) {
    palette.status[name] = css("--" + name, palette.muted);
    palette.statusBg[name] = css("--" + name + "-bg", palette.bg);
  }
  ov.palette = palette;
  ov.hatch = ovHatch(palette);
  return palette;
}

function ovHatch(palette) {
  const tile = document.createElement("canvas");
  tile.width = 6;
  tile.height = 6;
  const ctx = tile.getContext("2d");
  ctx.strokeStyle = palette.fg;
  ctx.globalAlpha = 0.55;
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  ctx.moveTo(-1, 7);
  ctx.lineTo(7, -1);
  ctx.stroke();
  return ov.ctx.createPattern(tile, "repeat");
}

/** The folder a node is coloured by: the first two folders of its definition's path. */
function ovFolder(path) {
  const parts = path.split("/").slice(0, -1).filter((p) => p && p !== "." && p !== "..");
  return parts.slice(0, 2).join("/");
}

/** A colour for `text` from a 32-bit FNV-1a hash: the same folder, the same colour. */
function ovHashColour(text, dark) {
  let hash = 0x811c9dc5;
  for (let k = 0; k < text.length; k++) {
    hash ^= text.charCodeAt(k);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const hue = hash % 360;
  const light = 72 + ((hash >>> 9) % 3) * 6;
  if (dark) return "hsl(" + hue + ", 45%, " + (light - 44) + "%)";
  return "hsl(" + hue + ", 65%, " + light + "%)";
}

/** The fill of every node for the current colouring; rebuilt when it changes. */
function ovFills() {
  const palette = ovPalette();
  if (ov.fill && ov.fillKey === S.colour) return ov.fill;
  const M = ov.M;
  const fill = new Array(M.nodeCount);
  const folders = new Map(); // folder -> {colour, count}
  const byPath = new Map(); // path string -> its folder's entry
  for (let i = 0; i < M.nodeCount; i++) fill[i] = ovFillOf(M, i, palette, folders, byPath);
  ov.fill = fill;
  ov.fillKey = S.colour;
  ovLegend(M, palette, folders);
  return fill;
}

function ovFillOf(M, i, palette, folders, byPath) {
  if (S.colour === "status" && M.diff) {
    const name = M.diff.statusName(M.diff.nodeStatus(i));
    return name === "none" ? palette.border : palette.status[name];
  }
  if (S.colour === "kind") return palette.kinds[M.node.kind[i] % palette.kinds.length];
  if (S.colour === "folder") {
    let entry = byPath.get(M.node.path[i]);
    if (entry === undefined) {
      const folder = ovFolder(M.str(M.node.path[i])) || "(no file)";
      entry = folders.get(folder);
      if (entry === undefined) {
        entry = { colour: ovHashColour(folder, palette.dark), count: 0 };
        folders.set(folder, entry);
      }
      byPath.set(M.node.path[i], entry);
    }
    entry.count++;
    return entry.colour;
  }
  return palette.groups[M.node.group[i] % palette.groups.length];
}

/** The key under the map: what each colour means (status by glyph and word too). */
function ovLegend(M, palette, folders) {
  const legend = document.getElementById("map-legend");
  if (!legend) return;
  let items;
  if (S.colour === "status" && M.diff) items = ovStatusKey(M, palette);
  else if (S.colour === "folder") items = ovFolderKey(folders);
  else if (S.colour === "kind") items = ovUsedKey(M.D.kinds, M.node.kind, palette.kinds);
  else items = ovUsedKey(M.D.groups, M.node.group, palette.groups);
  legend.replaceChildren(...items.map(([colour, text, status]) => {
    const item = document.createElement("li");
    if (status) item.className = "sev sev-" + status;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colour;
    item.append(swatch, text);
    return item;
  }));
}

function ovStatusKey(M, palette) {
  const items = [];
  for (let k = 0; k < M.D.diff.statuses.length; k++) {
    const name = M.diff.statusName(k);
    const colour = name === "none" ? palette.border : palette.status[name];
    const label = name === "none" ? "Not affected" : M.diff.label(k);
    items.push([colour, M.diff.glyph(k) + " " + label, name]);
  }
  return items;
}

function ovFolderKey(folders) {
  const sorted = Array.from(folders)
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1));
  const items = sorted.slice(0, 12).map(([folder, entry]) => [entry.colour, folder]);
  if (sorted.length > 12) {
    items.push(["transparent", "and " + (sorted.length - 12) + " more folders"]);
  }
  return items;
}

/** [colour, name] of each of `names` that some node uses (`used`: its index per node). */
function ovUsedKey(names, used, colours) {
  const present = new Set(used);
  const items = [];
  names.forEach((name, k) => {
    if (present.has(k)) items.push([colours[k % colours.length], name.replace(/_/g, " ")]);
  });
  return items;
}
