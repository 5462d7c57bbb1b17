"""The results file: one line per segment, written as results arrive, and resumable.

Each line (JSONL) is the protobuf JSON form of the `SegmentResult` plus `src_lang`,
`tgt_lang`, `source_file`, `source`, `translation`, `reference` (only when the
segment had one) and `labels`. `--format-out csv` writes the same record as CSV:
one column per metric, flags as readable text and as JSON, so a spreadsheet can
open it and a rerun can read it back.

Resume: `load_existing` reads what a previous run wrote, drops a last line that
was cut short (a killed client), and truncates the file to its complete lines,
so appending again yields every segment exactly once.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import IO

from lacuna.client.formats import Record

FIXED_CSV_COLUMNS = ("id", "source_file", "src_lang", "tgt_lang", "passed")
TAIL_CSV_COLUMNS = ("flags", "error_code", "error_field", "error_message",
                    "source", "translation", "reference", "labels", "flags_json")


class ResultsFileError(Exception):
    """An existing output file that cannot be resumed (wrong format, foreign columns), or
    one that another run is writing."""


class OutputLock:
    """An exclusive lock on the results file for the whole job, so two runs never append to
    the same file (that would write segments twice). The OS drops it when the process dies,
    even on SIGKILL. Where fcntl is missing (Windows) it only opens the file."""

    def __init__(self, path: str):
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> "OutputLock":
        f = open(self.path, "a", encoding="utf-8")  # creates it; never truncates
        try:
            import fcntl
        except ImportError:
            self._file = f
            return self
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            raise ResultsFileError("another lacuna score is writing it; wait for it or choose another "
                                   "--output") from None
        self._file = f
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def result_record(result_json: dict, record: Record) -> dict:
    """The line written for one segment: the result's JSON form plus where it came from."""
    out = dict(result_json)
    out["src_lang"] = record.src_lang
    out["tgt_lang"] = record.tgt_lang
    out["source_file"] = record.source_file
    out["source"] = record.source
    out["translation"] = record.translation
    if record.reference is not None:
        out["reference"] = record.reference
    out["labels"] = dict(record.labels)
    if record.unit_id:
        out["unit_id"] = record.unit_id
    if record.line is not None:
        out["line"] = record.line
    return out


# -- CSV form ------------------------------------------------------------------------------

def csv_columns(metrics: list[str]) -> list[str]:
    return [*FIXED_CSV_COLUMNS, *metrics, *TAIL_CSV_COLUMNS]


def _flags_text(flags: list[dict]) -> str:
    return "; ".join(f"{f.get('type')}/{f.get('severity')}" for f in flags)


def to_csv_row(rec: dict, metrics: list[str]) -> list[str]:
    scores = rec.get("scores") or {}
    error = rec.get("error") or {}
    row = [rec["id"], rec.get("source_file", ""), rec.get("src_lang", ""), rec.get("tgt_lang", ""),
           "true" if rec.get("passed") else "false"]
    row += ["" if m not in scores else repr(float(scores[m])) for m in metrics]
    row += [_flags_text(rec.get("flags") or []), error.get("code", ""), error.get("field", ""),
            error.get("message", ""), rec.get("source", ""), rec.get("translation", ""),
            rec.get("reference") if rec.get("reference") is not None else "",
            json.dumps(rec.get("labels") or {}, ensure_ascii=False),
            json.dumps(rec.get("flags") or [], ensure_ascii=False)]
    return row


def from_csv_row(row: dict) -> dict:
    scores = {}
    for key, value in row.items():
        if key not in FIXED_CSV_COLUMNS and key not in TAIL_CSV_COLUMNS and value != "":
            scores[key] = float(value)
    rec = {"id": row["id"], "scores": scores, "flags": json.loads(row["flags_json"] or "[]"),
           "passed": row["passed"] == "true"}
    if row["error_code"]:
        rec["error"] = {"code": row["error_code"], "field": row["error_field"], "message": row["error_message"]}
    rec.update(src_lang=row["src_lang"], tgt_lang=row["tgt_lang"], source_file=row["source_file"],
               source=row["source"], translation=row["translation"])
    if row["reference"]:
        rec["reference"] = row["reference"]
    rec["labels"] = json.loads(row["labels"] or "{}")
    return rec


def _csv_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


# -- reading back --------------------------------------------------------------------------

def _load_jsonl(text: str) -> tuple[list[dict], int]:
    """Records of the complete lines; a last line without its newline was cut short by a kill.
    A complete line that is not a record means this is not a results file: never truncated."""
    records, pos = [], 0
    while pos < len(text):
        end = text.find("\n", pos)
        if end < 0:
            break
        line = text[pos:end]
        if line.strip():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                rec = None
            if not isinstance(rec, dict) or "id" not in rec:
                lineno = text.count("\n", 0, pos) + 1
                raise ResultsFileError(f"line {lineno} is not a results record (a --format-out csv file, "
                                       "or not written by lacuna score?)")
            records.append(rec)
        pos = end + 1
    return records, pos


def _load_csv(text: str, columns: list[str]) -> tuple[list[dict], int]:
    """Rows whose re-serialised form matches the file byte for byte; stops at the first that does not."""
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows)
    except StopIteration:
        return [], 0
    header_line = _csv_line(header)
    if not text.startswith(header_line):
        if "\n" in text:
            raise ResultsFileError("its first line is not a lacuna score CSV header (a JSONL results file?)")
        return [], 0  # the header itself was cut short
    if header != columns:
        raise ResultsFileError(f"its columns ({', '.join(header)}) differ from this run's "
                               f"({', '.join(columns)}); use the same --metrics or a new --output")
    pos, records = len(header_line), []
    for row in rows:
        line = _csv_line(row)
        if len(row) != len(header) or text[pos:pos + len(line)] != line:
            break
        records.append(from_csv_row(dict(zip(header, row))))
        pos += len(line)
    if len(list(csv.reader(io.StringIO(text[pos:], newline="")))) > 1:  # more than one cut-short row
        raise ResultsFileError(f"row {len(records) + 2} is not as lacuna score wrote it (edited in a "
                               "spreadsheet?); resume from a copy it wrote, or use a new --output")
    return records, pos


def load_existing(path: str, fmt: str, columns: list[str] | None = None) -> list[dict]:
    """Records already in `path` (none if it does not exist); truncates a cut-short tail."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    if fmt == "csv":
        records, good = _load_csv(text, columns or [])
    else:
        records, good = _load_jsonl(text)
    good_bytes = len(text[:good].encode("utf-8"))
    if good_bytes != os.path.getsize(path):
        with open(path, "r+b") as f:
            f.truncate(good_bytes)
    return records


# -- writing -------------------------------------------------------------------------------

class ResultsWriter:
    """Appends one line per result and flushes it, so a killed run loses at most one line."""

    def __init__(self, path: str, fmt: str = "jsonl", metrics: list[str] | None = None):
        self.fmt = fmt
        self.metrics = list(metrics or [])
        new = not os.path.exists(path) or os.path.getsize(path) == 0
        self._file: IO[str] = open(path, "a", encoding="utf-8", newline="")
        if fmt == "csv" and new:
            self._file.write(_csv_line(csv_columns(self.metrics)))
            self._file.flush()

    def write(self, rec: dict) -> None:
        if self.fmt == "csv":
            line = _csv_line(to_csv_row(rec, self.metrics))
        else:
            line = json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._file.write(line)
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "ResultsWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
