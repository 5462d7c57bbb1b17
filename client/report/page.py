"""The report page: one HTML file with its styles, data, plotly.js and a small script inlined.

Every text from the results is either escaped by Jinja2 (summary tables) or put into
the page with `textContent` from a JSON blob (segment rows), so nothing in a segment
can become markup. The flagged-segment table is drawn page by page from that blob,
which keeps 10,000-segment reports quick to open. The page reads its filters from the
URL hash: `report.html#pair=en%20→%20ja&type=omission&severity=major&page=2`.
"""

from __future__ import annotations

import json

import jinja2

CSS = r"""
:root { --fg:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#f9fafb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK JP", sans-serif;
       color: var(--fg); margin: 0; background: var(--bg); }
header { background: #1f2937; color: #fff; padding: 16px 28px; }
header h1 { margin: 0; font-size: 20px; }
header .meta { color: #d1d5db; font-size: 12px; margin-top: 4px; }
main { padding: 16px 28px 40px; max-width: 1600px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin: 14px 0; }
h2 { font-size: 16px; margin: 0 0 10px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; background: #fff; }
.card .n { font-size: 24px; font-weight: 600; }
.card .l { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.how { color: var(--muted); font-size: 11px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 12px; }
.chart { min-height: 320px; border: 1px solid var(--line); border-radius: 6px; }
.filters { display: flex; gap: 14px; flex-wrap: wrap; align-items: center; margin-bottom: 10px; }
.filters label { font-size: 12px; color: var(--muted); }
.filters select { margin-left: 4px; padding: 3px 4px; max-width: 240px; }
.pager { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
.pager button { padding: 3px 10px; }
#segments td.text { width: 42%; white-space: pre-wrap; word-break: break-word; }
#segments td.meta { width: 16%; font-size: 12px; }
.seg-id { font-weight: 600; word-break: break-all; }
.badge { display: inline-block; border-radius: 4px; padding: 0 5px; margin: 1px 2px 1px 0; font-size: 11px;
         color: #fff; white-space: nowrap; }
.badge.sev-minor { background: #b45309; } .badge.sev-major { background: #dc2626; }
.badge.sev-critical { background: #7f1d1d; } .badge.err { background: #374151; }
mark.hl { border-radius: 2px; padding: 0 1px; background: #fde68a; color: inherit; }
mark.hl.t-omission { background: #fdba74; }
mark.hl.t-addition { background: #fca5a5; }
mark.hl.t-error_span, mark.hl.t-number_mismatch, mark.hl.t-unpaired_mark { background: #c4b5fd; }
mark.hl.sev-critical { outline: 2px solid #7f1d1d; }
.msgs { margin: 4px 0 0; padding-left: 16px; font-size: 12px; color: #374151; }
.ref { color: var(--muted); font-size: 12px; margin-top: 6px; }
.errmsg { color: #7f1d1d; }
.legend mark { margin-right: 8px; }
.empty { color: var(--muted); padding: 12px 0; }
.warnings { border-color: #f59e0b; background: #fffbeb; }
.warning { margin: 4px 0; color: #92400e; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("lacuna-data").textContent);
  var PAGE_SIZE = 50;
  var SEV_RANK = {minor: 1, major: 2, critical: 3};
  var rows = DATA.rows;
  var state = {pair: "", type: "", severity: "", page: 1};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function cssToken(s) { return String(s).replace(/[^A-Za-z0-9_-]/g, "_"); }

  // Text with the given [start, end) code-point spans wrapped in <mark> elements.
  function highlighted(text, spans) {
    var cps = Array.from(text), n = cps.length, cuts = {0: true}, frag = document.createDocumentFragment();
    cuts[n] = true;
    var live = [];
    spans.forEach(function (s) {
      var a = Math.max(0, Math.min(n, s.span[0])), b = Math.max(0, Math.min(n, s.span[1]));
      if (b > a) { live.push({a: a, b: b, flag: s.flag}); cuts[a] = true; cuts[b] = true; }
    });
    var pts = Object.keys(cuts).map(Number).sort(function (x, y) { return x - y; });
    for (var i = 0; i + 1 < pts.length; i++) {
      var a = pts[i], b = pts[i + 1], piece = cps.slice(a, b).join("");
      var cover = live.filter(function (s) { return s.a <= a && s.b >= b; });
      if (!cover.length) { frag.appendChild(document.createTextNode(piece)); continue; }
      cover.sort(function (x, y) { return SEV_RANK[y.flag.s] - SEV_RANK[x.flag.s]; });
      var top = cover[0].flag;
      var m = el("mark", "hl t-" + cssToken(top.t) + " sev-" + cssToken(top.s), piece);
      m.setAttribute("data-flag", top.t);
      m.title = cover.map(function (c) { return c.flag.t + " (" + c.flag.s + "): " + c.flag.m; }).join("\n");
      frag.appendChild(m);
    }
    return frag;
  }

  function matches(row) {
    if (state.pair && row.p !== state.pair) return false;
    if (state.type === "(error)") return !!row.e;
    if (!state.type && !state.severity) return true;
    return row.f.some(function (f) {
      return (!state.type || f.t === state.type) && (!state.severity || f.s === state.severity);
    });
  }

  function rowElement(row) {
    var tr = el("tr", "seg");
    tr.setAttribute("data-id", row.id);
    tr.setAttribute("data-pair", row.p);
    var meta = el("td", "meta");
    meta.appendChild(el("div", "seg-id", row.id));
    meta.appendChild(el("div", "how", row.p + (row.file ? " · " + row.file : "")));
    var badges = el("div");
    row.f.forEach(function (f) { badges.appendChild(el("span", "badge sev-" + cssToken(f.s), f.t + " · " + f.s)); });
    if (row.e) badges.appendChild(el("span", "badge err", "not scored: " + row.e.code));
    meta.appendChild(badges);
    var scores = Object.keys(row.sc);
    if (scores.length) meta.appendChild(el("div", "how", scores.map(function (k) { return k + " " + row.sc[k]; }).join(" · ")));
    if (row.l) meta.appendChild(el("div", "how", Object.keys(row.l).map(function (k) { return k + "=" + row.l[k]; }).join(" ")));
    tr.appendChild(meta);

    var src = el("td", "text src");
    src.appendChild(highlighted(row.src, row.f.filter(function (f) { return f.ss; }).map(function (f) { return {span: f.ss, flag: f}; })));
    tr.appendChild(src);
    var tgt = el("td", "text tgt");
    tgt.appendChild(highlighted(row.tgt, row.f.filter(function (f) { return f.ts; }).map(function (f) { return {span: f.ts, flag: f}; })));
    if (row.ref !== undefined) tgt.appendChild(el("div", "ref", "Reference: " + row.ref));
    var msgs = el("ul", "msgs");
    row.f.forEach(function (f) {
      var conf = (f.c === null || f.c === undefined) ? "" : " [" + Math.round(f.c * 100) + "%]";
      msgs.appendChild(el("li", null, f.t + " (" + f.s + (f.d ? ", " + f.d : "") + ")" + conf + ": " + f.m));
    });
    if (row.e) msgs.appendChild(el("li", "errmsg", row.e.code + " " + row.e.field + ": " + row.e.message));
    tgt.appendChild(msgs);
    tr.appendChild(tgt);
    return tr;
  }

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    state.pair = params.get("pair") || "";
    state.type = params.get("type") || "";
    state.severity = params.get("severity") || "";
    state.page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
  }
  function writeHash() {
    var params = new URLSearchParams();
    ["pair", "type", "severity"].forEach(function (k) { if (state[k]) params.set(k, state[k]); });
    if (state.page > 1) params.set("page", String(state.page));
    var h = params.toString();
    history.replaceState(null, "", h ? "#" + h : location.pathname + location.search);
  }

  function fillSelect(id, values, current) {
    var sel = document.getElementById(id);
    values.forEach(function (v) { var o = el("option", null, v[1]); o.value = v[0]; sel.appendChild(o); });
    sel.value = current;
    if (sel.value !== current) { sel.value = ""; }
    sel.addEventListener("change", function () {
      state[sel.getAttribute("data-key")] = sel.value; state.page = 1; writeHash(); render();
    });
  }

  function render() {
    var shown = rows.filter(matches);
    var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages);
    var body = document.getElementById("segment-rows");
    body.textContent = "";
    var start = (state.page - 1) * PAGE_SIZE;
    shown.slice(start, start + PAGE_SIZE).forEach(function (r) { body.appendChild(rowElement(r)); });
    document.getElementById("shown-count").textContent = String(shown.length);
    document.getElementById("page-info").textContent = "page " + state.page + " of " + pages;
    document.getElementById("prev").disabled = state.page <= 1;
    document.getElementById("next").disabled = state.page >= pages;
    document.getElementById("no-rows").hidden = shown.length > 0;
    document.body.setAttribute("data-rendered", "true");
  }

  readHash();
  fillSelect("f-pair", DATA.pairs.map(function (p) { return [p, p]; }), state.pair);
  fillSelect("f-type", DATA.types.map(function (t) { return [t, t]; }).concat(DATA.has_errors ? [["(error)", "not scored"]] : []), state.type);
  fillSelect("f-severity", [["critical", "critical"], ["major", "major"], ["minor", "minor"]], state.severity);
  state.pair = document.getElementById("f-pair").value;
  state.type = document.getElementById("f-type").value;
  state.severity = document.getElementById("f-severity").value;
  document.getElementById("prev").addEventListener("click", function () { state.page--; writeHash(); render(); });
  document.getElementById("next").addEventListener("click", function () { state.page++; writeHash(); render(); });
  window.addEventListener("hashchange", function () {
    readHash();
    ["pair", "type", "severity"].forEach(function (k) { document.getElementById("f-" + k).value = state[k]; });
    render();
  });
  render();

  if (window.Plotly) {
    DATA.charts.forEach(function (c) {
      try {
        Plotly.newPlot(c.id, c.fig.data, c.fig.layout, {displaylogo: false, responsive: true});
      } catch (err) { document.getElementById(c.id).textContent = "chart failed: " + err; }
    });
  }
})();
"""

TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:">
<title>{{ title }}</title>
<style>{{ css | safe }}</style>
</head>
<body>
<header>
  <h1>{{ title }}</h1>
  <div class="meta">Generated {{ generated }} by Lacuna{% if data.source_files %} · {{ data.source_files | length }} source file{{ "s" if data.source_files | length != 1 }}: {{ data.source_files[:5] | join(", ") }}{% if data.source_files | length > 5 %}, …{% endif %}{% endif %}</div>
</header>
<main>
{% if warnings %}<section id="warnings" class="warnings">{% for w in warnings %}<p class="warning">⚠ {{ w }}</p>{% endfor %}</section>{% endif %}
<section id="summary">
  <h2>Job summary</h2>
  <div class="cards">
    <div class="card"><div class="n" id="stat-segments">{{ data.segments }}</div><div class="l">segments</div></div>
    <div class="card"><div class="n" id="stat-pass-rate">{{ "%.1f" | format(data.pass_rate * 100) }}%</div><div class="l"><span id="stat-passed">{{ data.passed }}</span> passed</div></div>
    <div class="card"><div class="n" id="stat-flagged">{{ data.flagged }}</div><div class="l">segments with flags</div></div>
    <div class="card"><div class="n" id="stat-flags">{{ total_flags }}</div><div class="l">flags</div></div>
    <div class="card"><div class="n" id="stat-errors">{{ data.errors }}</div><div class="l">not scored (errors)</div></div>
  </div>
