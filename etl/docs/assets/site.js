// The site's behaviour: search and tag filters on the index, and the
// lineage graph's selection (a node, everything upstream and downstream).
(function () {
  "use strict";
  var search = document.getElementById("search");
  var tag = document.getElementById("tag");
  function filter() {
    var q = (search.value || "").toLowerCase(), t = tag.value;
    document.querySelectorAll(".node-list li").forEach(function (li) {
      var hit = li.dataset.search.toLowerCase().indexOf(q) >= 0 && (!t || (" " + li.dataset.tags).indexOf(" " + t + " ") >= 0);
      li.classList.toggle("hidden", !hit);
    });
  }
  if (search) { search.addEventListener("input", filter); tag.addEventListener("change", filter); }

  var graph = document.getElementById("graph");
  if (!graph) { return; }
  var data = JSON.parse(graph.dataset.graph);
  var svg = graph.querySelector("svg");
  var picked = null, scale = 1;
  var width = svg.width.baseVal.value, height = svg.height.baseVal.value;

  function walk(start, key) {
    var seen = {}, todo = [start];
    while (todo.length) {
      var id = todo.pop();
      (data[id] ? data[id][key] : []).forEach(function (next) {
        if (!seen[next]) { seen[next] = true; todo.push(next); }
      });
    }
    return seen;
  }
  function mark(id, cls) { var el = document.getElementById(id); if (el) { el.classList.add("on", cls); } }
  function clear() {
    graph.classList.remove("focus");
    svg.querySelectorAll(".on").forEach(function (el) { el.classList.remove("on", "picked", "up", "down"); });
    picked = null;
    document.getElementById("selected").textContent = "Click a node to see what feeds it and what it feeds; click again to open its page.";
  }
  function select(id) {
    clear();
    if (!data[id]) { return; }
    picked = id;
    var up = walk(id, "p"), down = walk(id, "c");
    graph.classList.add("focus");
    mark(id, "picked");
    Object.keys(up).forEach(function (u) { mark(u, "up"); });
    Object.keys(down).forEach(function (d) { mark(d, "down"); });
    Object.keys(data).forEach(function (child) {
      data[child].p.forEach(function (parent) {
        var upEdge = (up[parent] && (up[child] || child === id)), downEdge = (down[child] && (down[parent] || parent === id));
        if (upEdge || downEdge) { mark(parent + "->" + child, "edge"); }
      });
    });
    var el = document.getElementById(id);
    var label = document.getElementById("selected");
    label.innerHTML = "";
    var a = document.createElement("a");
    a.href = data[id].page; a.textContent = data[id].label;
    label.appendChild(a);
    label.appendChild(document.createTextNode(" · " + Object.keys(up).length + " upstream, " + Object.keys(down).length + " downstream"));
    if (el) {
      // Scroll the graph alone (not the page) to centre the node.
      var box = el.getBoundingClientRect(), area = graph.getBoundingClientRect();
      graph.scrollLeft += box.left - area.left - graph.clientWidth / 2 + box.width / 2;
      graph.scrollTop += box.top - area.top - graph.clientHeight / 2 + box.height / 2;
    }
  }
  svg.querySelectorAll("g.node").forEach(function (g) {
    g.addEventListener("click", function (ev) {
      if (picked !== g.id) { ev.preventDefault(); select(g.id); }
    });
  });
  function zoom(f) {
    scale = Math.max(0.2, Math.min(4, scale * f));
    svg.setAttribute("width", width * scale); svg.setAttribute("height", height * scale);
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(0.8); });
  document.getElementById("clear").addEventListener("click", clear);
  // Start with the whole width of the graph in view.
  var fit = (graph.clientWidth - 32) / width;
  if (fit < 1) { zoom(Math.max(fit, 0.35)); }
  var m = /^#node=(.+)$/.exec(location.hash);
  if (m) { select(decodeURIComponent(m[1])); }
})();
