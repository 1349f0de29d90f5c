/* Graph explorer: draws an object's neighbourhood with cytoscape.js, expands a node on click
   (its neighbourhood is fetched and merged), opens the object page on double-click, filters links
   by label and shows a legend of the object types drawn. */
(function () {
  "use strict";

  var TYPES = {
    "intrusion-set": ["#b3261e", "hexagon"],
    "threat-actor": ["#e8710a", "ellipse"],
    "campaign": ["#8e44ad", "round-rectangle"],
    "incident": ["#d93025", "triangle"],
    "location": ["#188038", "diamond"],
    "report": ["#1a73e8", "rectangle"],
    "note": ["#80868b", "round-rectangle"],
    "opinion": ["#a0a4a8", "round-rectangle"],
    "sighting": ["#f29900", "star"],
    "indicator": ["#12a4af", "vee"],
    "drug-seizure": ["#6a1b9a", "octagon"],
    "trafficking-route": ["#0d47a1", "tag"],
    "identity": ["#5f6368", "ellipse"],
    "infrastructure": ["#795548", "barrel"],
    "observed-data": ["#9aa0a6", "round-rectangle"]
  };
  var OBSERVABLE = ["#8d6e63", "round-diamond"];
  var OTHER = ["#9e9e9e", "ellipse"];
  var OBSERVABLES = ["phone-number", "cryptocurrency-wallet", "bank-account", "vehicle", "vessel", "ipv4-addr",
    "ipv6-addr", "domain-name", "url", "email-addr", "file", "mac-addr", "autonomous-system"];

  function look(type) {
    return TYPES[type] || (OBSERVABLES.indexOf(type) >= 0 ? OBSERVABLE : OTHER);
  }

  var container = document.getElementById("graph");
  if (!container || typeof cytoscape === "undefined") return;
  var statusLine = document.getElementById("graph-status");
  var emptyNote = document.getElementById("graph-empty");
  var info = document.getElementById("graph-info");
  var filters = document.getElementById("graph-filters");
  var legend = document.getElementById("graph-legend");
  var hiddenLabels = new Set();
  var expanded = new Set();
  var truncated = new Set();

  var cy = cytoscape({
    container: container,
    elements: [],
    minZoom: 0.2,
    maxZoom: 3,
    style: [
      { selector: "node", style: {
        "background-color": function (n) { return look(n.data("type"))[0]; },
        "shape": function (n) { return look(n.data("type"))[1]; },
        "label": "data(short)", "font-size": 10, "color": "#202124", "text-valign": "bottom",
        "text-margin-y": 4, "text-wrap": "wrap", "text-max-width": 100, "width": 26, "height": 26,
        "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1,
        "border-width": 1, "border-color": "#ffffff" } },
      { selector: "node[?centre]", style: { "width": 38, "height": 38, "border-width": 3, "border-color": "#202124",
        "font-weight": "bold" } },
      { selector: "node.expanded", style: { "border-width": 3, "border-color": "#5f6368" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#1a73e8" } },
      { selector: "edge", style: {
        "width": 1.5, "line-color": "#b0b6bd", "target-arrow-color": "#b0b6bd", "target-arrow-shape": "triangle",
        "curve-style": "bezier", "label": "data(words)", "font-size": 9, "min-zoomed-font-size": 10,
        "color": "#5f6368", "text-rotation": "autorotate", "text-background-color": "#ffffff",
        "text-background-opacity": 0.85 } },
      { selector: "edge[kind = 'ref']", style: { "line-style": "dashed" } },
      { selector: "edge.lit", style: { "line-color": "#1a73e8", "target-arrow-color": "#1a73e8", "width": 2.5,
        "min-zoomed-font-size": 0, "color": "#174ea6", "z-index": 10 } },
      { selector: ".filtered", style: { "display": "none" } }
    ]
  });
  window.liaisonGraph = cy;

  function shorten(text, most) {
    return text.length > most ? text.slice(0, most - 1) + "…" : text;
  }

  function say(text) { statusLine.textContent = text; }

  function describe() {
    var nodes = cy.nodes().not(".filtered").length;
    var edges = cy.edges().not(".filtered").length;
    var text = nodes + (nodes === 1 ? " object, " : " objects, ") + edges + (edges === 1 ? " link" : " links") + " shown.";
    if (truncated.size) text += " Some objects have more links than shown.";
    if (cy.nodes().length === 1) text = "No linked objects you may see.";
    say(text);
  }

  function swatch(type) {
    var colour = look(type)[0];
    var shape = look(type)[1];
    var body;
    if (shape === "diamond" || shape === "round-diamond") body = '<polygon points="7,1 13,7 7,13 1,7"/>';
    else if (shape === "triangle") body = '<polygon points="7,1 13,13 1,13"/>';
    else if (shape === "hexagon" || shape === "octagon") body = '<polygon points="4,1 10,1 13,7 10,13 4,13 1,7"/>';
    else if (shape === "star") body = '<polygon points="7,0 9,5 14,5 10,8 12,14 7,10 2,14 4,8 0,5 5,5"/>';
    else if (shape === "vee") body = '<polygon points="1,1 7,5 13,1 7,13"/>';
    else if (shape === "ellipse") body = '<circle cx="7" cy="7" r="6"/>';
    else body = '<rect x="1" y="2" width="12" height="10" rx="' + (shape.indexOf("round") === 0 ? 3 : 0) + '"/>';
    return '<svg class="swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" fill="' + colour + '">' +
      body + "</svg>";
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function refreshLegend() {
    var types = {};
    cy.nodes().forEach(function (n) { types[n.data("type")] = (types[n.data("type")] || 0) + 1; });
    legend.innerHTML = Object.keys(types).sort().map(function (type) {
      return "<li>" + swatch(type) + " " + escapeHtml(type) + ' <span class="count">' + types[type] + "</span></li>";
    }).join("");
  }

  function refreshFilters() {
    var labels = {}, words = {};
    cy.edges().forEach(function (e) {
      labels[e.data("label")] = (labels[e.data("label")] || 0) + 1;
      words[e.data("label")] = e.data("words");
    });
    var names = Object.keys(labels).sort();
    if (!names.length) {
      filters.innerHTML = '<p class="viz-hint">None.</p>';
      return;
    }
    filters.innerHTML = names.map(function (label) {
      return '<label><input type="checkbox" value="' + escapeHtml(label) + '"' +
        (hiddenLabels.has(label) ? "" : " checked") + "> " + escapeHtml(words[label] || label) +
        ' <span class="count">' + labels[label] + "</span></label>";
    }).join("");
  }

  function applyFilters() {
    cy.batch(function () {
      cy.edges().forEach(function (e) { e.toggleClass("filtered", hiddenLabels.has(e.data("label"))); });
      cy.nodes().forEach(function (n) {
        var keep = n.data("centre") || expanded.has(n.id()) ||
          n.connectedEdges().some(function (e) { return !e.hasClass("filtered"); });
        n.toggleClass("filtered", !keep);
      });
    });
    describe();
  }

  filters.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox") return;
    if (box.checked) hiddenLabels.delete(box.value); else hiddenLabels.add(box.value);
    applyFilters();
  });

  function showInfo(node) {
    var id = node.id();
    cy.edges().removeClass("lit");
    node.connectedEdges().addClass("lit");
    var tlp = node.data("tlp");
    var encoded = encodeURIComponent(id);
    info.innerHTML =
      "<h2>" + swatch(node.data("type")) + " " + escapeHtml(node.data("name")) + "</h2>" +
      '<p class="viz-meta">' + escapeHtml(node.data("type")) +
      (tlp ? ' <span class="badge tlp tlp-' + escapeHtml(tlp.replace("+", "-")) + '">TLP:' +
        escapeHtml(tlp.toUpperCase()) + "</span>" : "") + "</p>" +
      '<p class="viz-actions"><a href="/objects/' + encoded + '">Open</a> · <a href="/timeline?id=' + encoded +
      '">Timeline</a> · <a href="/map?around=' + encoded + '">Map</a> · <a href="/graph?id=' + encoded +
      '">Centre here</a></p>' +
      '<p class="viz-hint">' + (expanded.has(id) ? (truncated.has(id) ? "Expanded (some links left out)." :
        "Expanded.") : "Click to expand.") + "</p>";
  }

  function place(data, around) {
    var fresh = cy.collection();
    var origin = around ? cy.getElementById(around).position() : { x: 0, y: 0 };
    data.nodes.forEach(function (n, i) {
      if (cy.getElementById(n.id).length) return;
      var angle = (2 * Math.PI * i) / Math.max(1, data.nodes.length);
      fresh = fresh.union(cy.add({ group: "nodes", data: {
        id: n.id, type: n.type, name: n.name, short: shorten(n.name, 40), tlp: n.tlp, centre: !around && n.centre
      }, position: { x: origin.x + 60 * Math.cos(angle), y: origin.y + 60 * Math.sin(angle) } }));
    });
    data.edges.forEach(function (e) {
      if (cy.getElementById(e.id).length) return;
      fresh = fresh.union(cy.add({ group: "edges", data: {
        id: e.id, source: e.source, target: e.target, label: e.label, words: e.words || e.label, kind: e.kind } }));
    });
    return fresh;
  }

  function layout(first, done) {
    var run = first ? cy.layout({ name: "concentric", fit: true, padding: 30, minNodeSpacing: 44, startAngle: 0,
      concentric: function (n) { return n.data("centre") ? 2 : 1; }, levelWidth: function () { return 1; } })
      : cy.layout({ name: "cose", animate: false, randomize: false, fit: true, padding: 30, nodeOverlap: 20,
        nodeRepulsion: function () { return 60000; }, idealEdgeLength: function () { return 110; },
        numIter: 2000 });
    run.one("layoutstop", function () { if (done) done(); });
    run.run();
  }

  function fetchNeighbourhood(id) {
    return fetch("/graph/neighbourhood?id=" + encodeURIComponent(id), { headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error((body.error && body.error.message) || "cannot load " + id);
          return body;
        });
      });
  }

  function expand(id, first) {
    if (expanded.has(id)) return Promise.resolve();
    say("Loading…");
    return fetchNeighbourhood(id).then(function (data) {
      expanded.add(id);
      if (data.truncated) truncated.add(id);
      var fresh = place(data, first ? null : id);
      cy.getElementById(id).addClass("expanded");
      refreshLegend();
      refreshFilters();
      applyFilters();
      if (fresh.length || first) layout(first, describe); else describe();
      container.dataset.expanded = String(expanded.size);
    }).catch(function (error) { say(error.message); });
  }

  cy.on("tap", "node", function (event) {
    showInfo(event.target);
    expand(event.target.id(), false).then(function () { showInfo(event.target); });
  });
  cy.on("dbltap", "node", function (event) {
    window.location.href = "/objects/" + encodeURIComponent(event.target.id());
  });

  function start(id) {
    emptyNote.hidden = true;
    return expand(id, true).then(function () {
      var centre = cy.getElementById(id);
      if (centre.length) {
        centre.select();
        showInfo(centre);
      }
    });
  }

  // The start-object search: names as you type, Enter or click to start from one.
  var find = document.getElementById("graph-find");
  var picks = document.getElementById("graph-picks");
  var pending = null;
  find.addEventListener("input", function () {
    clearTimeout(pending);
    var q = find.value.trim();
    if (!q) { picks.hidden = true; return; }
    pending = setTimeout(function () {
      fetch("/graph/find?q=" + encodeURIComponent(q)).then(function (r) { return r.json(); }).then(function (found) {
        if (!Array.isArray(found) || !found.length) {
          picks.innerHTML = '<li class="viz-hint">Nothing you may see by that name.</li>';
        } else {
          picks.innerHTML = found.map(function (o) {
            return '<li role="option"><button type="button" data-id="' + escapeHtml(o.id) + '">' + swatch(o.type) +
              " " + escapeHtml(o.name) + ' <span class="type">' + escapeHtml(o.type) + "</span></button></li>";
          }).join("");
        }
        picks.hidden = false;
      });
    }, 200);
  });
  picks.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-id]");
    if (!button) return;
    window.location.href = "/graph?id=" + encodeURIComponent(button.dataset.id);
  });
  find.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = picks.querySelector("button[data-id]");
    if (first) first.click();
  });

  if (container.dataset.centre) start(container.dataset.centre);
})();
