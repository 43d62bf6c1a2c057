/**
 * The Control Center: one self-contained page (no external assets) that reads govd's own API.
 * Status, a memory chart with the actions marked on it, the history and the config; the
 * config can be edited with the API token pasted once (kept in the browser's localStorage).
 */
export function renderControlCenter(): string {
  return PAGE;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gov Control Center</title>
<style>
  :root { --bg: #0f1419; --panel: #182029; --line: #2a3541; --text: #dce3ea; --dim: #8a99a8; --used: #e8735a; --cache: #4fa3e0; --avail: #5cc48a; --act: #f2c14e; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--text); }
  header { display: flex; align-items: baseline; gap: 16px; padding: 14px 24px; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { color: var(--dim); }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 24px; }
  section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--dim); margin: 0 0 10px; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 10px; }
  .card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
  .card .label { color: var(--dim); font-size: 12px; }
  .card .value { font-size: 20px; font-variant-numeric: tabular-nums; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  td.reason { white-space: normal; color: var(--dim); }
  th { color: var(--dim); font-weight: 500; }
  pre, textarea { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
  pre { margin: 0; overflow: auto; max-height: 360px; }
  textarea { width: 100%; min-height: 260px; background: var(--bg); color: var(--text); border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
  input { background: var(--bg); color: var(--text); border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; width: 100%; }
  button { background: var(--cache); color: #0b1218; border: 0; border-radius: 6px; padding: 6px 14px; font-weight: 600; cursor: pointer; }
  .row { display: flex; gap: 8px; margin-top: 8px; align-items: center; }
  .ok { color: var(--avail); } .bad { color: var(--used); } .dim { color: var(--dim); }
  .legend span { margin-right: 14px; } .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
  svg text { fill: var(--dim); font-size: 11px; }
</style>
</head>
<body>
<header><h1>gov Control Center</h1><span class="meta" id="meta">connecting…</span></header>
<main>
  <section class="wide"><h2>Status</h2><div class="cards" id="cards"></div><p class="dim" id="decision"></p></section>
  <section class="wide"><h2>Memory over time</h2>
    <div class="legend"><span><i style="background:var(--used)"></i>Linux used</span><span><i style="background:var(--cache)"></i>cached</span><span><i style="background:var(--avail)"></i>available</span><span><i style="background:var(--act)"></i>action</span></div>
    <svg id="chart" viewBox="0 0 960 260" width="100%" height="260" role="img" aria-label="memory chart"></svg>
  </section>
  <section class="wide"><h2>History</h2><table><thead><tr><th>time</th><th>kind</th><th>policy / method</th><th>freed</th><th>dry run</th><th>reason</th></tr></thead><tbody id="history"></tbody></table></section>
  <section><h2>Config</h2><p class="dim" id="config-path"></p><pre id="config"></pre></section>
  <section><h2>Edit config</h2>
    <textarea id="config-edit" spellcheck="false"></textarea>
    <div class="row"><input id="token" type="password" placeholder="API token (state_dir/token)"><button id="save">Apply</button></div>
    <p id="save-result" class="dim"></p>
  </section>
</main>
<script>
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  function bytes(n) {
    if (n === null || n === undefined || !isFinite(n)) return '—';
    var v = Math.abs(n), u = 0;
    while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
    return (n < 0 ? '-' : '') + (u === 0 ? v + ' B' : v.toFixed(u >= 3 ? 2 : 0) + ' ' + UNITS[u]);
  }
  function text(tag, value, cls) { var el = document.createElement(tag); el.textContent = value; if (cls) el.className = cls; return el; }
  function card(label, value) { var el = document.createElement('div'); el.className = 'card'; el.appendChild(text('div', label, 'label')); el.appendChild(text('div', value, 'value')); return el; }
  function getJson(path) { return fetch(path, { cache: 'no-store' }).then(function (r) { return r.json(); }); }

  function renderStatus(s) {
    var snap = s.snapshot || {}, linux = snap.linux || {}, host = snap.host || {};
    $('meta').textContent = 'policy ' + s.policy + (s.dryRun ? ' (dry run)' : '') + ' · ' + (snap.environment || '?') + ' · up ' + Math.round(s.uptimeMs / 1000) + ' s · ' + s.ticks + ' ticks';
    var cards = $('cards'); cards.textContent = '';
    cards.appendChild(card('Linux total', bytes(linux.total)));
    cards.appendChild(card('Linux used', bytes(linux.used)));
    cards.appendChild(card('cached', bytes(linux.cached)));
    cards.appendChild(card('reclaimable', bytes(linux.reclaimable)));
    cards.appendChild(card('available', bytes(linux.available)));
    cards.appendChild(card('host available', host.total ? Math.round(100 * host.available / host.total) + ' %' : '—'));
    cards.appendChild(card('PSI some avg10', snap.pressure ? snap.pressure.some.avg10.toFixed(2) : '—'));
    cards.appendChild(card('telemetry held', s.telemetry ? bytes(s.telemetry.totalBytes) : '—'));
    var d = s.lastDecision;
    var degraded = (snap.degraded || []).map(function (x) { return x.source + ' (' + x.code + ')'; }).join(', ');
    $('decision').textContent = (d ? 'last decision: ' + d.kind + ' — ' + d.reason : 'no decision yet') + (degraded ? ' · degraded: ' + degraded : '');
  }

  function renderChart(t, history) {
    var svg = $('chart'), W = 960, H = 260, L = 64, R = 10, T = 10, B = 24;
    var pts = t.snapshots || [];
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var NS = 'http://www.w3.org/2000/svg';
    function el(name, attrs) { var e = document.createElementNS(NS, name); for (var k in attrs) e.setAttribute(k, attrs[k]); svg.appendChild(e); return e; }
    if (pts.length < 2) { var m = el('text', { x: L, y: H / 2 }); m.textContent = 'collecting samples…'; return; }
    var t0 = Date.parse(pts[0].at), t1 = Date.parse(pts[pts.length - 1].at), span = Math.max(1, t1 - t0);
    var max = 0; pts.forEach(function (p) { max = Math.max(max, p.total || 0, p.used || 0, p.cached || 0, p.available || 0); });
    max = max || 1;
    var x = function (at) { return L + (W - L - R) * (Date.parse(at) - t0) / span; };
    var y = function (v) { return T + (H - T - B) * (1 - v / max); };
    for (var i = 0; i <= 4; i++) {
      var gy = T + (H - T - B) * i / 4;
      el('line', { x1: L, x2: W - R, y1: gy, y2: gy, stroke: '#2a3541' });
      el('text', { x: 4, y: gy + 4 }).textContent = bytes(max * (1 - i / 4));
    }
    el('text', { x: L, y: H - 6 }).textContent = new Date(t0).toLocaleTimeString();
    el('text', { x: W - R - 60, y: H - 6 }).textContent = new Date(t1).toLocaleTimeString();
    (history || []).forEach(function (r) {
      if (!r.at || (r.kind !== 'reclaim' && r.kind !== 'pause-idle-containers' && r.kind !== 'reclaim-idle-pods')) return;
      var at = Date.parse(r.at); if (at < t0 || at > t1) return;
      el('line', { x1: x(r.at), x2: x(r.at), y1: T, y2: H - B, stroke: '#f2c14e', 'stroke-dasharray': '3 3' });
    });
    [['used', '#e8735a'], ['cached', '#4fa3e0'], ['available', '#5cc48a']].forEach(function (s) {
      var d = pts.filter(function (p) { return p[s[0]] !== null && p[s[0]] !== undefined; }).map(function (p, i) { return (i ? 'L' : 'M') + x(p.at).toFixed(1) + ' ' + y(p[s[0]]).toFixed(1); }).join(' ');
      if (d) el('path', { d: d, fill: 'none', stroke: s[1], 'stroke-width': 2 });
    });
  }

  function renderHistory(h) {
    var body = $('history'); body.textContent = '';
    var records = (h.records || []).slice().reverse().slice(0, 50);
    if (!records.length) { var tr0 = document.createElement('tr'); tr0.appendChild(text('td', 'no history yet', 'dim')); body.appendChild(tr0); return; }
    records.forEach(function (r) {
      var tr = document.createElement('tr');
      tr.appendChild(text('td', r.at ? new Date(r.at).toLocaleString() : '—'));
      tr.appendChild(text('td', r.kind || '—'));
      tr.appendChild(text('td', [r.policy, r.method].filter(Boolean).join(' / ') || '—'));
      tr.appendChild(text('td', r.freedBytes === undefined || r.freedBytes === null || r.dryRun ? '—' : bytes(r.freedBytes)));
      tr.appendChild(text('td', r.dryRun ? 'yes' : ''));
      tr.appendChild(text('td', r.reason || r.message || r.note || '', 'reason'));
      body.appendChild(tr);
    });
  }

  var editing = false;
  function renderConfig(c) {
    $('config-path').textContent = c.path ? 'file: ' + c.path : 'built-in defaults (no config file)';
    $('config').textContent = JSON.stringify(c.config, null, 2);
    if (!editing) $('config-edit').value = JSON.stringify(c.config, null, 2);
  }
  $('config-edit').addEventListener('focus', function () { editing = true; });
  $('token').value = localStorage.getItem('govd-token') || '';
  $('save').addEventListener('click', function () {
    var token = $('token').value.trim();
    localStorage.setItem('govd-token', token);
    fetch('/api/config', { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: $('config-edit').value })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        var out = $('save-result');
        if (res.ok) { out.className = 'ok'; out.textContent = 'applied and saved to ' + res.body.path; editing = false; refresh(); }
        else { out.className = 'bad'; out.textContent = res.body.error.message; }
      });
  });

  function refresh() {
    Promise.all([getJson('/api/status'), getJson('/api/telemetry'), getJson('/api/history?limit=500'), getJson('/api/config')])
      .then(function (all) { renderStatus(all[0]); renderChart(all[1], all[2].records); renderHistory(all[2]); renderConfig(all[3]); })
      .catch(function (e) { $('meta').textContent = 'govd does not answer: ' + e.message; });
  }
  refresh();
  setInterval(refresh, 5000);
})();
</script>
</body>
</html>
`;
