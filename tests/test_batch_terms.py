"""`lacuna score --glossary / --do-not-translate` and the job's consistency pass, end to end
against a real server on loopback: two files of one job, results file, summary, report."""

from __future__ import annotations

import json
import pathlib

import pytest

from lacuna.client.batch import main

DATA = pathlib.Path(__file__).parent / "data" / "glossary"

PO = """msgid ""
msgstr ""
"Language: de\\n"
"X-Source-Language: en\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Save the file"
msgstr "Datei speichern"

msgid "Delete all files"
msgstr "Alle Dokumente löschen"

msgid "Open settings"
msgstr "Einstellungen öffnen"

msgid "Close the folder"
msgstr "Verzeichnis schließen"
"""

JSONL = [
    {"id": "j-save", "source": "Save the file.", "translation": "Datei sichern."},
    {"id": "j-open", "source": "Show settings", "translation": "Einstellungen öffnen"},
    {"id": "j-name", "source": "Lacuna saves the file.", "translation": "Lakuna speichert die Datei."},
    {"id": "j-close-a", "source": "Close", "translation": "Schließen", "labels": {"context": "button"}},
    {"id": "j-close-b", "source": "Close", "translation": "Geschlossen", "labels": {"context": "state"}},
]


@pytest.fixture(scope="module")
def server():
    from lacuna.server.app import LacunaServer
    from lacuna.server.config import ServerConfig

    srv = LacunaServer(ServerConfig(port=0, workers=4, omission=False,
                                    glossaries=[f"folders={DATA / 'acme-v3.tbx'}"])).start()
    yield srv
    srv.stop(grace=None)


def _job(tmp_path):
    po = tmp_path / "ui.po"
    po.write_text(PO, encoding="utf-8")
    jsonl = tmp_path / "help.jsonl"
    jsonl.write_text("".join(json.dumps({**r, "src_lang": "en", "tgt_lang": "de"}) + "\n" for r in JSONL),
                     encoding="utf-8")
    return str(po), str(jsonl)


def _results(path):
    return {r["id"]: r for r in map(json.loads, open(path, encoding="utf-8"))}


def _flags(rec, kind):
    return [f for f in rec["flags"] if f["type"] == kind]


def test_glossaries_and_consistency_across_two_files(server, tmp_path, capsys):
    po, jsonl = _job(tmp_path)
    out, summary, report = tmp_path / "out.jsonl", tmp_path / "summary.json", tmp_path / "report.html"
    code = main([po, jsonl, "--server", server.address, "--quiet", "-o", str(out), "--summary", str(summary),
                 "--html", str(report),
                 "--glossary", str(DATA / "acme.tbx"), "--glossary", str(DATA / "acme.csv"),
                 "--do-not-translate", str(DATA / "names.txt"), "--server-glossary", "folders"])
    assert code == 0
    got = _results(out)
    ids = {rec["source"]: i for i, rec in got.items()}
    save_po, delete_po, close_po = ids["Save the file"], ids["Delete all files"], ids["Close the folder"]

    # terminology from the TBX (inflected German), the CSV (forbidden) and the server's glossary
    assert [f["type"] for f in got[delete_po]["flags"]] == ["terminology"] and not got[delete_po]["passed"]
    assert not _flags(got[save_po], "terminology") and not _flags(got[save_po], "forbidden_term")
    (forbidden,) = _flags(got["j-save"], "forbidden_term")
    assert "Datei sichern."[forbidden["target_span"]["start"]:forbidden["target_span"]["end"]] == "sichern"
    assert _flags(got[close_po], "forbidden_term")  # Verzeichnis, from the server's TBX v3 glossary
    assert [f["type"] for f in got["j-name"]["flags"]] == ["do_not_translate"]

    # consistency across the two files, both directions; context labels keep the two "Close" apart
    (same_source,) = _flags(got["j-save"], "inconsistent_translation")
    assert same_source["related_ids"] == [save_po] and "translated differently" in same_source["message"]
    assert _flags(got[save_po], "inconsistent_translation")[0]["related_ids"] == ["j-save"]
    (same_translation,) = _flags(got["j-open"], "inconsistent_translation")
    assert same_translation["related_ids"] == [ids["Open settings"]]
    assert same_translation["source_span"] == {"start": 0, "end": len("Show settings")}
    assert not _flags(got["j-close-a"], "inconsistent_translation")
    assert not _flags(got["j-close-b"], "inconsistent_translation")

    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["flags_by_type"]["inconsistent_translation"] == 4
    assert data["run"]["consistency_seconds"] is not None
    assert "inconsistent_translation" in capsys.readouterr().out

    # the report puts each inconsistent set side by side
    page = report.read_text(encoding="utf-8")
    section = page[page.index('<section id="consistency">'):page.index("</section>", page.index('id="consistency"'))]
    assert section.count("<table>") == 2
    assert "Same source, different translations (2 segments)" in section
    assert "Datei sichern." in section and "Datei speichern" in section
    assert "Same translation, different sources (2 segments)" in section and "Show settings" in section


def test_alert_rules_count_the_new_flag_types(server, tmp_path, capsys, monkeypatch):
    po, jsonl = _job(tmp_path)
    rules = tmp_path / "rules.yaml"
    rules.write_text("""channels:
  hook: {type: webhook, url_env: LACUNA_TEST_HOOK, retries: 0, timeout: 1}
rules:
  - {name: terms, measure: flag_count, flag_type: terminology, op: ">=", threshold: 1, channels: [hook]}
  - {name: forbidden, measure: flag_count, flag_type: forbidden_term, op: ">=", threshold: 1, channels: [hook]}
  - {name: names, measure: flag_count, flag_type: do_not_translate, op: ">=", threshold: 1, channels: [hook]}
  - {name: consistency, measure: flag_count, flag_type: inconsistent_translation, op: ">=", threshold: 4,
     channels: [hook]}
  - {name: too-inconsistent, measure: flag_count, flag_type: inconsistent_translation, op: ">=", threshold: 5,
     channels: [hook]}
""", encoding="utf-8")
    monkeypatch.delenv("LACUNA_TEST_HOOK", raising=False)
    code = main([po, jsonl, "--server", server.address, "--quiet", "--alerts", str(rules),
                 "--glossary", str(DATA / "acme.tbx"), "--glossary", str(DATA / "acme.csv"),
                 "--do-not-translate", str(DATA / "names.txt")])
    assert code == 0
    assert "alerts: 4 fired: consistency, forbidden, names, terms" in capsys.readouterr().out


def test_no_consistency_and_bad_glossary(server, tmp_path, capsys):
    po, jsonl = _job(tmp_path)
    out = tmp_path / "out.jsonl"
    assert main([po, jsonl, "--server", server.address, "--quiet", "-o", str(out), "--no-consistency"]) == 0
    assert not any(_flags(r, "inconsistent_translation") for r in _results(out).values())
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target\nfile,Datei,\nfolder,\n", encoding="utf-8")
    capsys.readouterr()
    assert main([po, "--server", server.address, "--quiet", "--glossary", str(bad)]) == 2
    assert f"--glossary {bad}: line 3: target: empty" in capsys.readouterr().err
    assert main([po, "--server", server.address, "--quiet", "--server-glossary", "nope"]) == 2
    assert "options.glossary: unknown glossary 'nope'" in capsys.readouterr().err
