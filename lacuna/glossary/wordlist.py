"""Do-not-translate lists: one product name, trademark or identifier a line.

Blank lines and lines starting with `#` are skipped. Each name must appear in the
translation exactly as written (case included) wherever it appears in the source.
"""

from __future__ import annotations

from lacuna.glossary import GlossaryEntry, GlossaryError


def read_do_not_translate(path: str) -> list[GlossaryEntry]:
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = f.read().splitlines()
    except UnicodeDecodeError as exc:
        raise GlossaryError(f"{path}: not UTF-8 text: {exc}") from None
    names = dict.fromkeys(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return [GlossaryEntry(source_terms=(name,), case_sensitive=True, do_not_translate=True) for name in names]
