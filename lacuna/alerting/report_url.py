"""Where an alert points the team: a report URL they can open.

`lacuna score --report-url TEMPLATE` names where the job's report will be published
(object storage, a CI artifact, an internal site). The template may use `{job}` (the job
name), `{report}` (the file name of `--html`) and `{date}` (UTC, YYYY-MM-DD), each
URL-quoted. Each alert's link adds the report's filters for the alert's group
(`#pair=en%20%E2%86%92%20fr`, `#tgt=fr`, `#label.project=web`), so it opens on the segments that fired.
"""

from __future__ import annotations

import datetime as dt
import os
import string
import urllib.parse
from typing import Mapping

FIELDS = ("job", "report", "date")


class ReportUrlError(ValueError):
    """A --report-url template that names an unknown field or is not a URL."""


def expand(template: str, job: str | None, report_path: str | None, today: dt.date | None = None) -> str:
    """The template with its fields filled in; ReportUrlError for an unknown field or a non-URL."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    values = {"job": job or "", "report": os.path.basename(report_path or "") or "report.html",
              "date": today.isoformat()}
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ReportUrlError(f"--report-url {template!r}: {exc}") from None
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise ReportUrlError(f"--report-url {template!r}: unknown field {{{unknown[0]}}} "
                             f"(fields: {', '.join('{' + f + '}' for f in FIELDS)})")
    url = template.format(**{k: urllib.parse.quote(v, safe="") for k, v in values.items()})
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ReportUrlError(f"--report-url {template!r}: must be an http:// or https:// URL the team can open")
    return url


def group_filters(group: Mapping[str, str]) -> dict[str, str]:
    """The report's URL filters that show an alert's group."""
    out = {}
    for key, value in group.items():
        if key == "lang_pair" and "-" in value:
            src, _, tgt = value.partition("-")
            out["pair"] = f"{src} → {tgt}"
        elif key in ("src_lang", "tgt_lang"):
            out[key[:3]] = value
        elif key.startswith("labels."):
            out["label." + key[len("labels."):]] = value
    return out


def link_for(base: str | None, group: Mapping[str, str]) -> str | None:
    """`base` with the group's filters as its fragment (a base that has a fragment is kept)."""
    if not base or "#" in base or not base.startswith(("http://", "https://")):
        return base
    filters = group_filters(group)
    return base + ("#" + urllib.parse.urlencode(filters, quote_via=urllib.parse.quote) if filters else "")
