// Spindle metrics dashboard: run list, summary cards and uPlot charts that follow the run live over SSE.
// All chart points come from the service (GET /api/runs/{run}/series and the SSE 'points' events), so the
// numbers here are the ones the REST API answers. window.spindle.snapshot() exposes what the charts hold.
(function () {
  'use strict';

  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  const STEP_METRICS = new Set(['loss', 'eval_loss', 'lr', 'grad_norm', 'tokens_per_s', 'mfu', 'data_wait_pct']);

  // Each chart: x axis (step or time) and its lines. per: 'avg' merges workers into one line per x,
  // 'series' draws one line per worker/drafter.
  const CHARTS = [
    { id: 'loss', title: 'Loss', hint: 'train loss per step, raw and smoothed (EMA); eval loss on held-out data', x: 'step',
      lines: [{ metric: 'loss', per: 'avg', label: 'train', smooth: true }, { metric: 'eval_loss', per: 'avg', label: 'eval', color: '#ff7f0e', points: true }] },
    { id: 'lr', title: 'Learning rate', hint: 'warmup + cosine schedule', x: 'step', lines: [{ metric: 'lr', per: 'avg', label: 'lr', color: '#9467bd' }] },
    { id: 'grad_norm', title: 'Gradient norm', hint: 'global L2 norm before clipping', x: 'step',
      lines: [{ metric: 'grad_norm', per: 'avg', label: 'grad norm', color: '#8c564b', smooth: true }] },
    { id: 'tokens_per_s', title: 'Throughput (tokens/s)', hint: 'per trainer replica', x: 'step', lines: [{ metric: 'tokens_per_s', per: 'series' }] },
    { id: 'mfu', title: 'MFU (%)', hint: 'model FLOPs utilisation per replica', x: 'step', lines: [{ metric: 'mfu', per: 'series', scale: 100 }] },
    { id: 'data_wait_pct', title: 'Data wait (%)', hint: 'share of step time waiting for the next batch', x: 'step',
      lines: [{ metric: 'data_wait_pct', per: 'series' }] },
    { id: 'idle_harvest', title: 'Idle vs harvested (s)', hint: 'cumulative idle seconds per worker, and the seconds the drafter trained in them', x: 'time',
      lines: [{ metric: 'idle_s', per: 'series', prefix: 'idle ', stepped: true }, { metric: 'harvested_s', per: 'series', prefix: 'harvested ', stepped: true, dash: true }] },
    { id: 'accept_length', title: 'Speculative decoding', hint: 'accept length (tokens per verification) and speed-up vs target-only', x: 'time',
      lines: [{ metric: 'accept_length', per: 'series', prefix: 'accept length ' }, { metric: 'speedup', per: 'series', prefix: 'speed-up ', dash: true }] },
  ];
  const METRICS = [...new Set(CHARTS.flatMap(c => c.lines.map(l => l.metric)))];

  const state = { run: null, source: null, points: {}, summary: null, charts: {}, dirty: false, smoothing: 0.6 };

  const $ = id => document.getElementById(id);
  const fmt = (v, digits = 3) => v === null || v === undefined || Number.isNaN(v) ? '–'
    : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US')
    : v !== 0 && Math.abs(v) < 0.01 ? Number(v).toExponential(digits - 1)
    : Number(Number(v).toPrecision(digits)).toString();

  // ---- points -------------------------------------------------------------------------------------
  function resetPoints() {
    state.points = {};
    METRICS.forEach(m => { state.points[m] = new Map(); });
  }

  // Keyed by x, so a point fetched and also pushed over SSE is kept once.
  function addPoint(metric, p) {
    const byMetric = state.points[metric];
    if (!byMetric) return;
    let line = byMetric.get(p.series);
    if (!line) { line = new Map(); byMetric.set(p.series, line); }
    const x = STEP_METRICS.has(metric) && p.step !== null && p.step !== undefined ? p.step : p.t / 1000;
    line.set(x, p.v);
    state.dirty = true;
  }

  function linesOf(spec) {
    const byMetric = state.points[spec.metric];
    const scale = spec.scale || 1;
    if (spec.per === 'avg') {
      const sums = new Map();
      byMetric.forEach(line => line.forEach((v, x) => {
        const s = sums.get(x) || [0, 0];
        s[0] += v; s[1] += 1; sums.set(x, s);
      }));
      if (sums.size === 0) return [];
      return [{ label: spec.label, xy: [...sums].map(([x, s]) => [x, scale * s[0] / s[1]]).sort((a, b) => a[0] - b[0]) }];
    }
    return [...byMetric.keys()].sort().map(series => ({
      label: (spec.prefix || '') + series,
      xy: [...byMetric.get(series)].map(([x, v]) => [x, scale * v]).sort((a, b) => a[0] - b[0]),
    }));
  }

  // TensorBoard's smoothing: an exponential moving average with debiasing.
  function smooth(xy, weight) {
    let last = 0, n = 0;
    return xy.map(([x, y]) => {
      last = last * weight + (1 - weight) * y; n += 1;
      return [x, weight > 0 ? last / (1 - Math.pow(weight, n)) : y];
    });
  }

  // ---- charts -------------------------------------------------------------------------------------
  function buildCharts() {
    const host = $('charts');
    host.innerHTML = '';
    state.charts = {};
    CHARTS.forEach(spec => {
      const box = document.createElement('div');
      box.className = 'chart';
      box.id = 'chart-' + spec.id;
      box.innerHTML = `<h2>${spec.title}</h2><p class="hint">${spec.hint}</p><div class="plot"><div class="empty">no data yet</div></div>`;
      host.appendChild(box);
      state.charts[spec.id] = { spec, box, plot: null, key: '', labels: [], data: [[]] };
    });
  }

  function render() {
    if (!state.dirty) return;
    state.dirty = false;
    Object.values(state.charts).forEach(renderChart);
  }

  function renderChart(chart) {
    const { spec } = chart;
    const lines = [];
    spec.lines.forEach(l => linesOf(l).forEach((line, i) => {
      const color = l.color || PALETTE[(lines.length + i) % PALETTE.length];
      if (l.smooth) {
        lines.push({ ...line, label: line.label + ' (raw)', stroke: color + '55', width: 1 });
        lines.push({ label: line.label + ' (smoothed)', xy: smooth(line.xy, state.smoothing), stroke: color, width: 2 });
      } else {
        lines.push({ ...line, stroke: color, width: 1.6, stepped: l.stepped, dash: l.dash, points: l.points });
      }
    }));
    if (lines.length === 0) return;

    const xs = [...new Set(lines.flatMap(l => l.xy.map(p => p[0])))].sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    const data = [xs];
    lines.forEach(l => {
      const ys = new Array(xs.length).fill(null);
      l.xy.forEach(([x, y]) => { ys[index.get(x)] = y; });
      data.push(ys);
    });
    chart.labels = lines.map(l => l.label);
    chart.data = data;

    const key = chart.labels.join('|');
    if (chart.plot && chart.key === key) {
      chart.plot.setData(data);
      return;
    }
    if (chart.plot) chart.plot.destroy();
    const target = chart.box.querySelector('.plot');
    target.innerHTML = '';
    chart.key = key;
    chart.plot = new uPlot({
      width: Math.max(300, target.clientWidth || chart.box.clientWidth - 20),
      height: 230,
      scales: { x: { time: spec.x === 'time' } },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { label: spec.x === 'step' ? 'step' : '', stroke: '#57606a', grid: { stroke: '#eef0f2' }, ticks: { stroke: '#eef0f2' } },
        { stroke: '#57606a', grid: { stroke: '#eef0f2' }, ticks: { stroke: '#eef0f2' }, size: 64,
          values: (u, vals) => vals.map(v => fmt(v, 3)) },
      ],
      series: [{ label: spec.x }].concat(lines.map(l => ({
        label: l.label, stroke: l.stroke, width: l.width, spanGaps: true,
        dash: l.dash ? [6, 4] : undefined,
        paths: l.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
        points: { show: !!l.points, size: 5 },
        value: (u, v) => fmt(v, 4),
      }))),
    }, data, target);
  }

  // ---- summary cards --------------------------------------------------------------------------------
  function renderCards() {
    const s = state.summary;
    if (!s) { $('cards').innerHTML = ''; return; }
    const cards = [
      ['Step', fmt(s.latestStep), `${fmt(s.steps)} step reports`],
      ['Loss', fmt(s.latestLoss, 4), `from ${fmt(s.firstLoss, 4)}`],
      ['Eval loss', fmt(s.latestEvalLoss, 4), s.latestEvalStep ? `at step ${s.latestEvalStep}` : 'no eval yet'],
      ['Tokens/s', fmt(s.tokensPerS), `${Object.keys(s.workers || {}).length} worker(s)`],
      ['MFU', fmt(100 * s.mfu, 3) + '%', 'mean over workers'],
      ['Data wait', fmt(s.dataWaitPct, 3) + '%', 'of step time'],
      ['Tokens', fmt(s.tokensSeen), 'trained'],
      ['Idle', fmt(s.idleMs / 1000) + ' s', 'closed intervals'],
      ['Harvested', fmt(s.harvestedMs / 1000) + ' s', `${fmt(s.harvestPct, 3)}% of idle`],
      ['Accept length', fmt(s.acceptLength), 'tokens per verification'],
      ['Speed-up', fmt(s.speedup) + '×', 'vs target-only decoding'],
    ];
    $('cards').innerHTML = cards.map(([label, value, sub]) =>
      `<div class="card"><div class="label">${label}</div><div class="value">${value}</div><div class="sub">${sub}</div></div>`).join('');
    $('updated').textContent = s.updatedAt ? 'last event ' + new Date(s.updatedAt).toLocaleTimeString() : '';
  }

  // ---- runs -----------------------------------------------------------------------------------------
  async function refreshRuns() {
    try {
      const runs = await (await fetch('/api/runs')).json();
      const list = $('runs');
      if (runs.length === 0) { list.innerHTML = '<li class="muted">no runs yet</li>'; return; }
      list.innerHTML = '';
      runs.sort((a, b) => b.updatedAt - a.updatedAt).forEach(r => {
        const li = document.createElement('li');
        li.className = r.run === state.run ? 'selected' : '';
        li.innerHTML = `<span class="name"></span><span class="meta">step ${fmt(r.latestStep)} · loss ${fmt(r.latestLoss, 4)}</span>`;
        li.querySelector('.name').textContent = r.run;
        li.onclick = () => select(r.run);
        list.appendChild(li);
      });
      if (!state.run) select(runs[0].run);
    } catch (e) { /* the service restarts or rebalances: the next refresh tries again */ }
  }

  async function select(run) {
    if (state.source) state.source.close();
    state.run = run;
    state.summary = null;
    resetPoints();
    buildCharts();
    $('run-title').textContent = run;
    history.replaceState(null, '', '?run=' + encodeURIComponent(run));
    refreshRuns();

    // Listen first, then fetch the history: points pushed meanwhile are merged (keyed by x), none are lost.
    const source = new EventSource('/api/runs/' + encodeURIComponent(run) + '/events');
    state.source = source;
    source.addEventListener('points', e => {
      const msg = JSON.parse(e.data);
      Object.entries(msg.points).forEach(([metric, ps]) => ps.forEach(p => addPoint(metric, p)));
    });
    source.addEventListener('summary', e => { state.summary = JSON.parse(e.data); renderCards(); });
    source.onopen = () => { $('live').className = 'live on'; $('live').textContent = 'live'; };
    source.onerror = () => { $('live').className = 'live off'; $('live').textContent = 'reconnecting'; };

    const base = '/api/runs/' + encodeURIComponent(run);
    const [summary, ...series] = await Promise.all([fetch(base).then(r => r.ok ? r.json() : null)]
      .concat(METRICS.map(m => fetch(`${base}/series?metric=${m}`).then(r => r.ok ? r.json() : { points: [] }))));
    if (state.run !== run) return;
    if (summary && (!state.summary || summary.updatedAt >= state.summary.updatedAt)) state.summary = summary;
    series.forEach((s, i) => s.points.forEach(p => addPoint(METRICS[i], p)));
    state.loaded = true;
    renderCards();
    render();
  }

  // ---- wiring ---------------------------------------------------------------------------------------
  $('smoothing').addEventListener('input', e => {
    state.smoothing = Number(e.target.value);
    $('smoothing-value').textContent = state.smoothing.toFixed(2);
    state.dirty = true;
  });
  window.addEventListener('resize', () => {
    Object.values(state.charts).forEach(c => {
      if (c.plot) c.plot.setSize({ width: c.box.querySelector('.plot').clientWidth, height: 230 });
    });
  });
  setInterval(render, 250);         // redraw at most 4×/s, however fast points arrive
  setInterval(refreshRuns, 5000);

  // For tests and the curious: what each chart holds right now (labels and uPlot's aligned data).
  window.spindle = {
    snapshot: () => ({
      run: state.run,
      loaded: !!state.loaded,
      live: $('live').textContent,
      charts: Object.fromEntries(Object.entries(state.charts).map(([id, c]) => [id, { labels: c.labels, data: c.data }])),
    }),
  };

  const wanted = new URLSearchParams(location.search).get('run');
  if (wanted) select(wanted); else refreshRuns();
})();
