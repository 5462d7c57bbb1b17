"""TSV and CSV, with a header row. Column names are configurable (--source-column, ...);
languages come from --src-lang/--tgt-lang unless the file has src_lang/tgt_lang columns.

A file whose first row names none of the columns asked for (the default names) and has at least
two fields is read without a header, with a warning: the first column is the source, the second
the translation (Magento and other `"source","translation"` files)."""

from __future__ import annotations

import csv
from typing import Iterator

from lacuna.client.formats import (InputProblem, InputWarning, ReadOptions, Record, UniqueIds, id_name,
                                   pick_language)


def read_delimited(path: str, options: ReadOptions, delimiter: str) -> Iterator[Record | InputProblem]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            yield InputProblem(path, "", "empty file: a header row is required")
            return
        except csv.Error as exc:
            yield InputProblem(path, "line 1", f"cannot parse the header: {exc}")
            return
        columns = {name.strip(): i for i, name in enumerate(header)}
        headerless = _headerless(columns, header, options)
        if headerless:
            yield InputWarning(path, "line 1", "no header row: column 1 read as the source, column 2 as the "
                                               "translation")
            columns = {options.source_column: 0, options.translation_column: 1}
        required = [("--source-column", options.source_column), ("--translation-column", options.translation_column)]
        for flag, name in required:
            if name not in columns:
                yield InputProblem(path, "line 1", f"missing column {name!r} (header has: "
                                   f"{', '.join(repr(h) for h in header)}; choose another with {flag})")
                return

        def cell(row: list[str], name: str) -> str | None:
            i = columns.get(name)
            return row[i] if i is not None and i < len(row) else None

        lineno = 1  # the line the next record starts on
        name = id_name(path, options.base)
        unique = UniqueIds(path)
        pending = [header] if headerless else []
        while True:
            start = 1 if pending else reader.line_num + 1
            try:
                row = pending.pop() if pending else next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield InputProblem(path, f"line {start}", f"cannot parse: {exc}")
                return
            lineno = start
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header) and not headerless:
                yield InputProblem(path, f"line {lineno}",
                                   f"{len(row)} fields, the header has {len(header)}")
                continue
            if headerless and len(row) < 2:
                yield InputProblem(path, f"line {lineno}", f"{len(row)} field(s), need a source and a translation")
                continue
            seg_id, warning = unique(cell(row, options.id_column) or f"{name}:{lineno}", f"line {lineno}")
            if warning is not None:
                yield warning
            reference = cell(row, options.reference_column)
            yield Record(
                id=seg_id, source=cell(row, options.source_column) or "",
                translation=cell(row, options.translation_column) or "",
                src_lang=pick_language(cell(row, options.src_lang_column), options.src_lang, None),
                tgt_lang=pick_language(cell(row, options.tgt_lang_column), options.tgt_lang, None),
                source_file=path, location=f"line {lineno}",
                reference=reference if reference else None,
                unit_id=cell(row, options.id_column) or "", line=lineno,
            )


def _headerless(columns: dict[str, int], header: list[str], options: ReadOptions) -> bool:
    """True when the first row is data: it names neither text column and the defaults are asked for."""
    defaults = options.source_column == "source" and options.translation_column == "translation"
    return defaults and len(header) >= 2 and options.source_column not in columns \
        and options.translation_column not in columns