</section>

<section id="pairs">
  <h2>By language pair</h2>
  <table>
    <thead><tr><th>Language pair</th><th class="num">Segments</th><th class="num">Pass rate</th><th class="num">Flagged</th><th class="num">Errors</th>{% for m in metrics %}<th class="num">{{ m }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for p in data.pairs %}
      <tr class="pair-row" data-pair="{{ p.pair }}"><td>{{ p.pair }}</td><td class="num">{{ p.segments }}</td><td class="num">{{ "%.1f" | format(p.pass_rate * 100) }}%</td><td class="num">{{ p.flagged }}</td><td class="num">{{ p.errors }}</td>
      {% for m in metrics %}{% set s = scores_by_pair[p.pair].get(m) %}<td class="num">{% if s %}<span class="score" data-metric="{{ m }}" data-how="{{ s.how }}" title="{{ s.note }}">{{ "%.2f" | format(s.value) if s.value | abs >= 2 else "%.4f" | format(s.value) }}</span><div class="how">{{ "corpus" if s.how == "corpus" else "mean" }}, {{ s.segments }} seg.</div>{% else %}–{% endif %}</td>{% endfor %}</tr>
    {% endfor %}
    </tbody>
  </table>
  <p class="how">“corpus”: BLEU, chrF and TER computed by sacrebleu over the texts of the segments that have a reference (hover for the signature). “mean”: the mean of the segment scores in the results file.</p>
