// sitrep's actor graph slider (/actors/graph and each actor page).
//
// The server draws every relation once (`svg.actor-graph`), each link with its
// period in data-from / data-to. This script adds a date slider: moving it shows the
// links that hold on the chosen day (ends included, an open end is unbounded) and
// fades the actors that have none, without asking the server again. Without script
// the page's date form (?at=) does the same on the server.
(function () {
  "use strict";
  function day(s) { return Date.parse(s + "T00:00:00Z") / 86400000; }
  function iso(d) { return new Date(d * 86400000).toISOString().slice(0, 10); }

  function init(box) {
    var svg = box.querySelector("svg.actor-graph");
    if (!svg || box.dataset.ready) return;
    box.dataset.ready = "1";
    var from = day(box.dataset.from), to = day(box.dataset.to);
    var at = svg.dataset.at ? day(svg.dataset.at) : to;
    var label = document.createElement("label");
    label.className = "graph-slider-label";
    var out = document.createElement("output");
    out.className = "graph-date";
    var slider = document.createElement("input");
    slider.type = "range";
    slider.className = "graph-slider";
    slider.min = "0";
    slider.max = String(to - from);
    slider.step = "1";
    slider.value = String(Math.min(to, Math.max(from, at)) - from);
    slider.setAttribute("aria-label", "Relations holding on this day");
    var count = document.createElement("span");
    count.className = "graph-count";
    count.setAttribute("aria-live", "polite");
    label.appendChild(document.createTextNode("Relations on "));
    label.appendChild(out);
    label.appendChild(slider);
    box.insertBefore(label, box.firstChild);
    box.insertBefore(count, label.nextSibling);
    var links = Array.prototype.slice.call(svg.querySelectorAll("line.link"));
    var nodes = Array.prototype.slice.call(svg.querySelectorAll("g.node"));

    function apply() {
      var d = from + Number(slider.value);
      var date = iso(d);
      out.textContent = date;
      slider.setAttribute("aria-valuetext", date);
      svg.dataset.at = date;
      var active = {};
      var n = 0;
      links.forEach(function (l) {
        var f = l.dataset.from, t = l.dataset.to;
        var on = (!f || day(f) <= d) && (!t || d <= day(t));
        l.classList.toggle("off", !on);
        if (on) {
          n += 1;
          active[l.dataset.source] = true;
          active[l.dataset.target] = true;
        }
      });
      nodes.forEach(function (g) { g.classList.toggle("idle", !active[g.dataset.id]); });
      count.dataset.links = String(n);
      count.textContent = n + (n === 1 ? " relation" : " relations") + " hold on " + date;
    }
    slider.addEventListener("input", apply);
    if (svg.dataset.at) {
      apply();
    } else {
      out.textContent = "any day";
      count.dataset.links = String(links.length);
      count.textContent = links.length + " relations over all time; move the slider to pick a day";
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".graph-live"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
