/*
 * L.conflictClock(state, options): the live map's events, moved by the clock in the browser.
 *
 * Our own code (no plugin). The events arrive once, as binary slabs (view/event_slabs.py has
 * the format; layers/event_clock.py publishes them). A step of the date slider, the
 * previous/next buttons and Play are answered here, in the frame after the key press, from
 * the slabs: the window query mirrors EventIndex.window, the cells mirror view/aggregate.py
 * (same grid, same sums, same coarsening), the shapes and colours are the events layer's.
 * Each server rerun then sends only the clock's settings (and the text of a popup that a
 * click asked for), and this file keeps the day the page's slider shows.
 *
 * One engine per map, for the life of the map: streamlit-folium replaces the layer on every
 * rerun, the engine (slabs, the current drawing, the page listeners) stays. Everything it
 * adds outside the map (listeners on the page, the slider observer) is removed when the
 * map's frame goes away.
 *
 * Dataset text is untrusted: popups come from the events layer's eventPopup (textContent
 * only, http(s) links only); the status line is textContent.
 */
(function () {
  "use strict";
  if (typeof L === "undefined" || L.conflictClock) {
    return;
  }

  var DAY_US = 86400e6;  // the page's date slider counts microseconds since 1970
  var PENDING_MS = 4000;  // a day the browser moved to waits this long for the server
  var DEATHS_BIG = 254, DEATHS_NONE = 255;

  function events() { return L.conflictEvents; }  // event_layer.js loads after this file

  // -- slabs ------------------------------------------------------------------------------
  var manifests = {};

  function loadManifest(url) {
    if (!manifests[url]) {
      manifests[url] = fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(url + ": HTTP " + response.status); }
          return response.json();
        });
    }
    return manifests[url];
  }

  function decodeSlab(buffer, entry) {
    var n = entry.n, m = entry.long, b = entry.big, pos = 0;
    function take(Kind, count) {
      var array = new Kind(buffer, pos, count);
      pos += array.byteLength;
      return array;
    }
    function align() { pos += (4 - pos % 4) % 4; }
    var slab = { entry: entry, n: n, base: entry.base, offset: entry.offset };
    slab.lat = take(Float32Array, n);
    slab.lon = take(Float32Array, n);
    slab.start = take(Uint16Array, n);
    slab.code = take(Uint8Array, n);
    var small = take(Uint8Array, n);
    align();
    slab.longRow = take(Uint32Array, m);
    slab.longEnd = take(Uint16Array, m);
    align();
    var bigRow = take(Uint32Array, b), bigDeaths = take(Uint32Array, b);
    var deaths = new Int32Array(n), none = new Uint8Array(n);
    for (var i = 0; i < n; i++) {
      var d = small[i];
      deaths[i] = d >= DEATHS_BIG ? 0 : d;
      none[i] = d === DEATHS_NONE ? 1 : 0;
    }
    for (var k = 0; k < b; k++) { deaths[bigRow[k]] = bigDeaths[k]; }
    slab.deaths = deaths;
    slab.none = none;
    // The slab's extent (the cells' grid starts there).
    var minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
    for (var e = 0; e < n; e++) {
      var y = slab.lat[e], x = slab.lon[e];
      if (y < minLat) { minLat = y; }
      if (y > maxLat) { maxLat = y; }
      if (x < minLon) { minLon = x; }
      if (x > maxLon) { maxLon = x; }
    }
    slab.minLat = minLat; slab.maxLat = maxLat; slab.minLon = minLon; slab.maxLon = maxLon;
    return slab;
  }

  function loadSlab(entry) {
    if (!entry._promise) {
      entry._promise = fetch(entry.url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(entry.url + ": HTTP " + response.status); }
          return response.arrayBuffer();
        })
        .then(function (buffer) {
          if (buffer.byteLength !== entry.bytes) {
            throw new Error(entry.url + ": " + buffer.byteLength + " bytes, expected " +
                            entry.bytes);
          }
          entry._slab = decodeSlab(buffer, entry);
          return entry._slab;
        });
    }
    return entry._promise;
  }

  // The slabs a window [first, last] needs (every event overlapping it is in one of them).
  function slabsFor(manifest, first, last) {
    return manifest.slabs.filter(function (s) { return s.first <= last && s.maxEnd >= first; });
  }

  function lowerBound(array, value) {  // first i with array[i] >= value
    var lo = 0, hi = array.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (array[mid] < value) { lo = mid + 1; } else { hi = mid; }
    }
    return lo;
  }

  // Scratch buffers, grown as needed and reused: a step allocates nothing in proportion to
  // the events (a play frame at a million events must not wait for the garbage collector).
  var scratch = {};
  function buffer(name, Kind, size) {
    var b = scratch[name];
    if (!b || b.length < size) { b = scratch[name] = new Kind(Math.max(size, 1024)); }
    return b;
  }

  // The slab's events overlapping [first, last] that the filter keeps, as positions within
  // the slab, ascending, written into `out` from `at`; returns the new end. As
  // EventIndex.window, an event overlaps when it starts on or before `last` and ends on or
  // after `first`.
  function slabWindow(slab, first, last, keep, out, at) {
    var f = first - slab.base, l = last - slab.base;
    var start = slab.start, code = slab.code, longRow = slab.longRow, longEnd = slab.longEnd;
    // Long events that began before the window and reach into it come first: they start
    // earlier than every event that starts inside it.
    for (var j = lowerBound32(longRow, start, f - slab.entry.maxSpan); j < longRow.length; j++) {
      var row = longRow[j];
      if (start[row] >= f) { break; }
      if (longEnd[j] >= f && keep[code[row]]) { out[at++] = row; }
    }
    if (l < 0) { return at; }
    var lo = f <= 0 ? 0 : lowerBound(start, f), hi = l >= 65535 ? start.length
      : lowerBound(start, l + 1);
    for (var i = lo; i < hi; i++) {
      if (keep[code[i]]) { out[at++] = i; }
    }
    return at;
  }

  // First j with start[longRow[j]] >= value (longRow is ascending, so are its starts).
  function lowerBound32(longRow, start, value) {
    var lo = 0, hi = longRow.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (start[longRow[mid]] < value) { lo = mid + 1; } else { hi = mid; }
    }
    return lo;
  }

  // Which event codes a filter keeps: code = 2 * pair + approximate (view/event_slabs.py).
  function keepTable(manifest, factions, exactOnly) {
    var keep = new Uint8Array(256), wanted = null;
    if (factions) {
      wanted = {};
      factions.forEach(function (f) { wanted[f] = true; });
    }
    manifest.pairs.forEach(function (pair, p) {
      var involved = !wanted || wanted[pair[0]] || wanted[pair[1]];
      keep[2 * p] = involved ? 1 : 0;
      keep[2 * p + 1] = involved && !exactOnly ? 1 : 0;
    });
    return keep;
  }

  // -- the query: window, filters, view cut, cells (layers/events.py draw_summary) --------
  // The selection is a list of segments, one per slab: {slab, rows (positions), n}.
  function query(manifest, q) {
    var keep = keepTable(manifest, q.factions, q.exactOnly);
    var entries = slabsFor(manifest, q.first, q.last);
    var windowCount = 0, drawable = 0, segments = [], s, i;
    entries.forEach(function (entry, k) {
      var slab = entry._slab, rows = buffer("rows" + k, Int32Array, slab.n);
      var n = slabWindow(slab, q.first, q.last, keep, rows, 0), kept = 0;
      windowCount += n;
      for (i = 0; i < n; i++) {  // drawable: with coordinates
        var r = rows[i];
        if (!isNaN(slab.lat[r]) && !isNaN(slab.lon[r])) { rows[kept++] = r; }
      }
      drawable += kept;
      segments.push({ slab: slab, rows: rows, n: kept });
    });
    var visible = drawable;
    if (drawable > q.maxPoints && q.bounds) {
      var b = q.bounds, dy = (b[2] - b[0]) * q.pad, dx = (b[3] - b[1]) * q.pad;
      var south = b[0] - dy, north = b[2] + dy, west = b[1] - dx, east = b[3] + dx;
      visible = 0;
      for (s = 0; s < segments.length; s++) {
        var seg = segments[s], lat = seg.slab.lat, lon = seg.slab.lon, kept2 = 0;
        for (i = 0; i < seg.n; i++) {
          var row = seg.rows[i], y = lat[row], x = lon[row];
          if (y >= south && y <= north && x >= west && x <= east) { seg.rows[kept2++] = row; }
        }
        seg.n = kept2;
        visible += kept2;
      }
    }
    var result = { window: windowCount, drawable: drawable, missing: windowCount - drawable,
                   inView: visible < drawable };
    var pairs = manifest.pairs;
    if (visible <= q.maxPoints) {
      var items = [];
      segments.forEach(function (seg) {
        var slab = seg.slab;
        for (var k = 0; k < seg.n; k++) {
          var r = seg.rows[k], code = slab.code[r];
          items.push({ rank: slab.offset + r, lat: slab.lat[r], lon: slab.lon[r],
                       f: pairs[code >> 1][2], approx: code & 1, deaths: slab.deaths[r],
                       none: slab.none[r], start: slab.base + slab.start[r] });
        }
      });
      // Biggest first, so small ones stay on top (stable: ties keep the index order).
      items.sort(function (a, c) { return (c.deaths - a.deaths) || (a.rank - c.rank); });
      result.kind = "events";
      result.items = items;
      return result;
    }
    result.kind = "cells";
    var zoom = q.zoom, cells = aggregate(segments, visible, pairs, zoom);
    while (cells.n.length > q.maxCells && zoom > 0) {
      // As layers/events.py coarsened_cells: jump as far as a quartering per level allows.
      var levels = Math.max(1, Math.ceil(Math.log(cells.n.length / q.maxCells) / Math.log(4)));
      zoom = Math.max(0, zoom - levels);
      cells = aggregate(segments, visible, pairs, zoom);
    }
    result.cells = cells;
    result.gridZoom = zoom;
    return result;
  }

  var DENSE_LIMIT = 4000000;  // as view/aggregate.py: above it, a Map instead of an array

  // view/aggregate.py aggregate(): cell edge 360 / 2^(zoom + 3); a cell's centre is the mean
  // of its events, summed in row order (as np.bincount); dominant faction: most events, ties
  // to the lower code. Cells come ordered by grid row (south to north), then column.
  // The grid's origin here is the slabs' own extent, not the events' minimum as in Python:
  // the order of the cells (row, then column) and every sum are the same, and it saves a pass.
  function aggregate(segments, total, pairs, zoom) {
    var size = 360 / Math.pow(2, zoom + 3), s, i, k, seg, row, slab;
    var y0 = Infinity, x0 = Infinity, y1 = -Infinity, x1 = -Infinity;
    segments.forEach(function (sg) {
      if (!sg.n) { return; }
      y0 = Math.min(y0, Math.floor(sg.slab.minLat / size));
      y1 = Math.max(y1, Math.floor(sg.slab.maxLat / size));
      x0 = Math.min(x0, Math.floor(sg.slab.minLon / size));
      x1 = Math.max(x1, Math.floor(sg.slab.maxLon / size));
    });
    var width = x1 - x0 + 1, slots = (y1 - y0 + 1) * width;
    var slotOf = buffer("slotOf", Float64Array, total), m = 0, cellOfSlot;
    k = 0;
    for (s = 0; s < segments.length; s++) {
      seg = segments[s];
      var lat = seg.slab.lat, lon = seg.slab.lon;
      for (i = 0; i < seg.n; i++, k++) {
        row = seg.rows[i];
        slotOf[k] = (Math.floor(lat[row] / size) - y0) * width + (Math.floor(lon[row] / size) - x0);
      }
    }
    if (slots <= DENSE_LIMIT) {
      var dense = buffer("dense", Int32Array, slots);
      dense.fill(0, 0, slots);
      for (k = 0; k < total; k++) { dense[slotOf[k]] = 1; }
      for (var slot = 0; slot < slots; slot++) {  // occupied slots, in key order
        if (dense[slot]) { dense[slot] = ++m; }
      }
      cellOfSlot = function (key) { return dense[key] - 1; };
    } else {
      var seen = new Map(), keys = [];
      for (k = 0; k < total; k++) {
        if (!seen.has(slotOf[k])) { seen.set(slotOf[k], 0); keys.push(slotOf[k]); }
      }
      keys.sort(function (a, b) { return a - b; });
      keys.forEach(function (key, c) { seen.set(key, c); });
      m = keys.length;
      cellOfSlot = function (key) { return seen.get(key); };
    }
    var nf = 0;
    pairs.forEach(function (p) { nf = Math.max(nf, p[0] + 1, p[1] + 1, p[2] + 1); });
    var principalOf = new Int8Array(256);
    pairs.forEach(function (p, q) { principalOf[2 * q] = p[2]; principalOf[2 * q + 1] = p[2]; });
    var out = { lat: new Float64Array(m), lon: new Float64Array(m), n: new Int32Array(m),
                d: new Float64Array(m), u: new Int32Array(m), f: new Int8Array(m),
                byFaction: new Int32Array(m * nf), cell: size };
    var sumLat = out.lat, sumLon = out.lon, count = out.n, deaths = out.d, none = out.u;
    var byFaction = out.byFaction;
    k = 0;
    for (s = 0; s < segments.length; s++) {
      seg = segments[s];
      slab = seg.slab;
      var sLat = slab.lat, sLon = slab.lon, sDeaths = slab.deaths, sNone = slab.none;
      var sCode = slab.code, rows = seg.rows;
      for (i = 0; i < seg.n; i++, k++) {
        row = rows[i];
        var cell = cellOfSlot(slotOf[k]);
        sumLat[cell] += sLat[row];
        sumLon[cell] += sLon[row];
        count[cell] += 1;
        deaths[cell] += sDeaths[row];
        none[cell] += sNone[row];
        byFaction[cell * nf + principalOf[sCode[row]]] += 1;
      }
    }
    for (var c2 = 0; c2 < m; c2++) {
      sumLat[c2] /= count[c2];
      sumLon[c2] /= count[c2];
      var best = 0;
      for (var f = 1; f < nf; f++) {
        if (byFaction[c2 * nf + f] > byFaction[c2 * nf + best]) { best = f; }
      }
      out.f[c2] = best;
    }
    return out;
  }

  // -- drawing: one path on the map's own canvas for all of the step's events or cells -----
  var ClockPaint = L.Path.extend({
    options: { interactive: true },

    initialize: function (state, options) {
      this._clockState = state;
      this._clockOptions = options || {};
      this._items = [];
      this._px = [];
    },

    onAdd: function (map) {
      L.Path.prototype.onAdd.call(this, map);
      this.on("click", this._onClick, this);
      engineFor(map).attach(this);
    },

    onRemove: function (map) {
      this.off("click", this._onClick, this);
      engineFor(map).detach(this);
      L.Path.prototype.onRemove.call(this, map);
    },

    setItems: function (items) {
      if (this._renderer && this._pxBounds) { this._renderer._requestRedraw(this); }
      this._items = items;
      if (this._map) {
        this._project();
        this._renderer._requestRedraw(this);
      }
    },

    _project: function () {
      var map = this._map, items = this._items, px = new Array(items.length);
      var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (var i = 0; i < items.length; i++) {
        var p = map.latLngToLayerPoint([items[i].lat, items[i].lon]);
        px[i] = p;
        var r = items[i].radius + 3;
        minX = Math.min(minX, p.x - r); minY = Math.min(minY, p.y - r);
        maxX = Math.max(maxX, p.x + r); maxY = Math.max(maxY, p.y + r);
      }
      this._px = px;
      this._pxBounds = items.length ? L.bounds([minX, minY], [maxX, maxY]) : null;
    },

    _update: function () { if (this._map) { this._updatePath(); } },

    _empty: function () { return !this._items.length; },

    _updatePath: function () {
      var renderer = this._renderer;
      if (!renderer || !renderer._drawing || !this._items.length) { return; }
      var ctx = renderer._ctx, items = this._items, px = this._px, ev = events();
      var geometry = this._clockOptions;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      if (ctx.setLineDash) { ctx.setLineDash([]); }
      for (var i = 0; i < items.length; i++) {
        var it = items[i], p = px[i], r = Math.max(Math.round(it.radius), 1);
        ctx.beginPath();
        ev.shapePath(ctx, it.shape, p.x, p.y, r, geometry);
        ctx.globalAlpha = it.fillOpacity;
        ctx.fillStyle = it.fill;
        ctx.fill("evenodd");
        ctx.globalAlpha = 1;
        ctx.lineWidth = it.weight;
        ctx.strokeStyle = it.stroke;
        ctx.stroke();
        if (it.label) {
          ctx.font = "bold " + Math.max(10, Math.round(r * 0.6)) + "px sans-serif";
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          ctx.lineWidth = 3;
          ctx.strokeStyle = "#1a1a1a";
          ctx.strokeText(it.label, p.x, p.y);
          ctx.fillStyle = "#ffffff";
          ctx.fillText(it.label, p.x, p.y);
        }
      }
      ctx.globalAlpha = 1;
    },

    // The top-most item under the point (drawn last), for clicks and the pointer.
    _containsPoint: function (point) {
      var items = this._items, px = this._px;
      for (var i = items.length - 1; i >= 0; i--) {
        var dx = point.x - px[i].x, dy = point.y - px[i].y, r = items[i].radius + 1;
        if (dx * dx + dy * dy <= r * r) { this._hit = i; return true; }
      }
      return false;
    },

    _onClick: function (e) {
      var item = this._items[this._hit], map = this._map;
      if (!item || !map) { return; }
      L.DomEvent.stop(e);
      if (item.cell) {
        map.setView([item.lat, item.lon], Math.min(map.getZoom() + 2, map.getMaxZoom()));
        return;
      }
      engineFor(map).openPopup(item);
    }
  });

  // -- the engine: one per map ---------------------------------------------------------------
  function engineFor(map) {
    if (!map._conflictClock) { map._conflictClock = new Engine(map); }
    currentEngine = map._conflictClock;
    return map._conflictClock;
  }

  function Engine(map) {
    this.map = map;
    this.paint = null;
    this.state = null;
    this.day = null;
    this.pending = null;  // {day, t}: a day moved to here that the server has not shown yet
    this.details = new Map();  // browser row -> [details data, index]
    this.drawn = null;
    this.seq = 0;
    this.reportSeq = 0;
    this.playTimer = null;
    this.holdTick = false;
    this.listeners = [];
    // Top right: the bottom left holds the zones' names, written west of Syria.
    this.status = L.control({ position: "topright" });
    this.status.onAdd = function () {
      var box = L.DomUtil.create("div", "cm-clock-status");
      box.setAttribute("role", "status");
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    this.status.addTo(map);
    map.on("moveend", this.redraw, this);
    var self = this;
    // The page outlives this frame: take every listener off it when the frame goes away.
    window.addEventListener("pagehide", function () { self.dispose(); });
  }

  Engine.prototype.dispose = function () {
    this.stopTimer();
    this.listeners.forEach(function (off) { off(); });
    this.listeners = [];
    if (this.observer) { this.observer.disconnect(); this.observer = null; }
    this.map.off("moveend", this.redraw, this);
  };

  Engine.prototype.attach = function (paint) {
    var state = paint._clockState, previous = this.state;
    this.paint = paint;
    this.options = paint._clockOptions;
    this.state = state;
    this.rememberDetails(state.details);
    this.listen();
    var day = state.day;
    var pending = this.pending;
    if (pending && pending.day !== day && Date.now() - pending.t < PENDING_MS) {
      day = pending.day;  // the server has not caught up with the browser yet
    } else {
      this.pending = null;
    }
    if (previous && previous.slabs !== state.slabs) { this.drawn = null; }
    if (state.play.playing) {
      // The server's day is where play began: the browser's own day goes on.
      if (this.playTimer && this.playInterval === state.play.intervalMs) {
        this.show(this.day, "server");
      } else {  // not playing yet (from the day), or the speed changed (go on from here)
        var continuing = this.playTimer !== null;
        this.stopTimer();
        this.startPlay(continuing ? this.day : day);
      }
      return;
    }
    if (this.playTimer) {
      // Paused from the page: stay on the day play reached and tell the server.
      this.stopTimer();
      this.pending = { day: this.day, t: Date.now() };
      this.report(this.day);
      day = this.day;
    }
    this.show(day, "server");
  };

  Engine.prototype.detach = function (paint) {
    if (this.paint === paint) { this.paint = null; }
    var self = this;
    // streamlit-folium removes the old layer and adds the new one in one go: only when no
    // new layer came (the events layer was switched off) does play stop.
    Promise.resolve().then(function () {
      if (!self.paint) { self.stopTimer(); self.setStatus(null); }
    });
  };

  Engine.prototype.rememberDetails = function (details) {
    if (!details || !details.r) { return; }
    if (this.details.size > 2000) { this.details.clear(); }  // bounded: a long session
    for (var i = 0; i < details.r.length; i++) { this.details.set(details.r[i], [details, i]); }
    var open = this.openItem;
    if (open && this.details.has(open.rank) && this.popupLayer && this.popupLayer.isOpen()) {
      this.popupLayer.setContent(this.popup(open));  // the text it asked for has come
      this.openItem = null;
    }
  };

  // A click's popup: at once with what the slabs know; the rest (actors, notes, source) is
  // asked of the server and filled in when its rerun brings it.
  Engine.prototype.openPopup = function (item) {
    var known = this.details.has(item.rank);
    this.popupLayer = L.popup({ maxWidth: 360 }).setLatLng([item.lat, item.lon])
      .setContent(this.popup(item)).openOn(this.map);
    this.openItem = known ? null : item;
    if (!known) { this.send({ details: item.rank }); }
  };

  // The query for `day` under the current settings; null until the settings are known.
  Engine.prototype.queryFor = function (day) {
    var s = this.state, map = this.map;
    var first;
    if (s.rangeStart !== null && day === s.day) {
      first = Math.min(s.rangeStart, day);  // a custom range, until the day moves
    } else if (s.windowDays === null) {
      first = s.spanStart;
    } else {
      first = day - s.windowDays + 1;
    }
    var b = map.getBounds();
    return { day: day, first: first, last: day, factions: s.factions, exactOnly: s.exactOnly,
             maxPoints: s.maxPoints, maxCells: s.maxCells, pad: s.pad, zoom: map.getZoom(),
             bounds: [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()] };
  };

  Engine.prototype.redraw = function () {
    if (this.day !== null && this.paint) { this.drawn = null; this.show(this.day, "map"); }
  };

  // Draw `day`: at once when its slabs are here, else as soon as they arrive.
  Engine.prototype.show = function (day, cause) {
    var self = this, s = this.state;
    if (!s || !this.paint) { return; }
    this.day = day;
    var seq = ++this.seq;
    loadManifest(s.slabs).then(function (manifest) {
      var q = self.queryFor(day);
      var needed = slabsFor(manifest, q.first, q.last);
      var missing = needed.filter(function (e) { return !e._slab; });
      if (!missing.length) {
        self.draw(manifest, q, seq, cause);
        self.prefetch(manifest);
        return null;
      }
      self.setStatus("Loading events\u2026");
      return Promise.all(missing.map(loadSlab)).then(function () {
        if (seq === self.seq) { self.draw(manifest, self.queryFor(day), seq, cause); }
        self.prefetch(manifest);
      });
    }).catch(function (error) {
      self.setStatus("The events could not be loaded (" + String(error && error.message) +
                     "). Reload the page.");
      window.cmClockError = String(error && error.message);
    });
  };

  // The rest of the slabs, nearest first, in the background: the next step never waits.
  Engine.prototype.prefetch = function (manifest) {
    if (manifest._prefetching) { return; }
    manifest._prefetching = true;
    var day = this.day;
    var rest = manifest.slabs.filter(function (e) { return !e._promise; });
    rest.sort(function (a, b) {
      return Math.abs((a.first + a.last) / 2 - day) - Math.abs((b.first + b.last) / 2 - day);
    });
    rest.reduce(function (chain, entry) {
      return chain.then(function () { return loadSlab(entry); });
    }, Promise.resolve()).catch(function () { manifest._prefetching = false; });
  };

  Engine.prototype.draw = function (manifest, q, seq, cause) {
    // The synchronous path (slabs already here) can be overtaken only by itself.
    if (seq !== this.seq || !this.paint) { return; }
    var key = JSON.stringify([this.state.slabs, q]);
    if (this.drawn && this.drawn.key === key) {
      if (this.paint._items !== this.drawn.items) { this.paint.setItems(this.drawn.items); }
      this.publish(q, this.drawn.result, cause);
      return;
    }
    var result = query(manifest, q);
    var items = result.kind === "cells" ? this.cellItems(result) : this.eventItems(result);
    this.paint.setItems(items);
    this.drawn = { key: key, items: items, result: result };
    this.publish(q, result, cause);
  };

  Engine.prototype.eventItems = function (result) {
    var o = this.options, colours = o.colours || [], shapes = o.shapes || [];
    var outline = o.outline || "#1a1a1a", ev = events();
    return result.items.map(function (e) {
      var colour = colours[e.f] || "#888888";
      return {
        rank: e.rank, lat: e.lat, lon: e.lon, f: e.f, deaths: e.none ? null : e.deaths,
        start: e.start, approx: e.approx,
        radius: ev.eventRadius(e.none ? 0 : e.deaths, o.radius),
        shape: shapes[e.f] || "circle",
        // An approximate place is hollow: its outline in the faction's colour.
        stroke: e.approx ? colour : outline, weight: e.approx ? 2.5 : 1.5,
        fill: e.approx ? "#ffffff" : colour, fillOpacity: e.approx ? 0.55 : 0.9
      };
    });
  };

  Engine.prototype.cellItems = function (result) {
    var cells = result.cells, n = cells.n.length, colours = this.options.colours || [];
    var ev = events(), zoom = this.map.getZoom(), maxCount = 0, i;
    for (i = 0; i < n; i++) { maxCount = Math.max(maxCount, cells.n[i]); }
    var order = [];
    for (i = 0; i < n; i++) { order.push(i); }
    // Biggest last, so their counts are on top (stable: grid order among equals).
    order.sort(function (a, b) { return (cells.n[a] - cells.n[b]) || (a - b); });
    return order.map(function (c) {
      var radius = ev.cellRadius(cells.n[c], maxCount, result.gridZoom, zoom);
      return { cell: true, lat: cells.lat[c], lon: cells.lon[c], count: cells.n[c],
               deaths: cells.d[c], noFigure: cells.u[c], radius: radius, shape: "circle",
               stroke: "#ffffff", weight: 2.5, fill: colours[cells.f[c]] || "#888888",
               fillOpacity: 0.85, label: ev.cellLabel(cells.n[c], radius) };
    });
  };

  function plural(n, word) { return n.toLocaleString("en-GB") + " " + word + (n === 1 ? "" : "s"); }

  function dayLabel(day) { return events().dom.dayLabel(day); }

  // What the map shows, in words, on the map itself (the header catches up after the rerun);
  // and, for tests and the benchmark, the same as data on window.cmClock.
  Engine.prototype.publish = function (q, result, cause) {
    var what;
    if (result.kind === "cells") {
      var total = 0;
      for (var i = 0; i < result.cells.n.length; i++) { total += result.cells.n[i]; }
      what = plural(total, "event") + (result.inView ? " in view" : "") + " in " +
        plural(result.cells.n.length, "cell") + "; zoom in for single events";
    } else {
      what = result.items.length ? plural(result.items.length, "event") : "No events";
      if (result.inView) { what += " in view (of " + result.drawable.toLocaleString("en-GB") + ")"; }
    }
    if (result.missing) { what += " (" + result.missing + " without coordinates)"; }
    var when = q.first === q.last ? dayLabel(q.last)
      : dayLabel(q.first) + " \u2013 " + dayLabel(q.last);
    this.setStatus((this.playTimer ? "\u25b6 " : "") + when + " \u00b7 " + what);
    this.drawnWindow = [q.first, q.last];
    window.cmClock = { day: q.day, first: q.first, last: q.last, kind: result.kind,
                       count: result.kind === "cells" ? result.cells.n.length : result.items.length,
                       window: result.window, cause: cause, seq: this.seq,
                       playing: !!this.playTimer, at: performance.now(), text: what };
    if (window.cmClockLog) { window.cmClockLog.push(window.cmClock); }  // tests, benchmark
    dayListeners.slice().forEach(function (listener) { listener(q.day, q.first, q.last); });
  };

  Engine.prototype.setStatus = function (text) {
    var box = this.status.getContainer();
    if (!box) { return; }
    box.textContent = text || "";
    box.style.display = text ? "" : "none";
  };

  Engine.prototype.popup = function (item) {
    var ev = events(), known = this.details.get(item.rank);
    if (known) {
      var data = known[0], i = known[1], one = { strings: data.strings };
      Object.keys(data).forEach(function (key) {
        if (Array.isArray(data[key]) && key !== "strings") { one[key] = [data[key][i]]; }
      });
      one.d = [item.deaths];
      one.f = [item.f];
      return ev.eventPopup(one, this.options, 0);
    }
    // The server's text for this event has not arrived yet (it follows the step).
    var dom = ev.dom, box = dom.el("div", null, "conflict-event-popup");
    box.appendChild(dom.el("div", this.options.labels[item.f] || "Event"));
    box.appendChild(dom.el("div", "Date: " + dom.isoDay(item.start)));
    box.appendChild(dom.el("div", "Deaths: " + (item.deaths === null
      ? "no figure in the source" : String(item.deaths))));
    if (item.approx) { box.appendChild(dom.el("div", "Place approximate")); }
    box.appendChild(dom.el("div", "Loading the actors, notes and source\u2026"));
    return box;
  };

  // -- the page: its date slider, previous/next, and the report back -----------------------
  function pageDocument() {
    try { return window.parent && window.parent !== window ? window.parent.document : null; }
    catch (e) { return null; }  // not same-origin: the map keeps to the server's day
  }

  function pageSlider(doc) {
    return doc.querySelector(".st-key-day input[type='range']") ||
      doc.querySelector("[data-testid='stSlider'] input[type='range'][aria-label='Date']");
  }

  Engine.prototype.listen = function () {
    var doc = pageDocument(), self = this;
    if (!doc) { return; }
    var slider = pageSlider(doc);
    if (slider && slider !== this.slider) {
      if (this.observer) { this.observer.disconnect(); }
      this.slider = slider;
      this.observer = new MutationObserver(function () { self.onSlider(); });
      this.observer.observe(slider, { attributes: true, attributeFilter: ["value", "aria-valuetext"] });
    }
    if (this.listening) { return; }
    this.listening = true;
    var onKey = function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) { return; }
      var t = e.target;
      if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].indexOf(t.tagName) >= 0)) {
        return;  // the slider (an input) moves itself; typing is typing
      }
      if (e.key === "ArrowRight") { self.step(+1); }
      if (e.key === "ArrowLeft") { self.step(-1); }
    };
    var onClick = function (e) {
      var t = e.target && e.target.closest && e.target.closest("button");
      if (!t || !e.isTrusted) { return; }
      if (t.closest(".st-key-step_next")) { self.step(+1); }
      if (t.closest(".st-key-step_previous")) { self.step(-1); }
    };
    doc.addEventListener("keydown", onKey, true);
    doc.addEventListener("click", onClick, true);
    this.listeners.push(function () {
      doc.removeEventListener("keydown", onKey, true);
      doc.removeEventListener("click", onClick, true);
    });
  };

  Engine.prototype.onSlider = function () {
    var value = Number(this.slider && this.slider.value);
    if (!isFinite(value) || !this.state) { return; }
    var day = Math.round(value / DAY_US);
    if (day === this.day) { return; }
    this.pending = { day: day, t: Date.now() };
    this.show(day, "slider");
  };

  // Previous/next milestone, as ui/controls.py _step does on the server (in a briefing the
  // server steps through scenes: it decides).
  Engine.prototype.step = function (direction) {
    var s = this.state;
    if (!s || s.briefing || this.day === null) { return; }
    var days = s.milestones, target = null, day = this.day;
    if (direction > 0) {
      for (var i = 0; i < days.length; i++) { if (days[i] > day) { target = days[i]; break; } }
    } else {
      for (var j = days.length - 1; j >= 0; j--) { if (days[j] < day) { target = days[j]; break; } }
    }
    if (target === null) { return; }
    target = Math.max(s.spanStart, Math.min(s.spanEnd, target));
    this.stopTimer();
    this.pending = { day: target, t: Date.now() };
    this.show(target, "step");
  };

  // -- play, in the browser ------------------------------------------------------------------
  // One tick, as view/clock.py play_tick: move on by the step; stop at "until" (or the end);
  // with "pause at milestones", land on a milestone passed and hold there one tick.
  function playTick(day, play, spanEnd, milestones) {
    var until = play.until === null ? spanEnd : play.until;
    if (until <= day) { until = spanEnd; }
    var target = Math.min(day + play.stepDays, until), hold = false;
    if (play.hold) {
      for (var i = 0; i < milestones.length; i++) {
        if (milestones[i] > day) {
          if (milestones[i] <= target) { target = milestones[i]; hold = true; }
          break;
        }
      }
    }
    return { day: target, hold: hold, stop: target >= until };
  }

  Engine.prototype.startPlay = function (day) {
    var self = this, s = this.state;
    this.day = day;
    this.holdTick = false;
    var tick = function () {
      if (!self.paint || !self.state) { self.stopTimer(); return; }
      if (self.holdTick) { self.holdTick = false; return; }
      var next = playTick(self.day, self.state.play, self.state.spanEnd, self.state.milestones);
      self.holdTick = next.hold;
      self.show(next.day, "play");
      if (next.stop) {
        self.stopTimer();
        self.pending = { day: next.day, t: Date.now() };
        self.report(next.day);
      }
    };
    this.playInterval = s.play.intervalMs;
    this.playTimer = window.setInterval(tick, Math.max(16, s.play.intervalMs));
    tick();
  };

  Engine.prototype.stopTimer = function () {
    if (this.playTimer) { window.clearInterval(this.playTimer); this.playTimer = null; }
  };

  // Tell the server the day the browser stopped on (play ended or paused): the same message
  // streamlit-folium's own report uses, with a "clock" entry beside zoom and bounds.
  Engine.prototype.report = function (day) {
    this.send({ day: new Date(day * 86400000).toISOString().slice(0, 10) });
  };

  // Both reports (a day, a popup's text wanted) go as the map's own report does, under "clock";
  // each has an id, so the server acts on it once (ui/state.py take_clock_report).
  Engine.prototype.send = function (clock) {
    var gd = window.__GLOBAL_DATA__ || {};
    clock.id = String(Date.now()) + "-" + (++this.reportSeq);
    var value = Object.assign({}, gd.previous_data || {}, { clock: clock });
    window.parent.postMessage({ isStreamlitMessage: true, type: "streamlit:setComponentValue",
                                value: value, dataType: "json" }, "*");
  };

  // Other layers that follow the map's clock (the control places) listen for its day; they
  // subscribe when added to the map and unsubscribe when removed.
  var dayListeners = [];
  var currentEngine = null;

  L.conflictClock = function (state, options) { return new ClockPaint(state, options); };
  L.conflictClock.onDay = function (listener) {
    if (dayListeners.indexOf(listener) < 0) { dayListeners.push(listener); }
  };
  L.conflictClock.offDay = function (listener) {
    var i = dayListeners.indexOf(listener);
    if (i >= 0) { dayListeners.splice(i, 1); }
  };
  // Layers that follow the map's clock by showing some of what the server sent
  // (layers/event_clock.py ClockGroup): the zones' stretches of one state ("day": the span
  // holds the clock's day) and the milestones' pins ("window": the pin's day is in the
  // window). `window` is the server's [first, last], until the clock draws.
  L.cmClockGroup = function (group, spans, mode, window) {
    var layers = group.getLayers();
    var show = function (day, first, last) {
      var from = mode === "day" ? day : first, to = mode === "day" ? day : last;
      for (var i = 0; i < layers.length && i < spans.length; i++) {
        var inside = spans[i][0] <= to && spans[i][1] >= from;
        if (inside && !group.hasLayer(layers[i])) { group.addLayer(layers[i]); }
        if (!inside && group.hasLayer(layers[i])) { group.removeLayer(layers[i]); }
      }
    };
    var now = currentEngine && currentEngine.paint && currentEngine.drawnWindow;
    if (now) { show(now[1], now[0], now[1]); } else { show(window[1], window[0], window[1]); }
    group.on("add", function () { L.conflictClock.onDay(show); });
    group.on("remove", function () { L.conflictClock.offDay(show); });
  };

  // The day the map's clock shows, or null when it has not drawn (no events layer).
  L.conflictClock.currentDay = function () {
    return currentEngine && currentEngine.paint && currentEngine.day !== null
      ? currentEngine.day : null;
  };
  // For tests and the benchmark: the same arithmetic the map draws with.
  L.conflictClock.query = query;
  L.conflictClock.playTick = playTick;
  L.conflictClock.engine = engineFor;
  L.conflictClock.loadManifest = loadManifest;
  L.conflictClock.loadSlab = loadSlab;
})();
