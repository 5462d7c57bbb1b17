"""Placeholders read as the message's format says, through a real server on loopback: printf
conversions next to `%` or letters are not other syntaxes' tokens (`%s-%s`, `%snon`), strftime
date formats are localized by rewriting them, and a PO entry's format flag (`python-format`)
chooses the syntax of its unit."""

from __future__ import annotations

import pytest

from lacuna.client.client import Client
from test_formats_l10n import score as score_files

PLACEHOLDER_FLAGS = ("placeholder_missing", "placeholder_extra", "placeholder_changed", "truncated")


def scored(server, source, translation, tgt, fmt=None):
    seg = {"id": "s", "source": source, "translation": translation, "src_lang": "en", "tgt_lang": tgt}
    if fmt:
        seg["labels"] = {"format": fmt}
    with Client(server.address, timeout=30) as client:
        return client.score([seg]).segments[0]


def serious(result):
    return [(f.type, f.severity, f.message) for f in result.flags
            if f.type in PLACEHOLDER_FLAGS and f.severity in ("major", "critical")]


RIGHT = [  # (source, translation, target language): correct localizations
    ("Version %s %s", "Version %s-%s", "de"),  # `%s-%` is no `%name%`
    ("%b %d, %Y", "%d.%m.%Y", "de"),  # a date format rewritten for the locale
    ("%b %d, %Y", "%Y年%m月%d日", "ja"),
    ("%I:%M %p", "%H:%M", "fr"),  # a 24-hour clock drops AM/PM
    ("bad port number %s", "numéro de port %sinvalide", "fr"),  # `%s` glued to a word is still `%s`
    ("lost %s:%s target: %s", "%sperdu :%s cible : %s", "fr"),
]


@pytest.mark.parametrize("fmt", [None, "python-format"])
@pytest.mark.parametrize("source,translation,tgt", RIGHT)
def test_printf_and_date_formats_localized_are_not_flagged(checks_server, source, translation, tgt, fmt):
    result = scored(checks_server, source, translation, tgt, fmt)
    assert not serious(result), result.flags


@pytest.mark.parametrize("fmt", [None, "python-format"])
def test_a_dropped_printf_placeholder_is_still_critical(checks_server, fmt):
    result = scored(checks_server, "bad port number %s", "numéro de port invalide", "fr", fmt)
    assert [(t, s) for t, s, _ in serious(result) if t == "placeholder_missing"] == [
        ("placeholder_missing", "critical")]
    result = scored(checks_server, "Version %s %s", "Version %s-", "de", fmt)
    assert any(t == "placeholder_missing" for t, _, _ in serious(result))


def test_names_of_other_syntaxes_are_still_read(checks_server):
    # no printf in the source: Magento's `%name` and Symfony's `%name%` stay placeholders
    assert serious(scored(checks_server, "Payment error. %value was not found.", "Zahlungsfehler. %valu fehlt.", "de"))
    assert serious(scored(checks_server, "Welcome %name%, hello.", "Willkommen %nam%, hallo.", "de"))
    assert not serious(scored(checks_server, "Welcome %name%, hello.", "Willkommen %name%, hallo.", "de"))


def test_a_date_format_losing_a_part_is_minor_and_losing_all_is_critical(checks_server):
    result = scored(checks_server, "%b %d, %Y", "%d.%m.", "de")
    assert [(f.type, f.severity) for f in result.flags if f.type.startswith("placeholder")] == [
        ("placeholder_missing", "minor")] and "year" in result.flags[0].message and result.passed
    result = scored(checks_server, "%b %d, %Y", "Datum", "de")
    assert [f.severity for f in result.flags if f.type == "placeholder_missing"] == ["critical"] * 3


def test_the_format_flag_chooses_the_syntax(checks_server):
    # in a python-format message `{0}` is text; in a python-brace-format one, `%s` is
    source, translation = "Rate {0} at %s", "Tarif %s"
    assert not serious(scored(checks_server, source, translation, "de", "python-format"))
    assert serious(scored(checks_server, source, translation, "de"))  # no flag: every syntax
    result = scored(checks_server, source, "Tarif {0}", "de", "python-brace-format")
    assert not serious(result)


PO = """msgid ""
msgstr ""
"Language: fr\\n"

#, python-format
msgid "Rate {0} at %s"
msgstr "Tarif %s"

#, python-brace-format
msgid "Rate {0} at %s"
msgstr "Tarif {0}"

#, c-format
msgid "bad port number %s"
msgstr "numéro de port %sinvalide"

msgid "Rate {0} at %s now"
msgstr "Tarif %s maintenant"
"""


def test_po_format_flags_travel_with_the_unit(tmp_path):
    from lacuna.server.app import LacunaServer
    from lacuna.server.config import ServerConfig

    path = tmp_path / "app.po"
    path.write_text(PO, encoding="utf-8")
    server = LacunaServer(ServerConfig(port=0, workers=2, omission=False)).start()
    try:
        rc, got, _ = score_files(server, tmp_path, path, extra=("--src-lang", "en"))
    finally:
        server.stop(grace=None)
    by_source = {(r["source"], r["translation"]): r for r in got.values()}
    formats = {k: r["labels"].get("format") for k, r in by_source.items()}
    assert formats == {("Rate {0} at %s", "Tarif %s"): "python-format",
                       ("Rate {0} at %s", "Tarif {0}"): "python-brace-format",
                       ("bad port number %s", "numéro de port %sinvalide"): "c-format",
                       ("Rate {0} at %s now", "Tarif %s maintenant"): None}
    failing = {k for k, r in by_source.items() if not r["passed"]}
    assert failing == {("Rate {0} at %s now", "Tarif %s maintenant")}, got  # `{0}` lost, no flag to excuse it
