"""JSON Lines: one object per line with `source`, `translation` and optional `id`,
`reference`, `src_lang`, `tgt_lang`, `labels`. Blank lines are ignored."""

from __future__ import annotations

import json
from typing import Iterator

from lacuna.client.formats import InputProblem, ReadOptions, Record, id_name, pick_language

_TEXT_KEYS = ("source", "translation")
_OPTIONAL_STRINGS = ("reference", "src_lang", "tgt_lang")


def _record(path: str, lineno: int, obj, options: ReadOptions, name: str = "") -> Record | InputProblem:
    where = f"line {lineno}"
    if not isinstance(obj, dict):
        return InputProblem(path, where, f"expected a JSON object, got {type(obj).__name__}")
    for key in _TEXT_KEYS:
        if key not in obj:
            return InputProblem(path, where, f"missing key {key!r}")
        if not isinstance(obj[key], str):
            return InputProblem(path, where, f"{key!r} must be a string, not {type(obj[key]).__name__}")
    for key in _OPTIONAL_STRINGS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return InputProblem(path, where, f"{key!r} must be a string, not {type(obj[key]).__name__}")
    seg_id = obj.get("id")
    if seg_id is None or seg_id == "":
        seg_id = f"{name or path}:{lineno}"
    elif isinstance(seg_id, (str, int)) and not isinstance(seg_id, bool):
        seg_id = str(seg_id)
    else:
        return InputProblem(path, where, f"'id' must be a string or an integer, not {type(seg_id).__name__}")
    labels = obj.get("labels") or {}
    if not isinstance(labels, dict):
        return InputProblem(path, where, f"'labels' must be an object, not {type(labels).__name__}")
    return Record(
        id=seg_id, source=obj["source"], translation=obj["translation"],
        src_lang=pick_language(obj.get("src_lang"), options.src_lang, None),
        tgt_lang=pick_language(obj.get("tgt_lang"), options.tgt_lang, None),
        source_file=path, location=where, reference=obj.get("reference"),
        labels={str(k): str(v) for k, v in labels.items()},
        unit_id=str(obj["id"]) if obj.get("id") not in (None, "") else "", line=lineno,
    )


def read_jsonl(path: str, options: ReadOptions) -> Iterator[Record | InputProblem]:
    name = id_name(path, options.base)
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield InputProblem(path, f"line {lineno}", f"not valid JSON: {exc.msg} (column {exc.colno})")
                continue
            yield _record(path, lineno, obj, options, name)
