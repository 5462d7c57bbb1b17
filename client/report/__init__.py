"""Self-contained HTML reports of scored jobs.

    lacuna report results.jsonl -o report.html
    from lacuna.client.report import write_report; write_report(records, "report.html")
"""

from lacuna.client.report.cli import main
from lacuna.client.report.summary import RecordsError, load_records, summarize
from lacuna.client.report.write import write_report

__all__ = ["RecordsError", "load_records", "main", "summarize", "write_report"]
