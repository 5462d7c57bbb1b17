"""Results as Parquet, for large jobs: a directory of part files, each written whole.

`--output results.parquet` (or `--format-out parquet`) makes `results.parquet/` a
directory that Spark, DuckDB, pandas and Ray read as one table. Every row is one
segment's result record (the same record as a JSONL line) with typed columns for
querying: `id`, `source_file`, `src_lang`, `tgt_lang`, `passed`, `replica`,
`error_code`, one float column per metric, `flag_count`, and `record`, the full
record as JSON (what a rerun and `lacuna report` read back).

A part is written to a hidden temporary name and renamed into place, so a killed job
leaves only complete parts; a rerun reads their ids and scores only what is missing.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Iterator

PART_PREFIX = "part-"
PART_SUFFIX = ".parquet"
LOCK_NAME = ".lacuna.lock"


def is_parquet_output(path: str, fmt: str | None) -> bool:
    return fmt == "parquet" or (fmt is None and path.lower().rstrip("/").endswith((".parquet", ".pq")))


def _parts(directory: str) -> list[str]:
    if not os.path.isdir(directory):
        return []
    return sorted(os.path.join(directory, n) for n in os.listdir(directory)
                  if n.startswith(PART_PREFIX) and n.endswith(PART_SUFFIX))


def read_records(directory: str) -> Iterator[dict]:
    """Every record in the parts already written (none if the directory does not exist)."""
    import pyarrow.parquet as pq

    for path in _parts(directory):
        for batch in pq.ParquetFile(path).iter_batches(columns=["record"]):
            for text in batch.column(0).to_pylist():
                yield json.loads(text)


def clear(directory: str) -> None:
    """--fresh: remove the parts (and leftovers of killed writes), keep the directory."""
    for name in os.listdir(directory):
        if name.startswith((PART_PREFIX, ".tmp-")):
            os.remove(os.path.join(directory, name))


class ParquetResultsWriter:
    """Buffers records and writes a part every `rows_per_part` rows or `seconds` seconds."""

    def __init__(self, directory: str, metrics: list[str], rows_per_part: int = 5000, seconds: float = 60.0):
        os.makedirs(directory, exist_ok=True)
        self.directory, self.metrics = directory, list(metrics)
        self.rows_per_part, self.seconds = rows_per_part, seconds
        self._buffer: list[dict] = []
        self._since = time.monotonic()
        self.parts_written = 0

    def write(self, rec: dict) -> None:
        self._buffer.append(rec)
        if len(self._buffer) >= self.rows_per_part or time.monotonic() - self._since >= self.seconds:
            self.flush()

    def _table(self, records: list[dict]):
        import pyarrow as pa

        scores = [r.get("scores") or {} for r in records]
        columns = {
            "id": pa.array([r["id"] for r in records], pa.string()),
            "source_file": pa.array([r.get("source_file", "") for r in records], pa.string()),
            "src_lang": pa.array([r.get("src_lang", "") for r in records], pa.string()),
            "tgt_lang": pa.array([r.get("tgt_lang", "") for r in records], pa.string()),
            "passed": pa.array([bool(r.get("passed")) for r in records], pa.bool_()),
            "replica": pa.array([r.get("replica", "") for r in records], pa.string()),
            "error_code": pa.array([(r.get("error") or {}).get("code", "") for r in records], pa.string()),
            **{m: pa.array([s.get(m) for s in scores], pa.float64()) for m in self.metrics},
            "flag_count": pa.array([len(r.get("flags") or []) for r in records], pa.int32()),
            "record": pa.array([json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records],
                               pa.string()),
        }
        return pa.table(columns)

    def flush(self) -> None:
        """Write what is buffered as one part: a temporary file renamed into place."""
        import pyarrow.parquet as pq

        self._since = time.monotonic()
        if not self._buffer:
            return
        name = f"{PART_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:12]}{PART_SUFFIX}"
        tmp = os.path.join(self.directory, f".tmp-{name}")
        pq.write_table(self._table(self._buffer), tmp, compression="zstd")
        os.replace(tmp, os.path.join(self.directory, name))
        self._buffer = []
        self.parts_written += 1

    def close(self) -> None:
        self.flush()
