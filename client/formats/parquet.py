"""Parquet: one row per segment, with the JSONL keys as columns (`source`, `translation`,
optional `id`, `reference`, `src_lang`, `tgt_lang`, `labels`). `labels` may be a map, a
struct or a JSON string. Read a row group at a time, so a large file is never held whole."""

from __future__ import annotations

import json
from typing import Iterator

from lacuna.client.formats import InputProblem, ReadOptions, Record
from lacuna.client.formats.jsonl import _record

_COLUMNS = ("id", "source", "translation", "reference", "src_lang", "tgt_lang", "labels")


def _labels(value):
    """A map column arrives as [(key, value), ...], a struct as a dict, a string as JSON."""
    if isinstance(value, list):
        return {str(k): v for k, v in value}
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            return value  # _record names the problem
    return value


def _at_row(item: Record | InputProblem, row: int) -> Record | InputProblem:
    where = f"row {row}"
    if isinstance(item, InputProblem):
        return InputProblem(item.file, where, item.message)
    item.location = where
    return item


def read_parquet(path: str, options: ReadOptions) -> Iterator[Record | InputProblem]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield InputProblem(path, "", "reading Parquet needs pyarrow (pip install 'lacuna[ray]')")
        return
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends
        yield InputProblem(path, "", f"not a readable Parquet file: {exc}")
        return
    present = [c for c in _COLUMNS if c in parquet.schema_arrow.names]
    row = 0
    for batch in parquet.iter_batches(columns=present, batch_size=4096):
        for obj in batch.to_pylist():
            row += 1
            if "labels" in obj:
                obj["labels"] = _labels(obj["labels"])
            obj = {k: v for k, v in obj.items() if v is not None or k in ("source", "translation")}
            yield _at_row(_record(path, row, obj, options), row)
