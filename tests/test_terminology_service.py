"""Terminology, do-not-translate and consistency checks through a real server on loopback."""

from __future__ import annotations

import pathlib

import pytest

from lacuna.client import Client
from lacuna.client.client import LacunaError
from lacuna.client.job_checks import job_options
from lacuna.proto import service_pb2, types_pb2
from lacuna.server.app import LacunaServer
from lacuna.server.config import ConfigError, ServerConfig, parse_config

DATA = pathlib.Path(__file__).parent / "data" / "glossary"


@pytest.fixture(scope="module")
def server():
    config = ServerConfig(port=0, workers=4, omission=False, glossaries=[
        f"acme={DATA / 'acme.tbx'}", f"folders={DATA / 'acme-v3.tbx'}", f"names={DATA / 'names.txt'}"])
    srv = LacunaServer(config).start()
    yield srv
    srv.stop(grace=None)


def _score(server, segments, **options):
    with Client(server.address, timeout=30) as client:
        result = client.score(segments, options=types_pb2.ScoreOptions(**options))
    return {s.id: s for s in result.segments}


def _seg(id, source, translation, tgt, src="en", **labels):
    return {"id": id, "source": source, "translation": translation, "src_lang": src, "tgt_lang": tgt,
            "labels": labels}


def _types(result):
    return sorted(f.type for f in result.flags if f.detector in ("terminology", "consistency"))


def test_tbx_glossary_inflected_matches_in_german_and_french(server):
    got = _score(server, [
        _seg("de-ok", "Delete the files in these settings.", "Löschen Sie die Dateien in diesen Einstellungen.", "de"),
        _seg("de-bad", "Delete the file.", "Löschen Sie das Dokument.", "de"),
        _seg("fr-ok", "Two files and one user account.", "Deux fichiers et un compte utilisateur.", "fr"),
        _seg("fr-bad", "Open your user account.", "Ouvrez votre profil.", "fr"),
    ], glossary="acme")
    assert _types(got["de-ok"]) == [] and _types(got["fr-ok"]) == []
    flag = got["de-bad"].flags[-1]
    assert flag.type == "terminology" and flag.severity == "major" and not got["de-bad"].passed
    assert "Delete the file."[flag.source_span.start:flag.source_span.end] == "file" and "'Datei'" in flag.message
    flag = got["fr-bad"].flags[-1]
    assert "Open your user account."[flag.source_span.start:flag.source_span.end] == "user account"


def test_approved_terms_found_beyond_snowball_stems(server):
    entries = [types_pb2.GlossaryEntry(source_terms=["confirmation"], targets=["bestätigt"], tgt_lang="de"),
               types_pb2.GlossaryEntry(source_terms=["recovery codes"], targets=["Wiederherstellungscodes"],
                                       tgt_lang="de"),
               types_pb2.GlossaryEntry(source_terms=["account"], targets=["Konto"], tgt_lang="de")]
    got = _score(server, [
        _seg("prefix", "Email confirmation", "E-Mail-Bestätigung", "de"),
        _seg("joined", "Recovery codes", "Wiederherstellungs-Codes", "de"),
        _seg("compound", "Your user account", "Ihr Benutzerkonto", "de"),
        _seg("absent", "Email confirmation", "E-Mail-Prüfung", "de"),
        _seg("other", "Your account", "Ihr Kontakt", "de"),
    ], glossary_entries=entries)
    assert [_types(got[i]) for i in ("prefix", "joined", "compound")] == [[], [], []]
    assert _types(got["absent"]) == ["terminology"] and _types(got["other"]) == ["terminology"]


def test_terms_inside_placeholders_and_urls_are_not_terms(server):
    got = _score(server, [
        _seg("ph", "Code sent to %(file)s via https://example.com/file", "Code an %(file)s gesendet", "de"),
    ], glossary="acme")
    assert _types(got["ph"]) == []


def test_forbidden_terms_have_spans_on_both_sides(server):
    source, translation = "Change this setting.", "Modifiez ce réglage."
    got = _score(server, [_seg("fr", source, translation, "fr")], glossary="acme")["fr"]
    (flag,) = [f for f in got.flags if f.detector == "terminology"]
    assert flag.type == "forbidden_term"
    assert source[flag.source_span.start:flag.source_span.end] == "setting"
    assert translation[flag.target_span.start:flag.target_span.end] == "réglage"
    assert "'paramètre'" in flag.message


def test_japanese_and_chinese_match_by_characters(server):
    got = _score(server, [
        _seg("ja-ok", "Save the file in Settings.", "設定でファイルを保存します。", "ja"),
        _seg("ja-bad", "Save the file.", "書類を保存します。", "ja"),
        _seg("zh-ok", "Open the file.", "打开文件。", "zh-Hans"),
        _seg("zh-forbidden", "Open the file.", "打开档案。", "zh-Hans"),
        _seg("ja-src", "ファイルを開く", "Datei öffnen", "de", src="ja"),
        _seg("ja-src-bad", "ファイルを開く", "Dokument öffnen", "de", src="ja"),
    ], glossary="acme")
    assert _types(got["ja-ok"]) == [] and _types(got["zh-ok"]) == [] and _types(got["ja-src"]) == []
    assert _types(got["ja-bad"]) == ["terminology"]
    flag = got["zh-forbidden"].flags[-1]
    assert flag.type == "forbidden_term" and "打开档案。"[flag.target_span.start:flag.target_span.end] == "档案"
    flag = got["ja-src-bad"].flags[-1]
    assert flag.type == "terminology" and "ファイルを開く"[flag.source_span.start:flag.source_span.end] == "ファイル"


