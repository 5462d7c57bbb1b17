"""The report's charts as plotly figures (drawn in the page by the inlined plotly.js)."""

from __future__ import annotations

import html
import json

import plotly.graph_objects as go
import plotly.io as pio

from lacuna.client.report.summary import SEVERITIES, ReportData

SEVERITY_COLORS = {"critical": "#7f1d1d", "major": "#dc2626", "minor": "#f59e0b"}
PAIR_COLORS = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#4d7c0f", "#6b7280"]
MAX_METRIC_CHARTS = 8


def label(text: str, limit: int = 0) -> str:
    """Text for plotly, which reads a subset of HTML in labels: escape it, and shorten if asked."""
    text = str(text)
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=False)


def _short_labels(names: list[str], limit: int = 24) -> list[str]:
    out: list[str] = []
    for name in names:
        short = label(name, limit)
        while short in out:  # two long names cut to the same text stay apart
            short += "·"
        out.append(short)
    return out


def _layout(title: str, **extra) -> dict:
    return dict(title={"text": title, "x": 0.01, "font": {"size": 15}}, height=320,
                margin={"l": 50, "r": 20, "t": 50, "b": 50}, template="plotly_white",
                legend={"orientation": "h", "y": -0.2}, **extra)


def flags_chart(data: ReportData) -> go.Figure:
    types = list(data.flag_counts)
    names = _short_labels(types)
    fig = go.Figure()
    for sev in reversed(SEVERITIES):  # minor at the bottom of each stack
        fig.add_bar(name=sev, x=names, y=[data.flag_counts[t].get(sev, 0) for t in types],
                    marker_color=SEVERITY_COLORS[sev])
    fig.update_layout(**_layout("Flags by type and severity", barmode="stack", yaxis_title="flags"))
    fig.update_xaxes(automargin=True)
    return fig


def pass_rate_chart(data: ReportData) -> go.Figure:
    pairs = _short_labels([p.pair for p in data.pairs], 40)
    fig = go.Figure()
    fig.add_bar(x=pairs, y=[round(p.pass_rate * 100, 1) for p in data.pairs], marker_color="#16a34a",
                text=[f"{p.pass_rate * 100:.1f}%" for p in data.pairs], textposition="auto",
                customdata=[[p.passed, p.segments] for p in data.pairs],
                hovertemplate="%{x}: %{customdata[0]} of %{customdata[1]} passed<extra></extra>")
    fig.update_layout(**_layout("Pass rate by language pair", yaxis={"title": "% passed", "range": [0, 100]}))
    return fig


def score_chart(metric: str, by_pair: dict[str, list[float]]) -> go.Figure:
    fig = go.Figure()
    for i, (pair, values) in enumerate(sorted(by_pair.items())):
        fig.add_histogram(x=values, name=label(pair, 40), opacity=0.65, nbinsx=30,
                          marker_color=PAIR_COLORS[i % len(PAIR_COLORS)])
    fig.update_layout(**_layout(f"{label(metric, 40)} per segment", barmode="overlay", xaxis_title=label(metric, 40),
                                yaxis_title="segments"))
    return fig


def build_charts(data: ReportData) -> list[dict]:
    """[{"id": div id, "fig": plotly JSON}] in the order the page shows them."""
    figures = []
    if data.flag_counts:
        figures.append(("chart-flags", flags_chart(data)))
    if data.pairs:
        figures.append(("chart-pass", pass_rate_chart(data)))
    for metric in list(data.distributions)[:MAX_METRIC_CHARTS]:
        figures.append((f"chart-score-{len(figures)}", score_chart(metric, data.distributions[metric])))
    return [{"id": div, "fig": json.loads(pio.to_json(fig, validate=False))} for div, fig in figures]
