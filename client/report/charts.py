"""The report's charts as inline SVG, drawn here: no charting library in the page.

Each function returns one <svg> element as text. Every label is escaped; sizes are
fixed, so the page lays out before any script runs.
"""

from __future__ import annotations

import html
import math
from typing import Sequence

from lacuna.client.report.summary import SEVERITIES, GroupSummary, ReportData

SEVERITY_COLORS = {"critical": "#7f1d1d", "major": "#dc2626", "minor": "#f59e0b"}
BAR_COLOR = "#16a34a"
HIST_COLOR = "#2563eb"
MAX_METRIC_CHARTS = 8
MAX_BARS = 12
WIDTH = 460
ROW = 22
LABEL_WIDTH = 150


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(height: int, body: list[str], title: str, chart_id: str) -> str:
    return (f'<svg class="chart" id="{_esc(chart_id)}" role="img" aria-label="{_esc(title)}" width="{WIDTH}" '
            f'height="{height}" viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
            f'<text class="ct" x="0" y="14">{_esc(title)}</text>{"".join(body)}</svg>')


def flags_chart(data: ReportData) -> str:
    """Horizontal stacked bars: flags of each type, split by severity."""
    types = list(data.flag_counts)[:MAX_BARS]
    most = max((sum(data.flag_counts[t].values()) for t in types), default=1) or 1
    span = WIDTH - LABEL_WIDTH - 50
    body, y = [], 28
    for t in types:
        counts = data.flag_counts[t]
        body.append(f'<text class="cl" x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end">'
                    f'<title>{_esc(t)}</title>{_esc(_short(t))}</text>')
        x = LABEL_WIDTH
        for sev in reversed(SEVERITIES):  # minor first, on the left
            n = counts.get(sev, 0)
            if n:
                w = max(1.0, span * n / most)
                body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}" '
                            f'fill="{SEVERITY_COLORS[sev]}"><title>{_esc(t)} · {sev}: {n}</title></rect>')
                x += w
        body.append(f'<text class="cv" x="{x + 4:.1f}" y="{y + 14}">{sum(counts.values())}</text>')
        y += ROW
    x = LABEL_WIDTH
    for sev in reversed(SEVERITIES):
        body.append(f'<rect x="{x}" y="{y + 6}" width="10" height="10" fill="{SEVERITY_COLORS[sev]}"/>'
                    f'<text class="cl" x="{x + 14}" y="{y + 15}">{sev}</text>')
        x += 80
    return _svg(y + 24, body, "Flags by type and severity", "chart-flags")


def pass_rate_chart(groups: Sequence[GroupSummary], title: str, chart_id: str) -> str:
    """Horizontal bars: the share of segments that passed, per group."""
    shown = list(groups)[:MAX_BARS]
    span = WIDTH - LABEL_WIDTH - 60
    body, y = [], 28
    for g in shown:
        w = span * g.pass_rate
        body.append(f'<text class="cl" x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end">'
                    f'<title>{_esc(g.name)}</title>{_esc(_short(g.name))}</text>'
                    f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{span}" height="{ROW - 6}" fill="#e5e7eb"/>'
                    f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}" fill="{BAR_COLOR}">'
                    f'<title>{_esc(g.name)}: {g.passed} of {g.segments} passed</title></rect>'
                    f'<text class="cv" x="{LABEL_WIDTH + span + 4}" y="{y + 14}">{g.pass_rate * 100:.1f}%</text>')
        y += ROW
    if len(groups) > len(shown):
        body.append(f'<text class="cl" x="{LABEL_WIDTH}" y="{y + 14}">… and {len(groups) - len(shown)} more '
                    f'(see the table)</text>')
        y += ROW
    return _svg(y + 8, body, title, chart_id)


def histogram(metric: str, values: Sequence[float], chart_id: str, bins: int = 20) -> str:
    """Segment scores of one metric in `bins` equal bins between the lowest and highest value."""
    low, high = min(values), max(values)
    if high - low < 1e-12:
        high = low + 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / (high - low) * bins))] += 1
    top = max(counts) or 1
    plot_h, left, bottom = 120, 40, 150
    bar_w = (WIDTH - left - 10) / bins
    body = [f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" stroke="#9ca3af"/>',
            f'<text class="cv" x="{left - 4}" y="{bottom - plot_h + 8}" text-anchor="end">{top}</text>']
    for i, n in enumerate(counts):
        h = plot_h * n / top
        a, b = low + (high - low) * i / bins, low + (high - low) * (i + 1) / bins
        body.append(f'<rect x="{left + i * bar_w + 1:.1f}" y="{bottom - h:.1f}" width="{bar_w - 2:.1f}" '
                    f'height="{h:.1f}" fill="{HIST_COLOR}"><title>{_fmt(a)}–{_fmt(b)}: {n}</title></rect>')
    body.append(f'<text class="cv" x="{left}" y="{bottom + 14}">{_fmt(low)}</text>'
                f'<text class="cv" x="{WIDTH - 10}" y="{bottom + 14}" text-anchor="end">{_fmt(high)}</text>')
    return _svg(bottom + 22, body, f"{_short(metric, 40)} per segment ({len(values)})", chart_id)


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.2f}"


def build_charts(data: ReportData) -> list[str]:
    """The charts in the order the page shows them (SVG text each)."""
    charts = []
    if data.flag_counts:
        charts.append(flags_chart(data))
    if data.pairs:
        charts.append(pass_rate_chart(data.pairs, "Pass rate by language pair", "chart-pass"))
    if len(data.files) > 1:
        charts.append(pass_rate_chart(data.files, "Pass rate by file", "chart-pass-files"))
    for i, (metric, values) in enumerate(list(data.distributions.items())[:MAX_METRIC_CHARTS]):
        finite = [v for v in values if math.isfinite(v)]
        if finite:
            charts.append(histogram(metric, finite, f"chart-score-{i}"))
    return charts
