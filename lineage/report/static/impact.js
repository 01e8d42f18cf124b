/* lineage impact report: sorting, filtering and searching the affected table, highlighting a
   column's path in the impact graph, and the folds. Everything is rendered on the server: this
   only adds interaction, reads data attributes, and loads nothing. */
(function () {
  "use strict";

  var RANK = { breaks: 5, rows: 4, values: 3, additive: 2, unknown: 1 };
  /* the direction of a column's first sort; the others start ascending */
  var FIRST = { severity: "descending", consumers: "descending" };

  function byId(id) {
    return document.getElementById(id);
  }

  function each(list, action) {
    Array.prototype.forEach.call(list, action);
  }

  function typing(target) {
    return /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) || target.isContentEditable;
  }

  /* -- folds -------------------------------------------------------------------------------- */

  /* open the folds around an element, and a section's own fold */
  function openAround(element) {
    var own = element && element.querySelector(":scope > details.fold");
    if (own) {
      own.open = true;
    }
    for (var node = element; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
  }

  function openTarget() {
    var id = "";
    try {
      id = decodeURIComponent(window.location.hash.slice(1));
    } catch (error) {
      return;
    }
    var target = id && byId(id);
    if (target) {
      openAround(target);
    }
  }

  function setFolds(open) {
    each(document.querySelectorAll("details.fold"), function (fold) {
      fold.open = open;
    });
  }

  function setUpFolds() {
    window.addEventListener("hashchange", openTarget);
    openTarget();
    each(document.querySelectorAll("#toc a[href^='#']"), function (link) {
      link.addEventListener("click", function () {
        openAround(byId(link.getAttribute("href").slice(1)));
      });
    });
    byId("fold-open-all").addEventListener("click", function () {
      setFolds(true);
    });
    byId("fold-close-all").addEventListener("click", function () {
      setFolds(false);
    });
    var closed = [];
    window.addEventListener("beforeprint", function () {
      closed = [];
      each(document.querySelectorAll("details"), function (fold) {
        if (!fold.open) {
          closed.push(fold);
          fold.open = true;
        }
      });
    });
    window.addEventListener("afterprint", function () {
      each(closed, function (fold) {
        fold.open = false;
      });
      closed = [];
    });
  }

  /* -- who is affected: sort, filter, search ------------------------------------------------ */

  function sortKey(row, name) {
    var value = row.getAttribute("data-" + name) || "";
    if (name === "severity") {
      return RANK[value] || 0;
    }
    if (name === "hops" || name === "consumers") {
      return Number(value);
    }
    return value.toLowerCase();
  }

  function setUpTable(table) {
    var body = table.tBodies[0];
    var search = byId("affected-search");
    var severity = byId("affected-severity");
    var count = byId("affected-count");
    var empty = byId("affected-empty");
    var entries = Array.prototype.map.call(body.rows, function (row) {
      return { row: row, text: row.textContent.toLowerCase(), order: Number(row.getAttribute("data-order")) };
    });

    function filter() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = severity.value;
      var shown = 0;
      entries.forEach(function (entry) {
        var match =
          (wanted === "all" || entry.row.getAttribute("data-severity") === wanted) &&
          words.every(function (word) {
            return entry.text.indexOf(word) !== -1;
          });
        entry.row.hidden = !match;
        shown += match ? 1 : 0;
      });
      count.textContent = shown + " of " + entries.length;
      empty.hidden = shown !== 0;
    }

    function sortBy(name, direction, header) {
      var sign = direction === "ascending" ? 1 : -1;
      entries.sort(function (a, b) {
        var x = sortKey(a.row, name);
        var y = sortKey(b.row, name);
        if (x !== y) {
          return x < y ? -sign : sign;
        }
        return a.order - b.order;
      });
      var rows = document.createDocumentFragment();
      entries.forEach(function (entry) {
        rows.appendChild(entry.row);
      });
      body.appendChild(rows);
      each(table.tHead.rows[0].cells, function (cell) {
        cell.removeAttribute("aria-sort");
      });
      header.setAttribute("aria-sort", direction);
    }

    each(table.querySelectorAll("th button[data-sort]"), function (button) {
      button.addEventListener("click", function () {
        var header = button.parentElement;
        var name = button.getAttribute("data-sort");
        var now = header.getAttribute("aria-sort");
        var direction = now ? (now === "ascending" ? "descending" : "ascending") : FIRST[name] || "ascending";
        sortBy(name, direction, header);
      });
    });
    search.addEventListener("input", filter);
    severity.addEventListener("change", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && search.value) {
        search.value = "";
        filter();
        event.stopPropagation();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && !typing(event.target) && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        openAround(search);
        search.focus();
      }
    });
    byId("affected-controls").hidden = false;
    filter();
  }

  /* -- the impact graph: a column's whole path ---------------------------------------------- */

  function setUpGraph(svg) {
    var status = byId("graph-status");
    var items = svg.querySelectorAll("g.column, g.collapsed, path.edge");
    var active = null;

    function clear() {
      each(items, function (item) {
        item.classList.remove("on-path", "dimmed");
      });
      if (active) {
        active.setAttribute("aria-pressed", "false");
      }
      active = null;
      status.textContent = "";
    }

    function highlight(column) {
      var again = active === column;
      clear();
      if (again) {
        return;
      }
      var onPath = {};
      column.getAttribute("data-path").split(" ").forEach(function (id) {
        onPath[id] = true;
      });
      each(items, function (item) {
        item.classList.add(onPath[item.id] ? "on-path" : "dimmed");
      });
      column.setAttribute("aria-pressed", "true");
      active = column;
      var reached = svg.querySelectorAll("g.column.on-path").length;
      status.textContent =
        "The path of " + column.getAttribute("data-ref") + ": " + reached +
        " column" + (reached === 1 ? "" : "s") + " highlighted. Press Escape to clear.";
    }

    each(svg.querySelectorAll("g.column"), function (column) {
      column.addEventListener("click", function () {
        highlight(column);
      });
      column.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          highlight(column);
        }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && active) {
        clear();
      }
    });
  }

  setUpFolds();
  var table = byId("affected-table");
  if (table) {
    setUpTable(table);
  }
  var graph = byId("impact-graph");
  if (graph) {
    setUpGraph(graph);
  }
})();
