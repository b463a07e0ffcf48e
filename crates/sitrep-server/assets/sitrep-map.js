// sitrep's interactive map (explore, province and incident pages).
//
// Enhances each `.imap-wrap`: the server-drawn SVG map stays in the page (and is what
// a browser without script shows); with script, a Leaflet map of the bundled
// province and district outlines and the page's incidents replaces it on screen.
// No tiles, no requests to anywhere but this server (CSP: script-src 'self').
//
// * Points: GET the `.imap`'s data-points URL (/api/v1/map/points with the page's
//   filters); one circle per incident, sized by best fatality estimate, coloured by
//   event type or by first actor; hover for a summary, click to open the incident.
// * Dense points are clustered on a screen grid (a count in a circle; click zooms in).
// * A date slider shows the incidents from the first day up to the chosen one; the
//   count beside it is every incident up to that day, located or not, which is what
//   /api/v1/incidents?to=DAY gives for the same filters.
(function () {
  "use strict";
  var TYPE_COLOURS = {
    battle: "#c0392b", explosion: "#e67e22", violence_against_civilians: "#8e44ad",
    protest: "#2980b9", riot: "#16a085", strategic_development: "#7f8c8d", other: "#555555"
  };
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
  var CELL = 44; // cluster grid, px
  var DENSE = 4; // a cell with more points than this is a cluster

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function day(s) { return Date.parse(s + "T00:00:00Z") / 86400000; }
  function iso(d) { return new Date(d * 86400000).toISOString().slice(0, 10); }
  function fmt(n) { return n.toLocaleString("en-GB"); }

  function init(wrap) {
    var box = wrap.querySelector(".imap");
    if (!box || box.dataset.ready || typeof L === "undefined") return;
    box.dataset.ready = "1";
    box.hidden = false;
    wrap.classList.add("live");

    var bar = el("div", { "class": "imap-bar" });
    var colourBy = el("select", { "class": "imap-colour", "aria-label": "Colour points by" });
    colourBy.appendChild(el("option", { value: "type" }, "Colour by event type"));
    colourBy.appendChild(el("option", { value: "actor" }, "Colour by first actor"));
    var sliderLabel = el("label", { "class": "imap-slider-label" });
    var slider = el("input", { type: "range", "class": "imap-slider", min: "0", max: "0", value: "0", step: "1", "aria-label": "Show incidents up to this day" });
    var dateOut = el("output", { "class": "imap-date" });
    sliderLabel.appendChild(el("span", {}, "Up to "));
    sliderLabel.appendChild(dateOut);
    sliderLabel.appendChild(slider);
    var count = el("span", { "class": "imap-count", "aria-live": "polite" }, "loading…");
    var legend = el("div", { "class": "imap-legend" });
    bar.appendChild(colourBy);
    bar.appendChild(sliderLabel);
    bar.appendChild(count);
    wrap.insertBefore(bar, box);
    wrap.insertBefore(legend, box.nextSibling);

    var map = L.map(box, { zoomSnap: 0.5, minZoom: 4, maxZoom: 14, attributionControl: true });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Boundaries: geoBoundaries (CC BY 4.0) · Leaflet");
    map.fitBounds([[29.3, 60.5], [38.5, 75.0]]);
    window.sitrepMaps = window.sitrepMaps || [];
    var state = { map: map, points: [], shown: 0, upTo: null };
    window.sitrepMaps.push(state);

    var provinces = L.geoJSON(null, {
      style: function () { return { color: "#666", weight: 1, fillColor: "#f1efe8", fillOpacity: 0.6 }; },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(f.properties.name, { sticky: true });
        if (f.properties.code) {
          layer.on("click", function () {
            if (box.dataset.provinceLinks) location.href = "/places/" + f.properties.code;
          });
        }
      }
    }).addTo(map);
    var districts = L.geoJSON(null, {
      style: function () { return { color: "#999", weight: 0.5, fill: false, interactive: false }; }
    });
    var districtsLoaded = false;
    function districtsAtZoom() {
      if (map.getZoom() >= 7) {
        if (!districtsLoaded) {
          districtsLoaded = true;
          fetch(box.dataset.districts).then(function (r) { return r.json(); }).then(function (g) { districts.addData(g); });
        }
        if (!map.hasLayer(districts)) districts.addTo(map);
      } else if (map.hasLayer(districts)) {
        map.removeLayer(districts);
      }
    }
    fetch(box.dataset.provinces).then(function (r) { return r.json(); }).then(function (g) {
      provinces.addData(g);
      if (box.dataset.fit) {
        provinces.eachLayer(function (l) {
          if (l.feature.properties.code === box.dataset.fit) map.fitBounds(l.getBounds());
        });
      }
      if (box.dataset.focus) {
        var p = box.dataset.focus.split(",").map(Number);
        map.setView(p, 9);
      }
    });

    var dots = L.layerGroup().addTo(map);
    var actorColour = {};
    function colour(p) {
      if (colourBy.value === "actor") return actorColour[p.a1] || "#999999";
      return TYPE_COLOURS[p.type] || "#555555";
    }
    function radius(p) { return 3 + Math.min(14, Math.sqrt(p.fat || 0) * 1.3); }

    function drawLegend() {
      legend.textContent = "";
      var entries = colourBy.value === "actor"
        ? Object.keys(actorColour).map(function (k) { return [k, actorColour[k]]; }).concat([["other actors", "#999999"]])
        : Object.keys(TYPE_COLOURS).map(function (k) { return [k.replace(/_/g, " "), TYPE_COLOURS[k]]; });
      entries.forEach(function (e) {
        var item = el("span", { "class": "imap-key" });
        var sw = el("span", { "class": "imap-swatch" });
        sw.style.background = e[1];
        item.appendChild(sw);
        item.appendChild(document.createTextNode(e[0]));
        legend.appendChild(item);
      });
      legend.appendChild(el("span", { "class": "imap-key muted" }, "· circle area grows with fatalities (best estimate); numbered circles are clusters"));
    }

    function redraw() {
      dots.clearLayers();
      var upTo = state.upTo;
      var visible = state.points.filter(function (p) { return p.day <= upTo; });
      var located = visible.filter(function (p) { return p.lat !== null && p.lon !== null; });
      state.shown = visible.length;
      count.dataset.count = String(visible.length);
      count.textContent = fmt(visible.length) + " incidents" +
        (located.length < visible.length ? " (" + fmt(visible.length - located.length) + " without coordinates not drawn)" : "");
      var zoom = map.getZoom();
      var cells = {};
      located.forEach(function (p) {
        var pt = map.project([p.lat, p.lon], zoom);
        var key = Math.floor(pt.x / CELL) + ":" + Math.floor(pt.y / CELL);
        (cells[key] = cells[key] || []).push(p);
      });
      Object.keys(cells).forEach(function (k) {
        var c = cells[k];
        if (c.length > DENSE && zoom < map.getMaxZoom()) {
          var lat = 0, lon = 0;
          c.forEach(function (p) { lat += p.lat; lon += p.lon; });
          var size = Math.round(22 + Math.min(20, Math.log(c.length) * 4));
          var m = L.marker([lat / c.length, lon / c.length], {
            icon: L.divIcon({ className: "imap-cluster", html: "<span>" + c.length + "</span>", iconSize: [size, size] }),
            title: c.length + " incidents: click to zoom in",
            keyboard: true
          });
          m.on("click", function () {
            map.fitBounds(L.latLngBounds(c.map(function (p) { return [p.lat, p.lon]; })).pad(0.2), { maxZoom: map.getMaxZoom() });
          });
          m.addTo(dots);
          m.getElement().dataset.count = String(c.length);
        } else {
          c.forEach(function (p) {
            var m = L.circleMarker([p.lat, p.lon], {
              radius: radius(p), color: "#fff", weight: 1, fillColor: colour(p), fillOpacity: 0.85, className: "imap-point"
            });
            m.bindTooltip(p.date + " · " + (p.type || "").replace(/_/g, " ") + (p.loc ? " · " + p.loc : "") +
              " · fatalities (best): " + (p.fat === null ? "unknown" : fmt(p.fat)) +
              (p.a1 ? " · " + p.a1 + (p.a2 ? " – " + p.a2 : "") : ""));
            m.on("click", function () { location.href = "/incidents/" + encodeURIComponent(p.id); });
            m.addTo(dots);
            var e = m.getElement();
            if (e) { e.dataset.id = p.id; e.dataset.date = p.date; }
          });
        }
      });
    }

    function setSlider() {
      var first = state.first, v = Number(slider.value);
      state.upTo = first + v;
      dateOut.textContent = iso(state.upTo);
      slider.setAttribute("aria-valuetext", iso(state.upTo));
      redraw();
    }

    fetch(box.dataset.points).then(function (r) {
      if (!r.ok) throw new Error("points: HTTP " + r.status);
      return r.json();
    }).then(function (d) {
      var c = d.columns, ix = {};
      c.forEach(function (name, i) { ix[name] = i; });
      state.points = d.points.map(function (r) {
        return {
          id: r[ix.record_id], date: r[ix.date], day: day(r[ix.date]), lat: r[ix.lat], lon: r[ix.lon],
          type: r[ix.event_type], fat: r[ix.fatalities_best], a1: r[ix.actor1_id], a2: r[ix.actor2_id], loc: r[ix.location]
        };
      });
      // The eight most frequent first actors get a colour each.
      var freq = {};
      state.points.forEach(function (p) { if (p.a1) freq[p.a1] = (freq[p.a1] || 0) + 1; });
      Object.keys(freq).sort(function (a, b) { return freq[b] - freq[a] || (a < b ? -1 : 1); })
        .slice(0, PALETTE.length).forEach(function (k, i) { actorColour[k] = PALETTE[i]; });
      // Without a province or point to show, the view fits the incidents.
      if (!box.dataset.fit && !box.dataset.focus) {
        var located = state.points.filter(function (p) { return p.lat !== null && p.lon !== null; });
        if (located.length) {
          map.fitBounds(L.latLngBounds(located.map(function (p) { return [p.lat, p.lon]; })).pad(0.1), { maxZoom: 10 });
        }
      }
      var from = box.dataset.from ? day(box.dataset.from) : (d.first ? day(d.first) : 0);
      var to = box.dataset.to ? day(box.dataset.to) : (d.last ? day(d.last) : from);
      state.first = from;
      slider.max = String(Math.max(0, to - from));
      slider.value = slider.max;
      slider.disabled = to <= from;
      drawLegend();
      setSlider();
      box.dataset.loaded = "1";
    }).catch(function (e) {
      count.textContent = "The incidents could not be loaded (" + e.message + "); the static map below still shows them.";
      wrap.classList.remove("live");
    });

    slider.addEventListener("input", setSlider);
    colourBy.addEventListener("change", function () { drawLegend(); redraw(); });
    map.on("zoomend", function () { districtsAtZoom(); if (state.upTo !== null) redraw(); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".imap-wrap"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