def test_glossary_chosen_by_project_label_and_tbx_v3(server):
    got = _score(server, [
        _seg("labelled", "Open the folder.", "Öffnen Sie das Verzeichnis.", "de", project="folders"),
        _seg("unlabelled", "Open the folder.", "Öffnen Sie das Verzeichnis.", "de"),
        _seg("other", "Open the folder.", "Öffnen Sie das Verzeichnis.", "de", project="unknown"),
    ])
    assert _types(got["labelled"]) == ["forbidden_term"]
    assert _types(got["unlabelled"]) == [] and _types(got["other"]) == []


def test_csv_glossary_sent_with_the_request(server):
    options = job_options([str(DATA / "acme.csv")], [], None)
    with Client(server.address, timeout=30) as client:
        result = client.score([
            _seg("de-ok", "Save your passwords.", "Speichern Sie Ihre Kennwörter.", "de"),
            _seg("de-forbidden", "Save it.", "Sichern Sie es.", "de"),
            _seg("fr-inflected", "Saved.", "Enregistré.", "fr"),
            _seg("zh-bad", "Enter the password.", "输入口令。", "zh"),
            _seg("dnt", "Welcome to ACME Cloud.", "Willkommen bei Acme Wolke.", "de"),
            _seg("dnt-ok", "Welcome to ACME Cloud.", "Willkommen bei ACME Cloud.", "de"),
        ], options=options)
    got = {s.id: s for s in result.segments}
    assert _types(got["de-ok"]) == [] and _types(got["fr-inflected"]) == [] and _types(got["dnt-ok"]) == []
    assert _types(got["de-forbidden"]) == ["forbidden_term"]
    assert _types(got["zh-bad"]) == ["forbidden_term"]
    assert _types(got["dnt"]) == ["do_not_translate"]


def test_do_not_translate_list_on_the_server(server):
    got = _score(server, [
        _seg("kept", "Lacuna checks NATO texts.", "Lacuna prüft NATO-Texte.", "de"),
        _seg("changed", "Lacuna checks NATO texts.", "Lakuna prüft Nato-Texte.", "de"),
    ], glossary="names")
    assert _types(got["kept"]) == []
    flags = [f for f in got["changed"].flags if f.type == "do_not_translate"]
    assert sorted("Lacuna checks NATO texts."[f.source_span.start:f.source_span.end] for f in flags) == ["Lacuna", "NATO"]


def test_consistency_both_directions_across_one_stream(server):
    batches = [
        [_seg("1", "Save the file", "Datei speichern", "de"), _seg("2", "Close", "Schließen", "de", context="button")],
        [_seg("3", "Save the file.", "Datei sichern", "de"), _seg("4", "Close", "Geschlossen", "de", context="state")],
        [_seg("5", "Store the file", "Datei speichern", "de"), _seg("6", "Open", "Öffnen", "de")],
    ]
    with Client(server.address, timeout=30) as client:
        responses = list(client.score_stream_pb(batches, options=types_pb2.ScoreOptions(consistency=True)))
    results = {r.id: r for resp in responses for r in resp.results}
    assert [f.related_ids for f in results["3"].flags if f.type == "inconsistent_translation"] == [["1"]]
    assert [f.related_ids for f in results["5"].flags if f.type == "inconsistent_translation"] == [["1"]]
    assert "same translation" in results["5"].flags[-1].message and results["5"].flags[-1].source_span.end == 14
    for quiet in ("1", "2", "4", "6"):  # first of its set, or a different context
        assert not [f for f in results[quiet].flags if f.type == "inconsistent_translation"], quiet
    assert results["3"].passed  # minor


def test_consistency_is_off_unless_asked(server):
    got = _score(server, [_seg("1", "Save", "Speichern", "de"), _seg("2", "Save", "Sichern", "de")])
    assert _types(got["1"]) == [] and _types(got["2"]) == []
    got = _score(server, [_seg("1", "Save", "Speichern", "de"), _seg("2", "Save", "Sichern", "de")],
                 consistency=True)
    assert [f.related_ids for f in got["1"].flags] == [("2",)] and [f.related_ids for f in got["2"].flags] == [("1",)]


def test_bad_options_name_the_field(server):
    with Client(server.address, timeout=30) as client:
        with pytest.raises(LacunaError) as err:
            client.score([_seg("1", "a", "b", "de")], options=types_pb2.ScoreOptions(glossary="nope"))
        assert err.value.field == "options.glossary" and "acme" in err.value.message
        bad = types_pb2.ScoreOptions(glossary_entries=[types_pb2.GlossaryEntry(source_terms=["file"], targets=["x"]),
                                                       types_pb2.GlossaryEntry(source_terms=["file"])])
        with pytest.raises(LacunaError) as err:
            client.score([_seg("1", "a", "b", "de")], options=bad)
        assert err.value.field == "options.glossary_entries[1].targets"


def test_capabilities_list_checks_and_glossaries(server):
    with Client(server.address, timeout=30) as client:
        caps = client.capabilities()
    assert {"terminology", "forbidden_term", "do_not_translate", "inconsistent_translation"} <= {c.name for c in caps.checks}
    assert {m.name for m in caps.models if m.kind == "glossary"} == {"acme", "folders", "names"}


def test_bad_glossary_stops_start_up(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("source,target\nfile,\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        LacunaServer(parse_config(["--port", "0", "--no-omission", "--glossary", f"g={path}"]))
    assert "--glossary g=" in str(err.value) and "line 2" in str(err.value)
