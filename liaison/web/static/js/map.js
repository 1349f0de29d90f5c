/* Map: countries from world-atlas (TopoJSON) projected with d3-geo into SVG, no tile server.
   Markers per feature type, routes as lines with arrows, zoom (wheel, buttons) and pan (drag),
   filters by type and date, and a popup on click. */
(function () {
  "use strict";

  var svg = document.getElementById("map");
  if (!svg || !window.d3 || !window.topojson) return;
  var NS = "http://www.w3.org/2000/svg";
  var LABELS = { "location": "Place", "incident": "Incident", "drug-seizure": "Drug seizure",
    "trafficking-route": "Trafficking route", "sighting": "Sighting" };
  var stage = svg.parentNode;
  var popup = document.getElementById("map-popup");
  var statusLine = document.getElementById("map-status");
  var emptyNote = document.getElementById("map-empty");
  var form = document.getElementById("map-filters");
  var projection = d3.geoMercator();
  var path = d3.geoPath(projection);
  var width = 0;
  var height = 0;
  var countries = [];
  var drawn = [];  // {feature, group, shapes}
  var scheduled = false;

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var defs = el("defs", {}, svg);
  var arrow = el("marker", { id: "route-arrow", viewBox: "0 0 10 10", refX: "8", refY: "5", markerWidth: "11",
    markerHeight: "11", orient: "auto", markerUnits: "userSpaceOnUse" }, defs);
  el("path", { d: "M0,0L10,5L0,10Z", "class": "route-arrow" }, arrow);
  var ocean = el("rect", { "class": "ocean", x: 0, y: 0 }, svg);
  var countryLayer = el("g", { "class": "countries" }, svg);
  var routeLayer = el("g", { "class": "routes" }, svg);
  var markerLayer = el("g", { "class": "markers" }, svg);
  var labelLayer = el("g", { "class": "labels", "aria-hidden": "true" }, svg);

  function resize() {
    width = stage.clientWidth;
    height = stage.clientHeight;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    ocean.setAttribute("width", width);
    ocean.setAttribute("height", height);
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(function () { scheduled = false; redraw(); });
  }

  // Place names show once the map is close enough (or few places are shown), so they never pile up.
  var placesShown = 0;
  function redraw() {
    labelLayer.style.display = placesShown <= 25 || projection.scale() > worldScale * 4 ? "" : "none";
    countries.forEach(function (item) { item.node.setAttribute("d", path(item.feature) || ""); });
    drawn.forEach(function (item) {
      var coords = item.feature.geometry.coordinates;
      if (item.feature.geometry.type === "LineString") {
        var d = coords.map(function (c, i) {
          var p = projection(c);
          return (i ? "L" : "M") + p[0].toFixed(1) + "," + p[1].toFixed(1);
        }).join("");
        item.shapes.forEach(function (shape) { shape.setAttribute("d", d); });
      } else {
        var points = item.feature.geometry.type === "Point" ? [coords] : coords;
        item.shapes.forEach(function (shape, i) {
          var p = projection(points[i]);
          var x = p[0] + item.offsets[i][0];
          var y = p[1] + item.offsets[i][1];
          shape.setAttribute("transform", "translate(" + x.toFixed(1) + "," + y.toFixed(1) + ")" +
            (item.scale !== 1 ? " scale(" + item.scale + ")" : ""));
          if (i === 0 && item.label) {
            item.label.setAttribute("transform", "translate(" + (x + 10).toFixed(1) + "," + (y + 4).toFixed(1) + ")");
          }
        });
      }
    });
  }

  // The distinct points shown: a seizure and its place share one, and fitting a box of no size
  // gives an infinite scale (every path NaN).
  function visiblePoints() {
    var points = {};
    drawn.forEach(function (item) {
      if (item.group.style.display === "none") return;
      var g = item.feature.geometry;
      (g.type === "Point" ? [g.coordinates] : g.coordinates).forEach(function (c) { points[c.join(",")] = c; });
    });
    return Object.keys(points).map(function (key) { return points[key]; });
  }

  var worldScale = 1;
  function fit() {
    var points = visiblePoints();
    var pad = 40;
    var world = { type: "FeatureCollection", features: countries.map(function (c) { return c.feature; }) };
    projection.fitExtent([[10, 10], [width - 10, height - 10]], world);
    worldScale = projection.scale();
    if (points.length > 1) {
      projection.fitExtent([[pad, pad], [width - pad, height - pad]], { type: "MultiPoint", coordinates: points });
      if (projection.scale() > worldScale * 40) {
        var centre = projection.invert([width / 2, height / 2]);
        projection.scale(worldScale * 40);
        var shifted = projection(centre);
        var t = projection.translate();
        projection.translate([t[0] + width / 2 - shifted[0], t[1] + height / 2 - shifted[1]]);
      }
    } else if (points.length === 1) {
      projection.scale(worldScale * 12);
      var p = projection(points[0]);
      var t0 = projection.translate();
      projection.translate([t0[0] + width / 2 - p[0], t0[1] + height / 2 - p[1]]);
    }
    redraw();
  }

  function zoomAt(point, factor) {
    var scale = projection.scale();
    var next = Math.max(worldScale * 0.8, Math.min(worldScale * 200, scale * factor));
    var f = next / scale;
    var t = projection.translate();
    projection.scale(next).translate([point[0] - (point[0] - t[0]) * f, point[1] - (point[1] - t[1]) * f]);
    schedule();
  }

  function pointer(event) {
    var box = svg.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    zoomAt(pointer(event), Math.exp(-event.deltaY * 0.0015));
  }, { passive: false });

  var dragging = null;
  svg.addEventListener("pointerdown", function (event) {
    if (event.target.closest(".marker, .route")) return;
    dragging = { at: pointer(event), moved: false };
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", function (event) {
    if (!dragging) return;
    var now = pointer(event);
    var dx = now[0] - dragging.at[0];
    var dy = now[1] - dragging.at[1];
    if (Math.abs(dx) + Math.abs(dy) > 2) dragging.moved = true;
    var t = projection.translate();
    projection.translate([t[0] + dx, t[1] + dy]);
    dragging.at = now;
    if (dragging.moved) { popup.hidden = true; svg.classList.add("panning"); }
    schedule();
  });
  svg.addEventListener("pointerup", function () {
    if (dragging && !dragging.moved) popup.hidden = true;
    dragging = null;
    svg.classList.remove("panning");
  });

  stage.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      popup.hidden = true;
      if (button.dataset.zoom === "fit") fit(); else zoomAt([width / 2, height / 2], Number(button.dataset.zoom));
    });
  });

  function detail(props) {
    var parts = [];
    if (props.attack_type) parts.push(props.attack_type.replace(/-/g, " "));
    if (props.killed !== undefined) parts.push(props.killed + " killed");
    if (props.injured !== undefined) parts.push(props.injured + " injured");
    if (props.drug_type) parts.push(props.quantity + " " + props.quantity_unit + " of " + props.drug_type);
    if (props.commodity) parts.push(props.commodity + (props.modes ? " by " + props.modes.join(", ") : ""));
    if (props.count !== undefined) parts.push("seen " + props.count + "×");
    if (props.country && !props.city) parts.push(props.country);
    return parts.join(" · ");
  }

  function showPopup(feature, at) {
    var props = feature.properties;
    var id = encodeURIComponent(props.id);
    var dates = props.date ? props.date.slice(0, 10) : "";
    if (props.last_seen && props.last_seen.slice(0, 10) !== dates) dates += " – " + props.last_seen.slice(0, 10);
    var places = props.places && props.places.length ? props.places.join(" → ") : "";
    popup.innerHTML =
      '<button type="button" class="map-popup-close" aria-label="Close">×</button>' +
      '<p class="map-popup-type">' + escapeHtml(LABELS[props.type] || props.type) +
      (props.tlp ? ' <span class="badge tlp tlp-' + escapeHtml(props.tlp.replace("+", "-")) + '">TLP:' +
        escapeHtml(props.tlp.toUpperCase()) + "</span>" : "") + "</p>" +
      '<p class="map-popup-name"><a href="/objects/' + id + '">' + escapeHtml(props.name) + "</a></p>" +
      (dates ? "<p><time>" + escapeHtml(dates) + "</time></p>" : "") +
      (detail(props) ? "<p>" + escapeHtml(detail(props)) + "</p>" : "") +
      (places && props.type !== "location" ? '<p class="map-popup-places">' + escapeHtml(places) + "</p>" : "") +
      (props.of ? '<p>Of <a href="/objects/' + encodeURIComponent(props.of.id) + '">' + escapeHtml(props.of.name) +
        "</a></p>" : "") +
      '<p class="viz-actions"><a href="/graph?id=' + id + '">Graph</a> · <a href="/timeline?id=' + id +
      '">Timeline</a> · <a href="/map?around=' + id + '">Map around</a></p>';
    popup.hidden = false;
    var left = Math.min(at[0] + 12, width - popup.offsetWidth - 8);
    var top = Math.min(at[1] + 12, height - popup.offsetHeight - 8);
    popup.style.left = Math.max(8, left) + "px";
    popup.style.top = Math.max(8, top) + "px";
    popup.querySelector(".map-popup-close").addEventListener("click", function () { popup.hidden = true; });
  }

  // Markers at the same place fan out around it (the place itself stays on the spot).
  function fanOut(stack, point) {
    var key = point[0].toFixed(4) + "," + point[1].toFixed(4);
    var k = stack[key] || 0;
    stack[key] = k + 1;
    if (!k) return [0, 0];
    var angle = k * 2.4;
    var radius = 7 * Math.sqrt(k);
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  }

  function draw(features) {
    var stack = {};
    features.forEach(function (feature) {
      var props = feature.properties;
      var shapes = [];
      var offsets = [];
      var group;
      if (feature.geometry.type === "LineString") {
        group = el("g", { "class": "route", "data-id": props.id, "data-type": props.type }, routeLayer);
        el("title", {}, group).textContent = props.name;
        shapes.push(el("path", { "class": "route-hit" }, group));
        shapes.push(el("path", { "class": "route-line", "marker-mid": "url(#route-arrow)",
          "marker-end": "url(#route-arrow)" }, group));
      } else {
        group = el("g", { "class": "marker marker-" + props.type, "data-id": props.id, "data-type": props.type },
          markerLayer);
        el("title", {}, group).textContent = props.name + (props.date ? " (" + props.date.slice(0, 10) + ")" : "");
        var points = feature.geometry.type === "Point" ? [feature.geometry.coordinates] : feature.geometry.coordinates;
        points.forEach(function (point) {
          shapes.push(el("use", { href: "#symbol-" + props.type, x: -8, y: -8, width: 16, height: 16 }, group));
          offsets.push(fanOut(stack, point));
        });
      }
      // Every marker and route is reached with Tab and opened with Enter or Space, as with a click.
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "button");
      group.setAttribute("aria-label", (props.type === "location" ? "" : props.type.replace(/-/g, " ") + ": ") + props.name);
      group.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        var box = group.getBoundingClientRect();
        var frame = svg.getBoundingClientRect();
        showPopup(feature, [box.left - frame.left + box.width / 2, box.top - frame.top + box.height / 2]);
      });
      var label = null;
      if (props.type === "location") {  // places are named on the map, beside their dot
        label = el("text", { "class": "map-label" }, labelLayer);
        label.textContent = props.name;
      }
      var casualties = (props.killed || 0) + (props.injured || 0);
      var scale = props.type === "incident" ? 1 + Math.min(casualties, 30) / 30 * 0.7 : 1;
      group.addEventListener("click", function (event) {
        event.stopPropagation();
        showPopup(feature, pointer(event));
      });
      drawn.push({ feature: feature, group: group, shapes: shapes, offsets: offsets, scale: scale, label: label });
    });
  }

  function applyFilters() {
    var data = new FormData(form);
    var types = data.getAll("type");
    var since = data.get("since");
    var until = data.get("until");
    var counts = {};
    var shown = 0;
    var places = 0;
    drawn.forEach(function (item) {
      var props = item.feature.properties;
      var first = props.date ? props.date.slice(0, 10) : null;
      var last = props.last_seen ? props.last_seen.slice(0, 10) : first;
      var inRange = !first || ((!since || last >= since) && (!until || first <= until));
      var show = types.indexOf(props.type) >= 0 && inRange;
      if (inRange) counts[props.type] = (counts[props.type] || 0) + 1;
      item.group.style.display = show ? "" : "none";
      if (item.label) item.label.style.display = show ? "" : "none";
      if (show && props.type === "location") places += 1;
      if (show) shown += 1;
    });
    form.querySelectorAll("[data-count]").forEach(function (span) {
      span.textContent = counts[span.dataset.count] || 0;
    });
    popup.hidden = true;
    placesShown = places;
    statusLine.textContent = shown + (shown === 1 ? " item" : " items") + " shown.";
    emptyNote.hidden = shown > 0;
    emptyNote.textContent = drawn.length ? "Nothing you may see matches these filters." :
      "Nothing to show: there are no places, incidents, seizures, routes or sightings you may see here.";
    svg.dataset.shown = String(shown);
  }

  form.addEventListener("change", applyFilters);
  form.addEventListener("reset", function () { setTimeout(function () { applyFilters(); fit(); }, 0); });
  window.addEventListener("resize", function () { resize(); schedule(); });

  function load(url) {
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.message) || "cannot load " + url);
        return body;
      });
    });
  }

  var around = svg.dataset.around;
  statusLine.textContent = "Loading…";
  Promise.all([load(svg.dataset.atlas), load("/map/features" + (around ? "?around=" + encodeURIComponent(around) : ""))])
    .then(function (loaded) {
      var atlas = loaded[0];
      resize();
      countries = topojson.feature(atlas, atlas.objects.countries).features.map(function (feature) {
        var node = el("path", { "class": "country" }, countryLayer);
        el("title", {}, node).textContent = feature.properties.name;
        return { feature: feature, node: node };
      });
      draw(loaded[1].features);
      var dates = loaded[1].features.map(function (f) { return f.properties.date; }).filter(Boolean).sort();
      if (dates.length) {
        form.since.min = form.until.min = dates[0].slice(0, 10);
        form.since.max = form.until.max = dates[dates.length - 1].slice(0, 10);
      }
      applyFilters();
      fit();
      svg.dataset.ready = "true";
    })
    .catch(function (error) { statusLine.textContent = error.message; });
})();
