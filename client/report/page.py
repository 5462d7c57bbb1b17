"""The report page: one HTML file with its styles, charts (inline SVG), data and a small script.

Every text from the results is either escaped by Jinja2 (summary tables, charts) or put into
the page with `textContent` from a JSON blob (segment rows), so nothing in a segment can
become markup. The overview tables and charts are plain HTML and show before any script
runs; the segment data is parsed after the first paint, filtered in memory and drawn one
page of rows at a time, so a 100,000-segment report opens as fast as a small one. Filters
live in the URL hash: `report.html#file=site%2Ffr.xliff&type=omission&q=invoice&label.state=final`
(also `src=en`, `tgt=fr`, as alert links use).
Export writes the rows that match the filters as CSV or XLIFF 1.2 (flags as notes).
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
.scroll { overflow-x: auto; }
.how { color: var(--muted); font-size: 11px; }
.types { font-size: 12px; color: #374151; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: #fff; }
svg .ct { font: 600 13px system-ui, sans-serif; fill: #111827; }
svg .cl, svg .cv { font: 11px system-ui, sans-serif; fill: #374151; }
.filters { display: flex; gap: 10px 14px; flex-wrap: wrap; align-items: center; margin-bottom: 10px; }
.filters label { font-size: 12px; color: var(--muted); }
.filters select, .filters input { margin-left: 4px; padding: 3px 4px; max-width: 240px; }
.filters input[type=search] { width: 240px; }
.tools { display: flex; gap: 8px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
.tools button { padding: 3px 10px; }
.tools .sep { flex: 1; }
#segments td.text { width: 40%; white-space: pre-wrap; word-break: break-word; }
#segments td.meta { width: 20%; font-size: 12px; }
.seg-id { font-weight: 600; word-break: break-all; }
.where { color: #1f2937; font-size: 12px; word-break: break-all; }
.badge { display: inline-block; border-radius: 4px; padding: 0 5px; margin: 1px 2px 1px 0; font-size: 11px;
         color: #fff; white-space: nowrap; }
.badge.sev-minor { background: #b45309; } .badge.sev-major { background: #dc2626; }
.badge.sev-critical { background: #7f1d1d; } .badge.err { background: #374151; }
.chip { display: inline-block; border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; margin: 1px 2px 1px 0;
        font-size: 11px; color: #374151; }
mark.hl { border-radius: 2px; padding: 0 1px; background: #fde68a; color: inherit; }
mark.hl.t-omission { background: #fdba74; }
mark.hl.t-addition { background: #fca5a5; }
mark.hl.t-error_span, mark.hl.t-number_mismatch, mark.hl.t-unpaired_mark { background: #c4b5fd; }
mark.hl.sev-critical { outline: 2px solid #7f1d1d; }
mark.q { background: #bfdbfe; color: inherit; }
.msgs { margin: 4px 0 0; padding-left: 16px; font-size: 12px; color: #374151; }
.ref { color: var(--muted); font-size: 12px; margin-top: 6px; }
.errmsg { color: #7f1d1d; }
.legend mark { margin-right: 8px; }
.empty { color: var(--muted); padding: 12px 0; }
.warnings { border-color: #f59e0b; background: #fffbeb; }
.warning { margin: 4px 0; color: #92400e; }
a.filter-link { color: #1d4ed8; text-decoration: none; } a.filter-link:hover { text-decoration: underline; }
tr.current td { background: #eff6ff; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var PAGE_SIZE = 50;
  var SEV_RANK = {}, PRIORITY = {};  // from lacuna.severity, with the data
  var KEYS = ["pair", "src", "tgt", "file", "type", "severity", "q"];
  var DATA = null, rows = [], shown = [];
  var state = {pair: "", src: "", tgt: "", file: "", type: "", severity: "", q: "", labels: {}, page: 1};

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function cssToken(s) { return String(s).replace(/[^A-Za-z0-9_-]/g, "_"); }
  function where(row) {
    var parts = [];
    if (row.file) parts.push(row.file);
    if (row.u) parts.push("unit " + row.u);
    if (row.ln) parts.push("line " + row.ln);
    return parts.join(" · ");
  }

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

  function haystack(row) {
    if (row._h === undefined) {
      row._h = [row.id, row.u || "", row.file || "", row.src, row.tgt].join("\n").toLowerCase();
    }
    return row._h;
  }

  function matches(row) {
    if (state.pair && row.p !== state.pair) return false;
    if (state.src && row.sl !== state.src) return false;
    if (state.tgt && row.tl !== state.tgt) return false;
    if (state.file && (row.file || "(no file)") !== state.file) return false;
    for (var k in state.labels) {
      if (state.labels[k] && (!row.l || row.l[k] !== state.labels[k])) return false;
    }
    if (state.q && haystack(row).indexOf(state.q.toLowerCase()) < 0) return false;
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
    if (row.file) tr.setAttribute("data-file", row.file);
    var meta = el("td", "meta");
    meta.appendChild(el("div", "seg-id", row.id));
    if (where(row)) meta.appendChild(el("div", "where", where(row)));
    meta.appendChild(el("div", "how", row.p));
    var badges = el("div");
    row.f.forEach(function (f) { badges.appendChild(el("span", "badge sev-" + cssToken(f.s), f.t + " · " + f.s)); });
    if (row.e) badges.appendChild(el("span", "badge err", "not scored: " + row.e.code));
    meta.appendChild(badges);
    var scores = Object.keys(row.sc);
    if (scores.length) meta.appendChild(el("div", "how", scores.map(function (k) { return k + " " + row.sc[k]; }).join(" · ")));
    if (row.l) {
      var chips = el("div", "labels");
      Object.keys(row.l).forEach(function (k) { chips.appendChild(el("span", "chip", k + "=" + row.l[k])); });
      meta.appendChild(chips);
    }
    tr.appendChild(meta);

    var src = el("td", "text src");
    src.appendChild(highlighted(row.src, row.f.filter(function (f) { return f.ss; }).map(function (f) { return {span: f.ss, flag: f}; })));
    tr.appendChild(src);
    var tgt = el("td", "text tgt");
    tgt.appendChild(highlighted(row.tgt, row.f.filter(function (f) { return f.ts; }).map(function (f) { return {span: f.ts, flag: f}; })));
    if (row.ref !== undefined) tgt.appendChild(el("div", "ref", "Reference: " + row.ref));
    var msgs = el("ul", "msgs");
    row.f.forEach(function (f) { msgs.appendChild(el("li", null, flagText(f))); });
    if (row.e) msgs.appendChild(el("li", "errmsg", row.e.code + " " + row.e.field + ": " + row.e.message));
    tgt.appendChild(msgs);
    tr.appendChild(tgt);
    return tr;
  }

  function flagText(f) {
    var conf = (f.c === null || f.c === undefined) ? "" : " [" + Math.round(f.c * 100) + "%]";
    return f.t + " (" + f.s + (f.d ? ", " + f.d : "") + ")" + conf + ": " + f.m;
  }

  // -- the URL hash ---------------------------------------------------------------------------
  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    KEYS.forEach(function (k) { state[k] = params.get(k) || ""; });
    state.labels = {};
    params.forEach(function (v, k) { if (k.indexOf("label.") === 0 && v) state.labels[k.slice(6)] = v; });
    state.page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
  }
  function writeHash() {
    var params = new URLSearchParams();
    KEYS.forEach(function (k) { if (state[k]) params.set(k, state[k]); });
    Object.keys(state.labels).forEach(function (k) { if (state.labels[k]) params.set("label." + k, state.labels[k]); });
    if (state.page > 1) params.set("page", String(state.page));
    var h = params.toString();
    history.replaceState(null, "", h ? "#" + h : location.pathname + location.search);
  }
  function syncControls() {
    ["pair", "file", "type", "severity"].forEach(function (k) {
      var sel = $("f-" + k);
      sel.value = state[k];
      if (sel.value !== state[k]) { state[k] = ""; sel.value = ""; }
    });
    $("f-q").value = state.q;
    Array.prototype.forEach.call(document.querySelectorAll("[data-label]"), function (c) {
      c.value = state.labels[c.getAttribute("data-label")] || "";
    });
    Array.prototype.forEach.call(document.querySelectorAll("tr.file-row"), function (tr) {
      tr.classList.toggle("current", tr.getAttribute("data-file") === state.file);
    });
  }

  function fillSelect(id, values) {
    var sel = $(id);
    values.forEach(function (v) { var o = el("option", null, v[1]); o.value = v[0]; sel.appendChild(o); });
    sel.addEventListener("change", function () {
      state[sel.getAttribute("data-key")] = sel.value; state.page = 1; update();
    });
  }

  function labelControls() {
    var box = $("label-filters");
    Object.keys(DATA.labels).forEach(function (key) {
      var values = DATA.labels[key], label = el("label", null, key + " "), control;
      if (values.length <= DATA.max_label_values) {
        control = el("select");
        var all = el("option", null, "all"); all.value = ""; control.appendChild(all);
        values.forEach(function (v) { var o = el("option", null, v); o.value = v; control.appendChild(o); });
      } else {
        control = el("input"); control.type = "text"; control.placeholder = "exact value";
      }
      control.setAttribute("data-label", key);
      control.addEventListener("change", function () { state.labels[key] = control.value; state.page = 1; update(); });
      label.appendChild(control);
      box.appendChild(label);
    });
  }

  // -- drawing ----------------------------------------------------------------------------------
  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages);
    var body = $("segment-rows");
    body.textContent = "";
    var start = (state.page - 1) * PAGE_SIZE;
    shown.slice(start, start + PAGE_SIZE).forEach(function (r) { body.appendChild(rowElement(r)); });
    $("shown-count").textContent = String(shown.length);
    $("page-info").textContent = "page " + state.page + " of " + pages;
    $("prev").disabled = state.page <= 1;
    $("next").disabled = state.page >= pages;
    $("no-rows").hidden = shown.length > 0;
    document.body.setAttribute("data-rendered", "true");
  }
  function update() {
    shown = rows.filter(matches);
    writeHash();
    syncControls();
    render();
  }

  // -- export ---------------------------------------------------------------------------------
  function spanText(text, span) { return Array.from(text).slice(span[0], span[1]).join(""); }
  function passages(row, key, text) {
    return row.f.filter(function (f) { return f[key]; }).map(function (f) { return spanText(text, f[key]); }).join(" | ");
  }
  function csvCell(value) {
    var s = value === undefined || value === null ? "" : String(value);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function toCsv(list) {
    var head = ["id", "file", "unit_id", "line", "src_lang", "tgt_lang", "passed", "flags", "messages",
                "source", "translation", "flagged_source", "flagged_translation", "labels"];
    var lines = [head.join(",")];
    list.forEach(function (r) {
      var flags = r.f.map(function (f) { return f.t + "/" + f.s; });
      var msgs = r.f.map(flagText);
      if (r.e) { flags.push("error/" + r.e.code); msgs.push(r.e.code + ": " + r.e.message); }
      var labels = r.l ? Object.keys(r.l).map(function (k) { return k + "=" + r.l[k]; }).join("; ") : "";
      lines.push([r.id, r.file || "", r.u || "", r.ln || "", r.sl, r.tl, r.ok ? "true" : "false", flags.join("; "),
                  msgs.join(" | "), r.src, r.tgt, passages(r, "ss", r.src), passages(r, "ts", r.tgt), labels]
                 .map(csvCell).join(","));
    });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }
  function xml(s) {
    return String(s).replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\ud800-\udbff\udc00-\udfff]/g, "")
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function toXliff(list) {
    var groups = {}, order = [];
    list.forEach(function (r) {
      var key = [r.file || "lacuna", r.sl, r.tl].join("\u0000");
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(r);
    });
    var out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'];
    order.forEach(function (key) {
      var first = groups[key][0], used = {};
      out.push('<file original="' + xml(first.file || "lacuna") + '" source-language="' + xml(first.sl || "und") +
               '" target-language="' + xml(first.tl || "und") + '" datatype="plaintext" tool-id="lacuna">');
      out.push('<header><tool tool-id="lacuna" tool-name="Lacuna"/></header><body>');
      groups[key].forEach(function (r) {
        var id = r.u && !used[r.u] ? r.u : r.id;
        used[id] = true;
        out.push('<trans-unit id="' + xml(id) + '" resname="' + xml(r.id) + '">');
        out.push("<source>" + xml(r.src) + "</source>");
        out.push('<target state="needs-review-translation">' + xml(r.tgt) + "</target>");
        r.f.forEach(function (f) {
          var text = flagText(f), src = f.ss ? spanText(r.src, f.ss) : "", tgt = f.ts ? spanText(r.tgt, f.ts) : "";
          if (src) text += " — source: \u201c" + src + "\u201d";
          if (tgt) text += " — translation: \u201c" + tgt + "\u201d";
          out.push('<note from="lacuna" priority="' + (PRIORITY[f.s] || 3) + '">' + xml(text) + "</note>");
        });
        if (r.e) out.push('<note from="lacuna" priority="1">' + xml("not scored: " + r.e.code + " " + r.e.message) + "</note>");
        if (r.ln) out.push('<note from="lacuna" priority="10">' + xml(where(r)) + "</note>");
        out.push("</trans-unit>");
      });
      out.push("</body></file>");
    });
    out.push("</xliff>");
    return out.join("\n") + "\n";
  }
  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], {type: type}));
    var a = el("a"); a.href = url; a.download = name; document.body.appendChild(a); a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  // -- start: after the first paint, so the overview shows at once --------------------------
  function start() {
    DATA = JSON.parse($("lacuna-data").textContent);
    rows = DATA.rows;
    SEV_RANK = DATA.severity_rank;
    DATA.severities.forEach(function (s, i) { PRIORITY[s] = i + 1; });  // XLIFF note priority: 1 = most severe
    rows.forEach(function (r) { r.p = (r.sl || "?") + " \u2192 " + (r.tl || "?"); });  // as the overview names pairs
    readHash();
    fillSelect("f-pair", DATA.pairs.map(function (p) { return [p, p]; }));
    fillSelect("f-file", DATA.files.map(function (f) { return [f, f]; }));
    fillSelect("f-type", DATA.types.map(function (t) { return [t, t]; }).concat(DATA.has_errors ? [["(error)", "not scored"]] : []));
    fillSelect("f-severity", DATA.severities.map(function (s) { return [s, s]; }));
    labelControls();
    var timer = null;
    $("f-q").addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.q = $("f-q").value; state.page = 1; update(); }, 150);
    });
    $("prev").addEventListener("click", function () { state.page--; writeHash(); render(); });
    $("next").addEventListener("click", function () { state.page++; writeHash(); render(); });
    $("clear").addEventListener("click", function () {
      KEYS.forEach(function (k) { state[k] = ""; }); state.labels = {}; state.page = 1; update();
    });
    $("export-csv").addEventListener("click", function () { download("lacuna-flagged.csv", "text/csv;charset=utf-8", toCsv(shown)); });
    $("export-xliff").addEventListener("click", function () { download("lacuna-flagged.xlf", "application/x-xliff+xml", toXliff(shown)); });
    window.addEventListener("hashchange", function () { readHash(); update(); });
    update();
  }
  window.lacunaExport = {csv: function () { return toCsv(shown); }, xliff: function () { return toXliff(shown); }};
  // A large job's rows are parsed after the first paint, so the overview shows at once.
  if ($("lacuna-data").textContent.length < 1000000) start();
  else requestAnimationFrame(function () { setTimeout(start, 0); });
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

{% macro overview(groups, kind, key) %}
  <div class="scroll"><table id="{{ kind }}-table">
    <thead><tr><th>{{ "Language pair" if kind == "pairs" else "File" }}</th><th class="num">Segments</th><th class="num">Pass rate</th><th class="num">Flagged</th><th class="num">Errors</th>{% for s in severities %}<th class="num">{{ s }}</th>{% endfor %}<th>Flags by type</th>{% for m in data.metrics %}<th class="num">{{ m }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for g in groups %}
      <tr class="{{ key }}-row" data-{{ key }}="{{ g.name }}"><td><a class="filter-link" href="#{{ key }}={{ g.name | urlencode }}">{{ g.name }}</a></td><td class="num">{{ g.segments }}</td><td class="num">{{ "%.1f" | format(g.pass_rate * 100) }}%</td><td class="num">{{ g.flagged }}</td><td class="num">{{ g.errors }}</td>
      {% for s in severities %}<td class="num sev" data-severity="{{ s }}">{{ g.by_severity.get(s, 0) }}</td>{% endfor %}
      <td class="types">{% for t, n in g.by_type.most_common() %}<span class="chip" data-type="{{ t }}">{{ t }} {{ n }}</span>{% endfor %}</td>
      {% for m in data.metrics %}{% set s = g.score_map.get(m) %}<td class="num">{% if s %}<span class="score" data-metric="{{ m }}" data-how="{{ s.how }}" title="{{ s.note }}">{{ "%.2f" | format(s.value) if s.value | abs >= 2 else "%.4f" | format(s.value) }}</span><div class="how">{{ s.how }}, {{ s.segments }} seg.</div>{% else %}–{% endif %}</td>{% endfor %}</tr>
    {% endfor %}
    </tbody>
  </table></div>
{% endmacro %}

<section id="pairs">
  <h2>By language pair</h2>
  {{ overview(data.pairs, "pairs", "pair") }}
</section>

<section id="files">
  <h2>By file</h2>
  {{ overview(data.files, "files", "file") }}
  <p class="how">“corpus”: BLEU, chrF and TER computed by sacrebleu over the texts of the segments that have a reference (hover for the signature; a file with several target languages shows means). “mean”: the mean of the segment scores. Click a pair or a file to list its flagged segments.</p>
</section>

<section id="charts-section">
  <h2>Charts</h2>
  <div class="charts">{% for c in charts %}{{ c | safe }}{% endfor %}</div>
</section>

<section id="flag-table">
  <h2>Flags by type and severity</h2>
  {% if data.flag_counts %}
  <table style="max-width:640px">
    <thead><tr><th>Type</th>{% for s in severities %}<th class="num">{{ s }}</th>{% endfor %}<th class="num">total</th></tr></thead>
    <tbody>
    {% for t, counts in data.flag_counts.items() %}
      <tr class="flag-count" data-type="{{ t }}"><td><a class="filter-link" href="#type={{ t | urlencode }}">{{ t }}</a></td>{% for s in severities %}<td class="num">{{ counts.get(s, 0) }}</td>{% endfor %}<td class="num">{{ counts.values() | sum }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}<p class="empty">No flags.</p>{% endif %}
</section>

<section id="segments-section">
  <h2>Flagged segments, worst first (<span id="shown-count">{{ data.rows | length }}</span> of <span id="total-count">{{ data.rows | length }}</span>)</h2>
  <div class="filters">
    <label>Search <input id="f-q" type="search" placeholder="source, translation, id, unit, file"></label>
    <label>Language pair <select id="f-pair" data-key="pair"><option value="">all</option></select></label>
    <label>File <select id="f-file" data-key="file"><option value="">all</option></select></label>
    <label>Flag type <select id="f-type" data-key="type"><option value="">all</option></select></label>
    <label>Severity <select id="f-severity" data-key="severity"><option value="">all</option></select></label>
    <span id="label-filters" class="filters"></span>
    <button id="clear" type="button">clear filters</button>
  </div>
  <div class="tools"><button id="prev" type="button">‹ previous</button><span id="page-info"></span><button id="next" type="button">next ›</button>
    <span class="sep"></span><span class="legend how"><mark class="hl t-omission">omitted in translation</mark><mark class="hl t-addition">added</mark><mark class="hl">other flagged span</mark></span>
    <button id="export-csv" type="button" title="the segments that match the filters, as CSV">Export CSV</button>
    <button id="export-xliff" type="button" title="the segments that match the filters, as XLIFF 1.2 with the flags as notes">Export XLIFF</button></div>
  <table id="segments">
    <thead><tr><th>Segment</th><th>Source</th><th>Translation</th></tr></thead>
    <tbody id="segment-rows"></tbody>
  </table>
  <p class="empty" id="no-rows" hidden>No segment matches these filters.</p>
  <noscript><p class="empty">The segment list needs JavaScript.</p></noscript>
</section>
</main>
<script type="application/json" id="lacuna-data">{{ blob | safe }}</script>
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