</section>

<section id="charts-section">
  <h2>Charts</h2>
  <div class="charts">{% for c in charts %}<div class="chart" id="{{ c.id }}"></div>{% endfor %}</div>
</section>

<section id="flag-table">
  <h2>Flags by type and severity</h2>
  {% if data.flag_counts %}
  <table style="max-width:640px">
    <thead><tr><th>Type</th>{% for s in severities %}<th class="num">{{ s }}</th>{% endfor %}<th class="num">total</th></tr></thead>
    <tbody>
    {% for t, counts in data.flag_counts.items() %}
      <tr class="flag-count" data-type="{{ t }}"><td>{{ t }}</td>{% for s in severities %}<td class="num">{{ counts.get(s, 0) }}</td>{% endfor %}<td class="num">{{ counts.values() | sum }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}<p class="empty">No flags.</p>{% endif %}
</section>

<section id="segments-section">
  <h2>Flagged segments, worst first (<span id="shown-count">{{ data.rows | length }}</span> of <span id="total-count">{{ data.rows | length }}</span>)</h2>
  <div class="filters">
    <label>Language pair <select id="f-pair" data-key="pair"><option value="">all</option></select></label>
    <label>Flag type <select id="f-type" data-key="type"><option value="">all</option></select></label>
    <label>Severity <select id="f-severity" data-key="severity"><option value="">all</option></select></label>
    <span class="legend how"><mark class="hl t-omission">omitted in translation</mark><mark class="hl t-addition">added</mark><mark class="hl">other flagged span</mark></span>
  </div>
  <div class="pager"><button id="prev" type="button">‹ previous</button><span id="page-info"></span><button id="next" type="button">next ›</button></div>
  <table id="segments">
    <thead><tr><th>Segment</th><th>Source</th><th>Translation</th></tr></thead>
    <tbody id="segment-rows"></tbody>
  </table>
  <p class="empty" id="no-rows" hidden>No segment matches these filters.</p>
  <noscript><p class="empty">The segment list needs JavaScript.</p></noscript>
</section>
</main>
<script type="application/json" id="lacuna-data">{{ blob | safe }}</script>
<script>{{ plotly_js | safe }}</script>
<script>{{ script | safe }}</script>
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def json_for_script(value) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' survives as such."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_page(**context) -> str:
    return _ENV.from_string(TEMPLATE).render(css=CSS, script=SCRIPT, **context)
