/*
 * Control of terrain on the clock: L.cmControlRecord, L.controlPlaces, L.controlAreas.
 *
 * Our own code (no plugin). The record itself (places, their whole history with sources, the
 * sub-district outlines) does not depend on the date: layers/control.py puts it in the base map
 * once, as window.cmControlRecord. Each step then sends only the state of the day (who holds
 * each place, besieged by whom, since when; which sub-districts are shaded), computed in Python
 * (view/control.py), so a step adds a few kilobytes.
 *
 * Places are painted on the map's own canvas with the events layer's shaped markers (one canvas
 * for the life of the map); areas are SVG paths in their own pane, whose renderer is removed
 * with the layer, as streamlit-folium replaces the layer each step.
 * Record text is untrusted: popups are built with createElement + textContent only, and a
 * link's href is set only for http(s) URLs.
 */
(function () {
  "use strict";
  if (typeof L === "undefined" || L.controlPlaces) {
    return;
  }

  // The record arrives once: inline (the standalone export) or fetched from this app. Layers
  // made before it arrives fill themselves in when it does.
  var waiting = [];

  function withRecord(fill) {
    if (window.cmControlRecord) { fill(window.cmControlRecord); } else { waiting.push(fill); }
  }

  L.cmControlRecord = function (record) {
    window.cmControlRecord = record;
    var pending = waiting;
    waiting = [];
    pending.forEach(function (fill) { fill(record); });
  };

  L.cmControlRecordUrl = function (url) {
    if (window.cmControlRecord || window.cmControlRecordUrl === url) { return; }
    window.cmControlRecordUrl = url;
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (record) { L.cmControlRecord(record); })
      .catch(function () { window.cmControlRecordFailed = url; });
  };

  // Text-only DOM helpers (textContent, http(s) links only), from the events layer.
  function el(tag, text, className) { return L.conflictEvents.dom.el(tag, text, className); }
  function isoDay(day) { return L.conflictEvents.dom.isoDay(day); }
  function isWebUrl(url) { return L.conflictEvents.dom.isWebUrl(url); }

  function sourceNode(title, url) {
    if (isWebUrl(url)) {
      var a = el("a", title || url);
      a.href = url.trim();
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    return el("span", title || "no source given");
  }

  // The popup: the place, its state on the day, and its whole history, each period with its
  // source. History rows: [day, precision, controller, besieged, title, url, checked, note].
  function placePopup(record, options, i, state) {
    var p = record.places;
    var labels = options.labels;
    var box = el("div", null, "cm-control-popup");
    box.style.maxWidth = "420px";
    box.style.fontSize = "13px";
    var title = el("div", p.name[i] + (p.ar[i] ? " \u00b7 " + p.ar[i] : ""), "cm-popup-title");
    box.appendChild(title);
    box.appendChild(el("div", options.kindLabels[p.kind[i]] || p.kind[i], "cm-popup-meta"));
    var c = state.c[i];
    var now = c < 0 ? "No record on this day (nothing is guessed)"
      : labels[c] + " since " + isoDay(state.s[i]) +
        (state.b[i] >= 0 ? ", besieged by " + labels[state.b[i]] : "");
    var line = el("div", "On " + state.day + ": " + now);
    line.style.fontWeight = "bold";
    line.style.margin = "0.3em 0";
    box.appendChild(line);

    var table = el("table");
    table.style.borderCollapse = "collapse";
    var head = el("tr");
    ["From", "To", "Held by", "Source"].forEach(function (h) {
      var th = el("th", h);
      th.style.textAlign = "left";
      th.style.paddingRight = "0.5em";
      head.appendChild(th);
    });
    table.appendChild(head);
    var rows = record.history[i] || [];
    for (var k = 0; k < rows.length; k++) {
      var r = rows[k];
      var tr = el("tr");
      tr.style.verticalAlign = "top";
      var from = isoDay(r[0]) + (r[1] && r[1] !== "day" ? " (" + r[1] + ")" : "");
      var to = k + 1 < rows.length ? isoDay(rows[k + 1][0] - 1) : "\u2026";
      var who = labels[r[2]] + (r[3] >= 0 ? ", besieged by " + labels[r[3]] : "");
      [from, to, who].forEach(function (text) {
        var td = el("td", text);
        td.style.paddingRight = "0.5em";
        tr.appendChild(td);
      });
      var src = el("td");
      src.appendChild(sourceNode(r[4], r[5]));
      if (r[6]) { src.appendChild(el("div", "checked: " + r[6], "cm-popup-meta")); }
      if (r[7]) { src.appendChild(el("div", r[7], "cm-popup-meta")); }
      tr.appendChild(src);
      table.appendChild(tr);
    }
    box.appendChild(table);
    return box;
  }

  // The state of every place on `day` (days since 1970) from the record itself, as
  // view/control.py ControlRecord.on: its last change on or before the day; no record before
  // its first. History rows are sorted by day.
  function stateOn(record, day) {
    var history = record.history, n = record.places.lat.length;
    var state = { c: new Array(n), b: new Array(n), s: new Array(n), day: dayLabel(day),
                  dayNumber: day };
    for (var i = 0; i < n; i++) {
      var rows = history[i] || [], lo = 0, hi = rows.length;
      while (lo < hi) {
        var mid = (lo + hi) >>> 1;
        if (rows[mid][0] <= day) { lo = mid + 1; } else { hi = mid; }
      }
      var row = lo ? rows[lo - 1] : null;
      state.c[i] = row ? row[2] : -1;
      state.b[i] = row ? row[3] : -1;
      state.s[i] = row ? row[0] : 0;
    }
    return state;
  }

  function dayLabel(day) { return L.conflictEvents.dom.dayLabel(day); }

  // The server's state is for its own day; when the map's clock (event_clock.js) moves to
  // another day before the server answers, the places are redrawn for that day from the record.
  L.controlPlaces = function (state, options) {
    var group = L.featureGroup();
    var shown = null;
    var show = function (record, day) {
      var wanted = day === undefined || day === state.dayNumber ? state : stateOn(record, day);
      if (shown && shown.dayNumber === wanted.dayNumber) { return; }
      shown = wanted;
      group.clearLayers();
      fillPlaces(group, record, wanted, options);
    };
    var follow = function (day) { withRecord(function (record) { show(record, day); }); };
    withRecord(function (record) {
      var clock = L.conflictClock && L.conflictClock.currentDay && L.conflictClock.currentDay();
      show(record, clock === null ? undefined : clock);
    });
    group.on("add", function () {
      if (L.conflictClock && L.conflictClock.onDay) { L.conflictClock.onDay(follow); }
    });
    group.on("remove", function () {
      if (L.conflictClock && L.conflictClock.offDay) { L.conflictClock.offDay(follow); }
    });
    return group;
  };
  L.controlPlaces.stateOn = stateOn;  // for tests: the same answer as the server's

  function fillPlaces(group, record, state, options) {
    // The map's own canvas, shared with the events layer (see event_layer.js).
    var Shape = L.conflictEvents.ShapeMarker;
    var p = record.places;
    var n = p.lat.length;
    var colours = options.colours, shapes = options.shapes;
    for (var i = 0; i < n; i++) {
      var c = state.c[i];
      var radius = options.kindRadius[p.kind[i]] || 6;
      var marker;
      if (c < 0) {
        if (!options.showNoRecord) { continue; }
        marker = new Shape([p.lat[i], p.lon[i]], {
          radius: Math.max(3, radius * 0.6), shape: "circle",
          color: options.noRecordColour, weight: 1.5, opacity: 0.9, fill: false
        });
      } else {
        if (state.b[i] >= 0) {  // the besieger's ring, under the place
          group.addLayer(new Shape([p.lat[i], p.lon[i]], {
            radius: radius + options.besiegedRing, shape: "circle",
            color: colours[state.b[i]], weight: options.besiegedRing, opacity: 1,
            fill: false, interactive: false
          }));
        }
        var contested = options.keys[c] === "contested";
        // A white halo under the place reads it apart from the events in the same colours.
        group.addLayer(new Shape([p.lat[i], p.lon[i]], {
          radius: radius + 2, shape: shapes[c], geometry: options,
          color: options.halo, weight: 3, opacity: 1, fillColor: options.halo,
          fillOpacity: 1, interactive: false
        }));
        marker = new Shape([p.lat[i], p.lon[i]], {
          radius: radius, shape: shapes[c], geometry: options,
          color: contested ? "#1a1a1a" : options.outline, weight: contested ? 2 : 1.5,
          dashArray: contested ? options.contestedDash : null, opacity: 1,
          fillColor: colours[c], fillOpacity: 1
        });
      }
      marker._controlPlace = { id: p.id[i], controller: c < 0 ? "no record" : options.keys[c] };
      marker.bindPopup((function (row) {
        return function () { return placePopup(record, options, row, state); };
      })(i), { maxWidth: 440 });
      group.addLayer(marker);
    }
  }

  var HATCH_ID = "cm-control-hatch";

  function addHatch(renderer, colour) {
    var svg = renderer._container;
    if (!svg || svg.querySelector("#" + HATCH_ID)) { return; }
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    var pattern = document.createElementNS(ns, "pattern");
    pattern.setAttribute("id", HATCH_ID);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "8");
    pattern.setAttribute("height", "8");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var line = document.createElementNS(ns, "line");
    line.setAttribute("x1", "0");
    line.setAttribute("y1", "0");
    line.setAttribute("x2", "0");
    line.setAttribute("y2", "8");
    line.setAttribute("stroke", colour);
    line.setAttribute("stroke-width", "2.5");
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  }

  // shading: {p: indices into record.areas.features, c: controller index or -2 for "mixed"}.
  L.controlAreas = function (shading, options) {
    var group = L.featureGroup();
    withRecord(function (record) {
      if (record.areas) { fillAreas(group, record, shading, options); }
    });
    return group;
  };

  function fillAreas(group, record, shading, options) {
    var renderer = L.svg({ padding: 0.5, pane: options.pane });
    group.on("remove", function () {
      if (renderer._map) { renderer._map.removeLayer(renderer); }
    });
    var features = record.areas.features;
    for (var k = 0; k < shading.p.length; k++) {
      var feature = features[shading.p[k]];
      var c = shading.c[k];
      var mixed = c === -2;
      var colour = mixed ? options.hatch : options.colours[c];
      var layer = L.geoJSON(feature, {
        renderer: renderer, pane: options.pane, interactive: true,
        style: {
          color: colour, weight: 1, opacity: 0.7, fillColor: mixed ? "url(#" + HATCH_ID + ")"
            : colour, fillOpacity: mixed ? 0.55 : options.fillOpacity,
          className: "cm-control-area cm-control-" + (mixed ? "mixed" : options.keys[c])
        }
      });
      layer._controlArea = { pcode: feature.properties.pcode, mixed: mixed };
      layer.bindTooltip((function (f, isMixed, ci) {
        return function () {
          var text = f.properties.name + ": " + (isMixed
            ? "tracked places disagree" : "tracked places held by " + options.labels[ci]);
          return el("span", text + " (approximate, from places)");
        };
      })(feature, mixed, c), { sticky: true });
      group.addLayer(layer);
    }
    // The hatch pattern must exist once the renderer's <svg> is in the page.
    group.on("add", function () { addHatch(renderer, options.hatch); });
    if (renderer._map) { addHatch(renderer, options.hatch); }
  }
})();
