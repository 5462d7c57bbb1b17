"""write_report(records, out_path): the summary, the charts and the page, into one HTML file."""

from __future__ import annotations

import datetime as dt
import os
import pathlib

from lacuna.client.report.charts import build_charts
from lacuna.client.report.consistency import add_section
from lacuna.client.report.page import json_for_script, render_page
from lacuna.client.report.summary import MAX_LABEL_VALUES, SEVERITIES, ReportData, summarize
from lacuna.severity import SEVERITY_RANK


def render_report(data: ReportData, title: str, warnings: list[str] | None = None) -> str:
    blob = {"rows": data.rows, "pairs": [p.name for p in data.pairs], "files": [f.name for f in data.files],
            "types": list(data.flag_counts), "labels": data.labels, "max_label_values": MAX_LABEL_VALUES,
            "has_errors": data.errors > 0, "severities": list(SEVERITIES), "severity_rank": SEVERITY_RANK}
    return render_page(
        title=title, warnings=list(warnings or []), data=data, severities=SEVERITIES, charts=build_charts(data),
        total_flags=sum(sum(c.values()) for c in data.flag_counts.values()),
        generated=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        blob=json_for_script(blob))


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
