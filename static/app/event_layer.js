/*
 * L.conflictEvents(data, options): the events layer of the conflict map, drawn on canvas.
 *
 * Our own code (no plugin). layers/events.py sends one call per step with compact columnar
 * data (see events_data / cells_data there) and the faction palette in `options`, so Python
 * stays the single source of truth for colours and shapes.
 *
 * - Single events: one marker per event, shaped and coloured by principal faction, dark
 *   outline, radius by fatalities (square-root scale). Shapes are drawn by extending
 *   L.CircleMarker with an _updatePath that paints on the canvas renderer's context.
 * - Cells: circles sized by event count (log scale), coloured by the dominant faction, white
 *   ring, the count written inside when there is room. Clicking a cell zooms in to it.
 *
 * Dataset text is untrusted: popups are built with document.createElement + textContent
 * only, and a link's href is set only for http(s) URLs.
 */
(function () {
  "use strict";
  if (typeof L === "undefined" || L.conflictEvents) {
    return;
  }

  var DAY_MS = 86400000;
  // Defaults only: layers/events.py sends its scale in options.radius (marker_radius there).
  var RADIUS = { min: 5, perSqrtDeath: 1.7, max: 22 };

  function eventRadius(fatalities, scale) {
    scale = scale || RADIUS;
    var r = scale.min + scale.perSqrtDeath * Math.sqrt(Math.max(fatalities, 0));
    return Math.min(r, scale.max);
  }

  // Cells of the grid made for zoom z are 256 / 8 = 32 px apart at zoom z (cell edge
  // 360 / 2^(z + 3) degrees). Circles grow with the log of their count up to half the
  // spacing at the current zoom, so neighbours touch at most.
  var CELL_SPACING_PX = 32;
  var CELL_MIN_RADIUS = 6;

  function cellRadius(count, maxCount, gridZoom, mapZoom) {
    var spacing = CELL_SPACING_PX * Math.pow(2, mapZoom - gridZoom);
    var rMax = Math.max(10, Math.min(spacing * 0.5, 34));
    var rMin = Math.min(CELL_MIN_RADIUS, rMax);
    if (maxCount <= 1) { return rMin; }
    var share = Math.log(1 + count) / Math.log(1 + maxCount);
    return rMin + (rMax - rMin) * share;
  }

  function cellLabel(count, radius) {
    return radius >= 11 ? shortCount(count) : null;
  }

  function shortCount(n) {
    if (n >= 1e6) { return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1) + "M"; }
    if (n >= 1e4) { return Math.round(n / 1e3) + "k"; }
    if (n >= 1e3) { return (n / 1e3).toFixed(1) + "k"; }
    return String(n);
  }

  function isoDay(day) {
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
  }

  // "6 Dec 2017", as view/clock.py format_day (the clock's status line, the places' popups).
  function dayLabel(day) {
    var d = new Date(day * DAY_MS);
    return d.getUTCDate() + " " + d.toLocaleString("en-GB", { month: "short", timeZone: "UTC" }) +
      " " + d.getUTCFullYear();
  }

  // Regular polygon (or star) path around (x, y).
  function polygon(ctx, x, y, points) {
    ctx.moveTo(x + points[0][0], y + points[0][1]);
    for (var i = 1; i < points.length; i++) {
      ctx.lineTo(x + points[i][0], y + points[i][1]);
    }
    ctx.closePath();
  }

  // Adds the path of `shape` of "radius" r at (x, y) to ctx (after beginPath). The outlines
  // come from Python (layers/palette.py SHAPE_POINTS, in options.shapePoints), the same ones
  // the legend and the PNG draw.
  function shapePath(ctx, shape, x, y, r, geometry) {
    var points = geometry.shapePoints && geometry.shapePoints[shape];
    if (points) {
      polygon(ctx, x, y, points.map(function (p) { return [p[0] * r, p[1] * r]; }));
      return;
    }
    ctx.arc(x, y, r, 0, Math.PI * 2, false);
    if (shape === "ring") {
      // Two sub-paths: Leaflet fills with the even-odd rule, so the inner one is a hole.
      var hole = r * (geometry.ringHole || 0.45);
      ctx.moveTo(x + hole, y);
      ctx.arc(x, y, hole, 0, Math.PI * 2, true);
    }
  }

  // A CircleMarker that paints its shape on the canvas renderer (SVG falls back to a circle).
  var ShapeMarker = L.CircleMarker.extend({
    options: { shape: "circle", label: null, geometry: {} },

    _updatePath: function () {
      var renderer = this._renderer;
      if (!(renderer instanceof L.Canvas)) {
        renderer._updateCircle(this);
        return;
      }
      if (!renderer._drawing || this._empty()) { return; }
      var ctx = renderer._ctx;
      var p = this._point;
      var r = Math.max(Math.round(this._radius), 1);
      ctx.beginPath();
      shapePath(ctx, this.options.shape, p.x, p.y, r, this.options.geometry);
      renderer._fillStroke(ctx, this);
      if (this.options.label) {
        ctx.globalAlpha = 1;
        ctx.font = "bold " + Math.max(10, Math.round(r * 0.6)) + "px sans-serif";
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#1a1a1a";
        ctx.strokeText(this.options.label, p.x, p.y);
        ctx.fillStyle = "#ffffff";
        ctx.fillText(this.options.label, p.x, p.y);
      }
    }
  });

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function isWebUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url.trim());
  }

  function addRow(table, label, value) {
    if (value === undefined || value === null || value === "") { return; }
    var tr = el("tr");
    var th = el("th", label);
    th.style.textAlign = "left";
    th.style.verticalAlign = "top";
    th.style.paddingRight = "0.6em";
    tr.appendChild(th);
    tr.appendChild(el("td", value));
    table.appendChild(tr);
  }

  function eventPopup(data, options, i) {
    var s = data.strings;
    var text = function (field) { return s[data[field][i]]; };
    var labels = options.labels;
    var box = el("div", null, "conflict-event-popup");
    box.style.maxWidth = "340px";
    box.style.fontSize = "13px";

    var start = isoDay(data.start[i]);
    var end = isoDay(data.end[i]);
    var dates = start === end ? start : start + " \u2013 " + end;
    var title = el("div", text("type") || "Event");
    title.style.fontWeight = "bold";
    title.style.marginBottom = "0.3em";
    box.appendChild(title);

    var table = el("table");
    table.style.borderCollapse = "collapse";
    var datePrec = text("date_prec");
    addRow(table, "Date", datePrec && datePrec !== "day" ? dates + " (" + datePrec + ")" : dates);
    var actors = text("actor1") + (text("actor2") ? " \u2013 " + text("actor2") : "");
    addRow(table, "Actors", actors);
    addRow(table, "Factions", labels[data.f1[i]] + " \u2013 " + labels[data.f2[i]]);
    addRow(table, "Drawn as", labels[data.f[i]]);
    var low = data.lo[i], best = data.d[i], high = data.hi[i];
    // null is "no figure in the source": never shown as 0.
    var figure = function (n) { return n === null || n === undefined ? "no figure" : String(n); };
    addRow(table, "Deaths", best === null || best === undefined ? "no figure in the source"
      : (low === high && low === best) ? String(best)
      : best + " (low " + figure(low) + ", high " + figure(high) + ")");
    var place = text("place");
    var gov = text("gov");
    var where = place + (gov && gov !== place ? ", " + gov : "");
    var placePrec = text("place_prec");
    addRow(table, "Place", placePrec && placePrec !== "exact" ? where + " (" + placePrec + ")"
      : where);
    addRow(table, "Source", text("source"));
    addRow(table, "Dataset", text("dataset") + " #" + text("id"));
    box.appendChild(table);

    var notes = text("notes");
    if (notes) {
      var p = el("p", notes);
      p.style.margin = "0.4em 0 0";
      box.appendChild(p);
    }
    var url = text("url");
    if (isWebUrl(url)) {
      var a = el("a", "Open source");
      a.href = url.trim();
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      var line = el("div");
      line.style.marginTop = "0.4em";
      line.appendChild(a);
      box.appendChild(line);
    }
    return box;
  }

  L.conflictEvents = function (data, options) {
    options = options || {};
    var group = L.featureGroup();
    // No renderer of our own: the markers use the map's own canvas (the base map prefers
    // canvas), one for the life of the map. A new L.canvas() per step was never removed by
    // Leaflet and piled up one canvas per step; and the control layer's places share the same
    // canvas, so a click reaches whichever marker is under it (a second canvas on top would
    // swallow the clicks meant for the first).
    var colours = options.colours || [];
    var shapes = options.shapes || [];
    var outline = options.outline || "#1a1a1a";
    var n = (data && data.lat) ? data.lat.length : 0;
    var i, marker;

    if (data && data.kind === "cells") {
      var maxCount = 0;
      for (i = 0; i < n; i++) { maxCount = Math.max(maxCount, data.n[i]); }
      var gridZoom = typeof data.zoom === "number" ? data.zoom : 7;
      var cells = [];
      for (i = 0; i < n; i++) {
        var count = data.n[i];
        var radius = cellRadius(count, maxCount, gridZoom, gridZoom);
        marker = new ShapeMarker([data.lat[i], data.lon[i]], {
          radius: radius,
          shape: "circle",
          color: "#ffffff",
          weight: 2.5,
          opacity: 1,
          fillColor: colours[data.f[i]] || "#888888",
          fillOpacity: 0.85,
          label: cellLabel(count, radius)
        });
        cells.push(marker);
        marker._conflictCell = { count: count, fatalities: data.d[i] };
        marker.on("click", function (e) {
          var map = this._map;
          if (!map) { return; }
          L.DomEvent.stop(e);
          map.setView(this.getLatLng(), Math.min(map.getZoom() + 2, map.getMaxZoom()));
        });
        group.addLayer(marker);
      }
      // Resize to the map's zoom when added and whenever it changes (the server's grid only
      // changes on the next rerun).
      var resize = function () {
        var map = group._map;
        if (!map) { return; }
        var zoom = map.getZoom();
        for (var k = 0; k < cells.length; k++) {
          var c = cells[k];
          var r = cellRadius(c._conflictCell.count, maxCount, gridZoom, zoom);
          c.options.label = cellLabel(c._conflictCell.count, r);
          c.setRadius(r);
        }
      };
      group.on("add", function () {
        resize();
        group._map.on("zoomend", resize);
      });
      group.on("remove", function () {
        if (group._map) { group._map.off("zoomend", resize); }
      });
    } else if (data) {
      for (i = 0; i < n; i++) {
        marker = new ShapeMarker([data.lat[i], data.lon[i]], {
          radius: eventRadius(data.d[i], options.radius),
          shape: shapes[data.f[i]] || "circle",
          geometry: options,
          // An approximate place (near, district, governorate) is hollow: its outline in the
          // faction's colour, so a viewer can tell it from an exact point.
          color: data.ap && data.ap[i] ? (colours[data.f[i]] || "#888888") : outline,
          weight: data.ap && data.ap[i] ? 2.5 : 1.5,
          opacity: 1,
          fillColor: data.ap && data.ap[i] ? "#ffffff" : (colours[data.f[i]] || "#888888"),
          fillOpacity: data.ap && data.ap[i] ? 0.55 : 0.9
        });
        marker._conflictId = data.strings[data.id[i]];  // for tests and click handlers
        // Built on first open, from the data, with textContent only.
        marker.bindPopup((function (row) {
          return function () { return eventPopup(data, options, row); };
        })(i), { maxWidth: 360 });
        group.addLayer(marker);
      }
    }
    return group;
  };

  // Exposed for tests and the legend.
  L.conflictEvents.eventRadius = eventRadius;
  L.conflictEvents.cellRadius = cellRadius;
  L.conflictEvents.ShapeMarker = ShapeMarker;  // the control layer's places use it too
  // The browser's clock (event_clock.js) draws the same shapes, cells and popups.
  L.conflictEvents.shapePath = shapePath;
  L.conflictEvents.cellLabel = cellLabel;
  L.conflictEvents.eventPopup = eventPopup;
  // The text-only DOM helpers, shared with the control layer (untrusted text stays text).
  L.conflictEvents.dom = { el: el, isWebUrl: isWebUrl, isoDay: isoDay, dayLabel: dayLabel };
})();
