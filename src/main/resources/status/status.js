// The processor's live status page: polls the instance's JSON endpoints once a second and
// updates a table of models and one uPlot chart per model in place. Plain JS, no build step.
// Data from the server is only ever inserted as text (textContent, attributes), never as HTML.
(function () {
  'use strict';

  var POLL_MS = 1000;
  var CHART_HEIGHT = 220;
  // At most this many charts: the models ticked in the table first, then the most recently active
  // ones. 12 fills whole rows of the grid at 2, 3 or 4 charts a row, is about what one compares at
  // a glance, and bounds the history requests to 12 a poll however many models there are.
  var MAX_CHARTS = 12;
  // The narrowest time axis, in seconds: one point, or points seconds apart, are drawn in the
  // middle of two minutes, not on an axis uPlot would stretch over 1,000 days.
  var MIN_SPAN_S = 120;
  // Below this many points each point has a marker: one point is visible, a sparse curve readable.
  var MARKERS_BELOW = 40;
  var EMPTY_TEXT = 'No points yet: the chart starts once the model has learned.';
  var SEEDING_TEXT = 'Reading the model\u2019s history from the metrics topic\u2026';

  var tbody = document.querySelector('#models tbody');
  var charts = document.getElementById('charts');
  var readyEl = document.getElementById('ready');
  var updatedEl = document.getElementById('updated');
  var errorEl = document.getElementById('error');
  var noModels = document.getElementById('no-models');
  var chartNote = document.getElementById('chart-note');

  var integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

  /** model id -> { row, cells, pin, chartBox, plotEl, plot, points, seeding, states, charted, pinned, lastActive, lastVersion } */
  var models = new Map();
  var polls = 0; // successful polls of the list: the clock of lastActive

  function getJson(path) {
    return fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } }).then(function (r) {
      // /ready answers 503 with a JSON body while the instance is not running
      return r.json().then(function (body) { return { status: r.status, body: body }; },
        function () { throw new Error(path + ': HTTP ' + r.status); });
    });
  }

  function text(el, value) {
    if (el.textContent !== value) {
      el.textContent = value;
    }
  }

  function fixed(value, digits) {
    return typeof value === 'number' && isFinite(value) ? value.toFixed(digits) : '\u2014';
  }

  function count(value) {
    return typeof value === 'number' && isFinite(value) ? integer.format(value) : '\u2014';
  }

  function percent(value) {
    return typeof value === 'number' && isFinite(value) ? (value * 100).toFixed(1) + ' %' : '\u2014';
  }

  function showReady(status, body) {
    var state = body && typeof body.state === 'string' ? body.state : null;
    var ready = !!(body && body.ready === true && status === 200);
    readyEl.className = 'badge ' + (ready ? 'ok' : state === 'REBALANCING' || state === 'CREATED' ? 'wait' : 'bad');
    readyEl.setAttribute('data-ready', String(ready));
    readyEl.setAttribute('data-state', state || '');
    text(readyEl, (ready ? 'ready' : 'not ready') + (state ? ' \u00b7 ' + state : ''));
  }

  function showUnreachable() {
    readyEl.className = 'badge bad';
    readyEl.setAttribute('data-ready', 'false');
    readyEl.setAttribute('data-state', '');
    text(readyEl, 'unreachable');
  }

  var COLUMNS = ['pin', 'id', 'type', 'classes', 'version', 'served', 'examples', 'loss', 'accuracy', 'instance'];
  var NUMERIC = { version: true, served: true, examples: true, loss: true, accuracy: true };

  function createModel(id) {
    var row = document.createElement('tr');
    row.setAttribute('data-model-id', id);
    var cells = {};
    COLUMNS.forEach(function (name) {
      var td = document.createElement('td');
      td.className = name + (NUMERIC[name] ? ' num' : '');
      row.appendChild(td);
      cells[name] = td;
    });
    cells.id.textContent = id;
    var pin = document.createElement('input');
    pin.type = 'checkbox';
    pin.title = 'chart this model (at most ' + MAX_CHARTS + ' charts)';
    pin.setAttribute('aria-label', 'chart ' + id);
    cells.pin.appendChild(pin);

    // chartedVersion: the model version of the chart's last point (-1: none yet); seeding: the
    // server is still reading the model's past, so its history is asked again; states: what the
    // chart showed, in order ('seeding', 'empty', 'plotted'), for tests; lastActive: the poll
    // that saw its version move last (0: not since the page opened)
    var entry = { row: row, cells: cells, pin: pin, chartBox: null, plotEl: null, empty: null, plot: null, points: 0,
      chartedVersion: -1, seeding: false, states: [], charted: false, pinned: false,
      lastActive: polls > 1 ? polls : 0, lastVersion: null };
    pin.addEventListener('change', function () {
      var pinnedNow = 0;
      models.forEach(function (e) { pinnedNow += e.pinned ? 1 : 0; });
      if (pin.checked && pinnedNow >= MAX_CHARTS) {
        pin.checked = false; // no more charts than that: untick another one first
        return;
      }
      entry.pinned = pin.checked;
      chooseCharts(lastList);
    });
    models.set(id, entry);
    return entry;
  }

  // the chart's box, made when the model is first charted
  function chartBoxOf(id, entry) {
    if (entry.chartBox === null) {
      var chartBox = document.createElement('div');
      chartBox.className = 'chart';
      chartBox.setAttribute('data-chart-model', id);
      chartBox.setAttribute('data-points', '0');
      chartBox.setAttribute('data-state', 'loading');
      var title = document.createElement('h3');
      title.textContent = id;
      var plotEl = document.createElement('div');
      plotEl.className = 'plot';
      var empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = 'Loading\u2026';
      chartBox.appendChild(title);
      chartBox.appendChild(empty);
      chartBox.appendChild(plotEl);
      entry.chartBox = chartBox;
      entry.plotEl = plotEl;
      entry.empty = empty;
    }
    return entry.chartBox;
  }

  // a model no longer charted: its chart is dropped, and fetched anew if it is charted again
  function uncharted(entry) {
    if (entry.plot) {
      entry.plot.destroy();
      entry.plot = null;
    }
    if (entry.chartBox) {
      entry.chartBox.remove();
      entry.chartBox = null;
    }
    entry.points = 0;
    entry.chartedVersion = -1;
    entry.seeding = false;
  }

  function chartWidth(entry) {
    return Math.max(200, Math.floor(entry.plotEl.clientWidth || entry.chartBox.clientWidth || 400));
  }

  // the time axis: the points' span, or MIN_SPAN_S around them where they span less. From the
  // data: for a single time uPlot hands over a range of 86,400,000 s (1,000 days), meant as a day
  // in milliseconds
  function timeRange(u, min, max) {
    var xs = u.data && u.data[0];
    if (xs && xs.length > 0) {
      min = xs[0];
      max = xs[xs.length - 1];
    }
    if (min == null || max == null || !isFinite(min) || !isFinite(max)) {
      var now = Date.now() / 1000;
      return [now - MIN_SPAN_S, now];
    }
    if (max - min >= MIN_SPAN_S) {
      return [min, max];
    }
    var middle = (min + max) / 2;
    return [middle - MIN_SPAN_S / 2, middle + MIN_SPAN_S / 2];
  }

  // the loss axis: the values with a tenth of their span either side; one value (or equal
  // ones) gets a tenth of itself either side, at least 0.01; a loss axis does not go below 0
  function lossRange(u, min, max) {
    if (min == null || max == null || !isFinite(min) || !isFinite(max)) {
      return [0, 1];
    }
    var pad = max > min ? (max - min) / 10 : Math.max(Math.abs(max) / 10, 0.01);
    var low = min - pad;
    return [min >= 0 && low < 0 ? 0 : low, max + pad];
  }

  function createPlot(entry, data) {
    var opts = {
      width: chartWidth(entry),
      height: CHART_HEIGHT,
      scales: { x: { time: true, range: timeRange }, y: { range: lossRange } },
      series: [
        {},
        {
          label: 'progressive log loss',
          stroke: '#0969da',
          fill: 'rgba(9, 105, 218, 0.08)',
          width: 1.5,
          points: {
            show: function (u, seriesIdx, idx0, idx1) { return idx1 - idx0 + 1 < MARKERS_BELOW; },
            size: 7,
            fill: '#0969da'
          },
          value: function (u, v) { return v == null ? '\u2014' : v.toFixed(4); }
        }
      ],
      axes: [
        // ticks at least 80 px apart: the date under the first tick does not run into the next time
        { stroke: '#656d76', grid: { stroke: '#eaeef2' }, space: 80 },
        {
          stroke: '#656d76',
          grid: { stroke: '#eaeef2' },
          size: 56,
          values: function (u, splits) { return splits.map(function (v) { return v == null ? '' : v.toFixed(3); }); }
        }
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } }
    };
    entry.plot = new uPlot(opts, data, entry.plotEl);
  }

  function historyData(points) {
    var xs = [];
    var ys = [];
    (points || []).forEach(function (p) {
      if (typeof p.time === 'number') {
        xs.push(p.time / 1000); // uPlot's time scale is in seconds
        ys.push(typeof p.progressive_log_loss === 'number' && isFinite(p.progressive_log_loss)
          ? p.progressive_log_loss : null);
      }
    });
    return [xs, ys];
  }

  function updateRow(entry, m) {
    var c = entry.cells;
    text(c.type, String(m.type == null ? '' : m.type));
    text(c.classes, Array.isArray(m.classes) ? m.classes.join(', ') : '');
    text(c.version, count(m.version));
    text(c.served, m.served_version == null ? '\u2014' : count(m.served_version));
    var lagging = typeof m.served_version === 'number' && typeof m.version === 'number' && m.served_version < m.version;
    c.served.classList.toggle('lag', lagging);
    c.served.title = lagging ? (m.version - m.served_version) + ' update(s) behind training'
      : m.served_version == null ? 'this instance does not score this model' : '';
    text(c.examples, count(m.examples));
    text(c.loss, fixed(m.progressive_log_loss, 4));
    text(c.accuracy, percent(m.progressive_accuracy));
    text(c.instance, String(m.instance == null ? '' : m.instance));
  }

  function updateChart(entry, history) {
    var data = historyData(history.points);
    var state;
    if (data[0].length > 0) {
      if (entry.plot !== null) {
        entry.plot.setData(data);
      } else {
        // created with its first point, when its container has its final width
        createPlot(entry, data);
      }
      state = 'plotted';
    } else {
      // no axes without points: a message instead, which says "no points" only when the server
      // has read the model's past and found none
      if (entry.plot !== null) {
        entry.plot.destroy();
        entry.plot = null;
      }
      state = history.seeding === true ? 'seeding' : 'empty';
      text(entry.empty, state === 'seeding' ? SEEDING_TEXT : EMPTY_TEXT);
    }
    entry.seeding = history.seeding === true;
    entry.points = data[0].length;
    var points = Array.isArray(history.points) ? history.points : [];
    entry.chartedVersion = points.length > 0 ? points[points.length - 1].version : -1;
    entry.empty.hidden = state === 'plotted';
    entry.chartBox.setAttribute('data-points', String(entry.points));
    entry.chartBox.setAttribute('data-state', state);
    if (entry.states[entry.states.length - 1] !== state) {
      entry.states.push(state);
    }
  }

  // complete === false: some partitions' models are moving or being restored, and missing from
  // the list; their rows stay, with their last known values, rather than vanish and come back
  function showModels(list, complete) {
    var seen = new Set();
    list.forEach(function (m, i) {
      var id = String(m.model_id);
      seen.add(id);
      var entry = models.get(id) || createModel(id);
      if (entry.lastVersion !== null && entry.lastVersion !== m.version) {
        entry.lastActive = polls;
      }
      entry.lastVersion = m.version;
      updateRow(entry, m);
      // keep the server's order (sorted by model id), moving nodes only when out of place
      if (tbody.children[i] !== entry.row) {
        tbody.insertBefore(entry.row, tbody.children[i] || null);
      }
    });
    models.forEach(function (entry, id) {
      entry.row.classList.toggle('stale', !seen.has(id));
      if (!seen.has(id) && complete !== false) {
        uncharted(entry);
        entry.row.remove();
        models.delete(id);
      }
    });
    noModels.hidden = models.size > 0;
    chooseCharts(list);
  }

  var lastList = [];

  // The models charted: those ticked, then the others by their last activity (ties: those charted
  // already, then the list's order, so that the charts stay put while nothing changes).
  function chooseCharts(list) {
    lastList = list;
    var listed = [];
    list.forEach(function (m, i) {
      var entry = models.get(String(m.model_id));
      if (entry) {
        listed.push({ id: String(m.model_id), entry: entry, order: i });
      }
    });
    var ranked = listed.slice().sort(function (a, b) {
      return (b.entry.pinned - a.entry.pinned) || (b.entry.lastActive - a.entry.lastActive)
        || (b.entry.charted - a.entry.charted) || (a.order - b.order);
    });
    var chosen = new Set(ranked.slice(0, MAX_CHARTS).map(function (c) { return c.id; }));
    models.forEach(function (entry, id) {
      if (entry.charted && !chosen.has(id)) { // out of the charts, or out of the list while its partition moves
        uncharted(entry);
        entry.charted = false;
        entry.row.setAttribute('data-charted', 'false');
      }
    });
    var position = 0;
    listed.forEach(function (c) {
      var charted = chosen.has(c.id);
      c.entry.charted = charted;
      c.entry.pin.checked = c.entry.pinned;
      c.entry.row.setAttribute('data-charted', String(charted));
      if (charted) {
        var box = chartBoxOf(c.id, c.entry);
        if (charts.children[position] !== box) {
          charts.insertBefore(box, charts.children[position] || null);
        }
        position++;
      }
    });
    chartNote.hidden = listed.length <= MAX_CHARTS;
    text(chartNote, 'Charts of ' + Math.min(listed.length, MAX_CHARTS) + ' of ' + count(listed.length)
      + ' models: those ticked in the table, then the most recently active. The others are in the table.');
  }

  // a model's history gains a point only when its version changes, or when the server reads its
  // past (seeding): idle models cost no request, nor do those without a chart (at most
  // MAX_CHARTS requests a poll)
  function pollHistories(list) {
    return Promise.all(list.filter(function (m) {
      var entry = models.get(String(m.model_id));
      return entry && entry.charted && (m.version !== entry.chartedVersion || entry.seeding);
    }).map(function (m) {
      var id = String(m.model_id);
      return getJson('/models/' + encodeURIComponent(id) + '/history').then(function (r) {
        var entry = models.get(id);
        if (r.status === 200 && entry && entry.charted) {
          updateChart(entry, r.body);
        }
      }, function () { /* the next poll tries again */ });
    }));
  }

  function poll() {
    var ready = getJson('/ready').then(function (r) { showReady(r.status, r.body); }, showUnreachable);
    var listed = getJson('/models').then(function (r) {
      if (r.status !== 200) {
        throw new Error('/models: HTTP ' + r.status);
      }
      var list = Array.isArray(r.body.models) ? r.body.models : [];
      polls++;
      showModels(list, r.body.complete);
      // instances that did not answer, partitions on the move: their models are missing from the list
      var unreachable = Array.isArray(r.body.unreachable) ? r.body.unreachable : [];
      var missing = Array.isArray(r.body.missing_partitions) ? r.body.missing_partitions : [];
      var notes = [];
      if (unreachable.length) {
        notes.push('Models of these instances are missing: ' + unreachable.join('; ') + '.');
      }
      if (missing.length) {
        notes.push('Partitions ' + missing.join(', ') + ' are moving between instances or being restored: '
          + 'their models show their last known values.');
      }
      errorEl.textContent = notes.join(' ');
      errorEl.hidden = notes.length === 0;
      return pollHistories(list);
    }).catch(function (e) {
      errorEl.textContent = 'Could not read the models: ' + e.message;
      errorEl.hidden = false;
    });
    return Promise.all([ready, listed]).then(function () {
      text(updatedEl, 'updated ' + new Date().toLocaleTimeString());
    });
  }

  function loop() {
    poll().then(function () { setTimeout(loop, POLL_MS); });
  }

  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(function () {
      models.forEach(function (entry) {
        if (entry.plot) {
          var w = chartWidth(entry);
          if (w !== entry.plot.width) {
            entry.plot.setSize({ width: w, height: CHART_HEIGHT });
          }
        }
      });
    }).observe(charts);
  }

  // for tests and the curious: what a model's chart currently plots, as [[seconds...], [log loss...]];
  // its uPlot (scales, canvas), or null; what the chart showed in turn
  window.kafkaOlrStatus = {
    plotted: function (id) {
      var entry = models.get(String(id));
      return entry && entry.plot ? [Array.from(entry.plot.data[0]), Array.from(entry.plot.data[1])] : null;
    },
    plot: function (id) {
      var entry = models.get(String(id));
      return entry ? entry.plot : null;
    },
    states: function (id) {
      var entry = models.get(String(id));
      return entry ? entry.states.slice() : null;
    },
    maxCharts: MAX_CHARTS
  };

  loop();
})();
