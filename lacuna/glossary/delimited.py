"""CSV/TSV glossaries: a header row, then one entry a row.

| column (any case) | meaning |
| --- | --- |
| `source` (or `source_term`, `term`) | the source term; several separated by `|` |
| `target` (or `target_term`, `translation`) | approved target term(s), `|`-separated; may be empty for a do-not-translate row |
| `forbidden` | target terms that must not be used, `|`-separated |
| `pos` (or `part_of_speech`) | noun, verb, ... |
| `case_sensitive` (or `case`) | yes/no; empty: decided per term (acronyms and `iPhone`-like terms are) |
| `do_not_translate` (or `dnt`) | yes: the source term must appear unchanged in the translation |
| `src_lang`, `tgt_lang` | the languages the row applies to; empty: any |

Other columns (notes, domains) are ignored.
"""

from __future__ import annotations

import csv

from lacuna.glossary import GlossaryEntry, GlossaryError, language_base

COLUMNS = {
    "source": ("source", "source_term", "term", "src"),
    "target": ("target", "target_term", "translation", "tgt"),
    "forbidden": ("forbidden", "forbidden_terms", "forbidden_target"),
    "pos": ("pos", "part_of_speech"),
    "case": ("case_sensitive", "case"),
    "dnt": ("do_not_translate", "dnt"),
    "src_lang": ("src_lang", "source_lang", "source_language"),
    "tgt_lang": ("tgt_lang", "target_lang", "target_language"),
}
TRUE = {"1", "yes", "y", "true", "x"}
FALSE = {"0", "no", "n", "false", ""}


def split_terms(cell: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in (cell or "").split("|") if t.strip()))


def _flag(cell: str, where: str, column: str) -> bool:
    value = (cell or "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise GlossaryError(f"{where}: {column}: expected yes or no, not {cell!r}")


def _header(row: list[str], path: str) -> dict[str, int]:
    names = [c.strip().lower().lstrip("\ufeff") for c in row]
    found = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[key] = names.index(alias)
                break
    if "source" not in found:
        raise GlossaryError(f"{path}: line 1: the header has no source column (expected one of "
                            f"{', '.join(COLUMNS['source'])}; found {', '.join(names) or 'nothing'})")
    return found


def read_delimited(path: str, delimiter: str) -> list[GlossaryEntry]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f, delimiter=delimiter))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise GlossaryError(f"{path}: cannot read as {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}") from None
    if not rows:
        raise GlossaryError(f"{path}: empty file (expected a header row such as source,target)")
    columns = _header(rows[0], path)
    entries = []
    for line, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        where = f"{path}: line {line}"

        def cell(key: str) -> str:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else ""

        sources = split_terms(cell("source"))
        if not sources:
            raise GlossaryError(f"{where}: source: empty")
        dnt = _flag(cell("dnt"), where, "do_not_translate")
        targets, forbidden = split_terms(cell("target")), split_terms(cell("forbidden"))
        if not (targets or forbidden or dnt):
            raise GlossaryError(f"{where}: target: empty (give a target term, a forbidden term, or do_not_translate=yes)")
        case = cell("case").strip()
        entries.append(GlossaryEntry(
            source_terms=sources, targets=targets, forbidden=forbidden,
            src_lang=language_base(cell("src_lang"), f"{where}: src_lang"),
            tgt_lang=language_base(cell("tgt_lang"), f"{where}: tgt_lang"),
            part_of_speech=cell("pos").strip().lower(),
            case_sensitive=_flag(case, where, "case_sensitive") if case else None,
            do_not_translate=dnt,
        ))
    return entries
