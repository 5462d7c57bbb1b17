"""write_report(records, out_path): the summary, the charts and the page, into one HTML file."""

from __future__ import annotations

import datetime as dt
import os
import pathlib

from plotly.offline import get_plotlyjs

from lacuna.client.report.charts import build_charts
from lacuna.client.report.consistency import add_section
from lacuna.client.report.page import json_for_script, render_page
from lacuna.client.report.summary import REFERENCE_METRICS, SEVERITIES, ReportData, summarize


def _plotly_js() -> str:
    js = get_plotlyjs()
    # An inline script ends at the first "</script"; plotly.min.js has none, but make sure.
    return js.replace("</script", "<\\/script")


def render_report(data: ReportData, title: str, warnings: list[str] | None = None) -> str:
    present = {s.metric for p in data.pairs for s in p.scores}
    metrics = [m for m in REFERENCE_METRICS if m in present] + sorted(present - set(REFERENCE_METRICS))
    charts = build_charts(data)
    types = list(data.flag_counts)
    blob = {"rows": data.rows, "pairs": [p.pair for p in data.pairs], "types": types,
            "has_errors": data.errors > 0, "charts": charts}
    return render_page(
        title=title, warnings=list(warnings or []), data=data, metrics=metrics, severities=SEVERITIES, charts=charts,
        scores_by_pair={p.pair: {s.metric: s for s in p.scores} for p in data.pairs},
        total_flags=sum(sum(c.values()) for c in data.flag_counts.values()),
        generated=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        blob=json_for_script(blob), plotly_js=_plotly_js())


def write_report(records: list[dict], out_path: str | os.PathLike, title: str | None = None,
                 warnings: list[str] | None = None) -> pathlib.Path:
    """Write a self-contained HTML report of `records` (lines of a results file); returns its path.
    `warnings` (e.g. results from servers with different signatures) are shown at the top."""
    data = summarize(records)
    out = pathlib.Path(out_path)
    if title is None:
        title = f"Lacuna report: {out.stem}"
    html = render_report(data, title, warnings)
    html = add_section(html, records)  # inconsistent translations side by side
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)
    return out
