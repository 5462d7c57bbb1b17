"""`lacuna report results.jsonl -o report.html`."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from lacuna.client.report.summary import RecordsError, load_records
from lacuna.client.signatures import conflict_messages
from lacuna.client.report.write import write_report


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lacuna report",
        description="Turn a results file (lacuna score --output results.jsonl) into one self-contained HTML "
                    "page: summary, corpus scores per language pair, charts, and every flagged segment.")
    parser.add_argument("results", nargs="+", help="results JSONL file(s); several are reported together")
    parser.add_argument("-o", "--output", default=None,
                        help="HTML file to write (default: the first results file with .html)")
    parser.add_argument("--title", default=None, help="page title (default: from the output file name)")
    parser.add_argument("--summary", default=None, metavar="SUMMARY.json",
                        help="the job's lacuna score --summary file: its warnings (results from servers with "
                             "different signatures) go at the top of the page")
    return parser


def _summary_warnings(path: str) -> list[str]:
    """The warnings a `lacuna score --summary` file carries (ValueError if it is not one)."""
    summary = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    if not isinstance(summary, dict):
        raise ValueError("not a summary (expected a JSON object)")
    return conflict_messages(summary.get("signature_conflicts") or [])


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    records: list[dict] = []
    try:
        for path in args.results:
            records.extend(load_records(path))
    except RecordsError as exc:
        print(f"lacuna report: {exc}", file=sys.stderr)
        return 2
    out = pathlib.Path(args.output) if args.output else pathlib.Path(args.results[0]).with_suffix(".html")
    try:
        warnings = _summary_warnings(args.summary) if args.summary else []
    except (OSError, ValueError) as exc:
        print(f"lacuna report: --summary {args.summary}: {exc}", file=sys.stderr)
        return 2
    try:
        path = write_report(records, out, args.title, warnings=warnings)
    except OSError as exc:
        print(f"lacuna report: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    flagged = sum(1 for r in records if r.get("flags"))
    print(f"wrote {path} ({len(records)} segments, {flagged} flagged, {path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
