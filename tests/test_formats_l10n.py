"""What localization files say, read and scored through a real server: each format's inline
codes, each state that is skipped, context labels, duplicate ids, headerless CSV, plural forms
by category and ids that do not depend on where the job runs."""

from __future__ import annotations

import json
import os

import pytest

from lacuna.client.batch import main
from lacuna.client.formats import InputWarning, ReadOptions, Record, Skipped, read_file


def read(path, **options):
    items = list(read_file(str(path), ReadOptions(**options)))
    return ([i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Skipped)],
            [i for i in items if isinstance(i, InputWarning)])


def results(path) -> dict[str, dict]:
    with open(path, encoding="utf-8") as f:
        return {r["id"]: r for r in map(json.loads, f)}


def flag_types(rec: dict) -> set[str]:
    return {f["type"] for f in rec["flags"]}


@pytest.fixture(scope="module")
def server():
    from lacuna.server.app import LacunaServer
    from lacuna.server.config import ServerConfig

    srv = LacunaServer(ServerConfig(port=0, workers=4, omission=False)).start()
    yield srv
    srv.stop(grace=None)


def score(server, tmp_path, *files, extra=()):
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    rc = main([*map(str, files), "--server", server.address, "-o", str(out), "--summary", str(summary),
               "--fresh", "--quiet", *extra])
    with open(summary, encoding="utf-8") as f:
        return rc, results(out), json.load(f)


XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="app" source-language="en" target-language="de" datatype="plaintext"><body>
<trans-unit id="x"><source>Press <x id="1"/> to save.</source><target>Drücken Sie <x id="1"/> zum Speichern.</target></trans-unit>
<trans-unit id="g"><source>Open <g id="2">the file</g> now.</source><target>Öffnen Sie jetzt die Datei.</target></trans-unit>
<trans-unit id="bx"><source><bx id="3"/>Bold<ex id="4" rid="3"/> text here.</source><target><bx id="3"/>Fetter<ex id="4" rid="3"/> Text hier.</target></trans-unit>
<trans-unit id="ph"><source>Line one.<ph id="5">&lt;br/&gt;</ph>Line two.</source><target>Zeile eins. Zeile zwei.</target></trans-unit>
<trans-unit id="bpt"><source>Read <bpt id="6">&lt;i&gt;</bpt>this<ept id="6">&lt;/i&gt;</ept> first.</source><target>Lesen Sie <ept id="6">&lt;/i&gt;</ept>dies<bpt id="6">&lt;i&gt;</bpt> zuerst.</target></trans-unit>
<trans-unit id="it"><source><it id="7" pos="open">&lt;b&gt;</it>Continued text.</source><target><it id="7" pos="open">&lt;b&gt;</it>Fortgesetzter Text.</target></trans-unit>
<trans-unit id="mrk"><source>Use <mrk mtype="protected" mid="8">Lacuna</mrk> daily.</source><target>Nutzen Sie täglich <mrk mtype="protected" mid="8">Lacuna</mrk>.</target></trans-unit>
</body></file></xliff>
"""


def test_xliff12_inline_codes_are_kept_and_checked(server, tmp_path):
    path = tmp_path / "app.xlf"
    path.write_text(XLIFF12, encoding="utf-8")
    records, _, _ = read(path)
    by_id = {r.id.split(":")[-1]: r for r in records}
    assert by_id["x"].source == 'Press <x id="1"/> to save.'
    assert [(c["kind"], c["element"]) for c in by_id["bx"].source_codes] == [("open", "bx"), ("close", "ex")]
    assert by_id["bx"].source_codes[0]["pair"] == by_id["bx"].source_codes[1]["pair"]
    assert [c["kind"] for c in by_id["mrk"].source_codes] == ["open", "close"]
    assert [c["element"] for c in by_id["it"].source_codes] == ["it"]
    for rec in records:  # spans point at the code's markup in the text as sent
        for code in rec.source_codes:
            assert rec.source[code["start"]:code["end"]].startswith("<")
    rc, got, _ = score(server, tmp_path, path)
    types = {k.split(":")[-1]: flag_types(v) for k, v in got.items()}
    assert "tag_missing" in types["g"] and "tag_missing" in types["ph"]
    assert "tag_nesting" in types["bpt"]
    for clean in ("x", "bx", "it", "mrk"):
        assert not types[clean] & {"tag_missing", "tag_extra", "tag_nesting"}, (clean, types[clean])


XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en" trgLang="fr">
<file id="f1">
<unit id="ph"><segment><source>Press <ph id="1"/> to continue.</source><target>Appuyez sur <ph id="1"/> pour continuer.</target></segment></unit>
<unit id="pc"><segment><source>Read <pc id="2">the guide</pc> first.</source><target>Lisez d'abord le guide.</target></segment></unit>
<unit id="sc"><segment><source><sc id="3"/>Bold<ec startRef="3"/> text.</source><target><ec startRef="3"/>Texte<sc id="3"/> gras.</target></segment></unit>
<unit id="mrk"><segment><source>Use <mrk id="m1" translate="no">Lacuna</mrk> today.</source><target>Utilisez <mrk id="m1" translate="no">Lacuna</mrk> aujourd'hui.</target></segment></unit>
<unit id="new"><segment state="initial"><source>Draft text here.</source><target>Texte brouillon.</target></segment></unit>
</file></xliff>
"""


def test_xliff2_inline_codes_and_initial_state(server, tmp_path):
    path = tmp_path / "doc.xlf"
    path.write_text(XLIFF20, encoding="utf-8")
    rc, got, summary = score(server, tmp_path, path)
    types = {k.split(":")[-1]: flag_types(v) for k, v in got.items()}
    assert set(types) == {"ph", "pc", "sc", "mrk"}  # the initial segment is skipped
    assert summary["skipped"] == {"state=initial": 1}
    assert "tag_missing" in types["pc"] and "tag_nesting" in types["sc"]
    assert not types["ph"] & {"tag_missing", "tag_nesting"} and not types["mrk"] & {"tag_missing", "tag_nesting"}



XLIFF20_SIZES = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"
 xmlns:slr="urn:oasis:names:tc:xliff:sizerestriction:2.0" srcLang="en" trgLang="de">
<file id="f1">
<slr:profiles generalProfile="xliff:codepoints" storageProfile="xliff:utf16"/>
<unit id="fits" slr:sizeRestriction="12"><segment><source>Save</source><target>Speichern</target></segment></unit>
<unit id="long" slr:sizeRestriction="12"><segment><source>Cancel order</source><target>Bestellung stornieren</target></segment></unit>
<unit id="codes" slr:sizeRestriction="9"><segment><source><pc id="1">Save</pc></source><target><pc id="1">Speichern</pc></target></segment></unit>
<unit id="bytes" slr:storageRestriction="16"><segment><source>Delete</source><target>Löschen!</target></segment></unit>
<unit id="over" slr:storageRestriction="16"><segment><source>Deleted</source><target>Gelöscht!</target></segment></unit>
<unit id="two" slr:sizeRestriction="20"><segment id="a"><source>Saved.</source><target>Gespeichert.</target></segment>
 <segment id="b"><source>Done.</source><target>Erledigt.</target></segment></unit>
</file></xliff>
"""


def test_xliff2_size_and_storage_restrictions_are_checked(server, tmp_path):
    path = tmp_path / "sizes.xlf"
    path.write_text(XLIFF20_SIZES, encoding="utf-8")
    records, _, warnings = read(path)
    by_id = {r.id.split(":", 1)[1]: r for r in records}
    assert by_id["long"].max_length == 12 and by_id["bytes"].max_bytes == 16
    assert by_id["bytes"].storage_encoding == "utf-16" and not warnings
    assert (by_id["two::a"].max_length, by_id["two::b"].max_length) == (20 - 9, 20 - 12)
    rc, got, _ = score(server, tmp_path, path)
    limits = {k.split(":", 1)[1]: [f for f in v["flags"] if f["type"] == "length_limit"] for k, v in got.items()}
    assert not limits["fits"] and not limits["codes"] and not limits["bytes"]  # 8 UTF-16 units = 16 bytes
    assert "21 characters, more than the limit of 12" in limits["long"][0]["message"]
    assert limits["long"][0]["severity"] == "major"
    assert "18 bytes in UTF-16, more than the limit of 16" in limits["over"][0]["message"]
    assert limits["over"][0]["target_span"]["start"] == 8  # "Gelösch" fits, "t" is the 9th code unit
    assert limits["two::a"] and limits["two::b"]  # 12 + 9 characters in a unit of 20


def test_xliff2_unread_size_profile_warns_and_xliff12_maxbytes(server, tmp_path):
    odd = XLIFF20_SIZES.replace('generalProfile="xliff:codepoints"', 'generalProfile="x-pixels"')
    path = tmp_path / "pixels.xlf"
    path.write_text(odd, encoding="utf-8")
    records, _, warnings = read(path)
    assert any("x-pixels" in w.message for w in warnings)
    assert all(r.max_length is None for r in records) and any(r.max_bytes for r in records)
    v12 = tmp_path / "bytes.xlf"
    v12.write_text(XLIFF12.replace('<trans-unit id="x">', '<trans-unit id="x" maxbytes="20">'), encoding="utf-8")
    rc, got, _ = score(server, tmp_path, v12)
    flags = [f for f in got["bytes.xlf:x"]["flags"] if f["type"] == "length_limit"]
    assert flags and "bytes in UTF-8, more than the limit of 20" in flags[0]["message"]


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="x"
 adminlang="en" srclang="en" datatype="plaintext"/><body>
<tu tuid="ph"><tuv xml:lang="en"><seg>Click <ph x="1">&lt;img/&gt;</ph> to start.</seg></tuv><tuv xml:lang="ja"><seg><ph x="1">&lt;img/&gt;</ph>をクリックして開始します。</seg></tuv></tu>
<tu tuid="bpt"><tuv xml:lang="en"><seg>This is <bpt i="1">&lt;b&gt;</bpt>important<ept i="1">&lt;/b&gt;</ept> now.</seg></tuv><tuv xml:lang="ja"><seg>これは重要です。</seg></tuv></tu>
<tu tuid="it"><tuv xml:lang="en"><seg><it pos="begin" x="2">&lt;i&gt;</it>Ends here.</seg></tuv><tuv xml:lang="ja"><seg><it pos="begin" x="2">&lt;i&gt;</it>ここで終わります。</seg></tuv></tu>
<tu tuid="hi"><tuv xml:lang="en"><seg>See <hi x="3" type="em">this note</hi> again.</seg></tuv><tuv xml:lang="ja"><seg><hi x="3" type="em">この注記</hi>をもう一度見てください。</seg></tuv></tu>
<tu tuid="ut"><tuv xml:lang="en"><seg>Press <ut>{\\b}</ut>Enter<ut>{\\b0}</ut> key.</seg></tuv><tuv xml:lang="ja"><seg>Enterキーを押します。</seg></tuv></tu>
</body></tmx>
"""


def test_tmx_inline_codes(server, tmp_path):
    path = tmp_path / "memory.tmx"
    path.write_text(TMX, encoding="utf-8")
    records, _, _ = read(path)
    hi = next(r for r in records if r.id.endswith(":hi"))
    assert [c["kind"] for c in hi.source_codes] == ["open", "close"] and hi.source.startswith("See <hi ")
    rc, got, _ = score(server, tmp_path, path)
    types = {k.split(":")[-1]: flag_types(v) for k, v in got.items()}
    assert "tag_missing" in types["bpt"] and "tag_missing" in types["ut"]
    for clean in ("ph", "it", "hi"):
        assert not types[clean] & {"tag_missing", "tag_extra", "tag_nesting"}, (clean, types[clean])


XLIFF_STATES = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="ui" source-language="en" target-language="fr" datatype="plaintext"><body>
<trans-unit id="ok" resname="menu.save"><source>Save the document</source><target state="final">Enregistrer le document</target><note>Menu item</note></trans-unit>
<trans-unit id="new"><source>New unit text</source><target state="new">New unit text</target></trans-unit>
<trans-unit id="nt"><source>Needs translation</source><target state="needs-translation">Needs translation</target></trans-unit>
<trans-unit id="nr"><source>Needs review</source><target state="needs-review-translation">Besoin de revue</target></trans-unit>
<trans-unit id="no" translate="no"><source>Lacuna</source><target>Lacuna</target></trans-unit>
<trans-unit id="ok" resname="dup"><source>Open the document</source><target state="translated">Ouvrir le document</target></trans-unit>
<trans-unit id="short" maxwidth="8" size-unit="char"><source>Cancel</source><target>Abbrechen jetzt</target></trans-unit>
</body></file></xliff>
"""

PO = r'''msgid ""
msgstr ""
"Language: ru\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"
"X-Source-Language: en\n"

msgctxt "toolbar"
msgid "Open"
msgstr "Открыть"

#, fuzzy
msgid "Close the window"
msgstr "Закрыть окно"

msgid "translator-credits"
msgstr "Иван Петров"

#. Search terms to find this application. Do NOT translate or localize the semicolons!
msgid "files;folders;manager;"
msgstr "файлы;папки;менеджер;"

#, python-format
msgid "%(count)d file"
msgid_plural "%(count)d files"
msgstr[0] "%(count)d файл"
msgstr[1] "%(count)d файла"
msgstr[2] ""

#~ msgid "Old"
#~ msgstr "Старый"
'''


def test_skipped_states_are_counted_and_can_be_included(server, tmp_path):
    xlf, po = tmp_path / "ui.xlf", tmp_path / "app.po"
    xlf.write_text(XLIFF_STATES, encoding="utf-8")
    po.write_text(PO, encoding="utf-8")
    rc, got, summary = score(server, tmp_path, xlf, po)
    assert summary["skipped"] == {"state=new": 1, "state=needs-translation": 1, "state=needs-review-translation": 1,
                                  "translate=no": 1, "header": 1, "fuzzy": 1, "credits": 1, "keywords": 1,
                                  "obsolete": 1}
    assert {"ui.xlf:ok", "ui.xlf:ok#2", "ui.xlf:short"} <= set(got)  # the duplicate id is read, renamed
    assert got["ui.xlf:ok"]["labels"] == {"resname": "menu.save", "note": "Menu item", "state": "final"}
    assert "length_limit" in flag_types(got["ui.xlf:short"])
    opened = next(r for k, r in got.items() if r["source"] == "Open")
    assert opened["labels"]["context"] == "toolbar"
    forms = {r["labels"].get("plural_form"): r for r in got.values() if "plural_form" in r["labels"]}
    assert set(forms) == {"one", "few", "many"}
    assert forms["one"]["source"] == "%(count)d file" and forms["few"]["source"] == "%(count)d files"
    assert "plural_forms" in flag_types(forms["many"]) and not flag_types(forms["few"]) & {"plural_forms"}
    rc, got, summary = score(server, tmp_path, xlf, po, extra=("--include-unready",))
    assert set(summary["skipped"]) == {"header", "credits", "keywords"}
    assert any(r["source"] == "Close the window" for r in got.values())
    assert "untranslated" in flag_types(got["ui.xlf:new"])


def test_japanese_po_plural_is_one_form_against_the_plural_source(tmp_path):
    path = tmp_path / "ja.po"
    path.write_text('msgid ""\nmsgstr ""\n"Language: ja\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
                    'msgid "%d file"\nmsgid_plural "%d files"\nmsgstr[0] "%d 個のファイル"\n', encoding="utf-8")
    records, _, _ = read(path, src_lang="en")
    assert [(r.source, r.labels["plural_form"]) for r in records] == [("%d files", "other")]


def test_headerless_csv_and_duplicates_warn(server, tmp_path, capsys):
    path = tmp_path / "de_DE.csv"
    path.write_text('"Add to Cart","In den Warenkorb"\n"%1 items","%1 Artikel",module,Magento_Catalog\n'
                    '"Add to Cart","Zum Warenkorb"\n', encoding="utf-8")
    rc, got, _ = score(server, tmp_path, path, extra=("--src-lang", "en", "--tgt-lang", "de"))
    err = capsys.readouterr().err
    assert "no header row" in err and "duplicate id" not in err  # ids are lines: no duplicates
    assert {r["translation"] for r in got.values()} == {"In den Warenkorb", "%1 Artikel", "Zum Warenkorb"}


def test_ids_do_not_depend_on_where_the_job_runs(server, tmp_path, monkeypatch):
    job = tmp_path / "job"
    job.mkdir()
    (job / "ui.xlf").write_text(XLIFF_STATES, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    monkeypatch.chdir(job)
    assert main(["ui.xlf", "--server", server.address, "-o", str(out), "--quiet"]) in (0, 1)
    first = results(out)
    monkeypatch.chdir(tmp_path)
    assert main([os.path.join(".", "job", "..", "job", "ui.xlf"), "--server", server.address, "-o", str(out),
                 "--quiet"]) in (0, 1)
    again = [json.loads(line) for line in open(out, encoding="utf-8")]
    assert len(again) == len(first) and {r["id"] for r in again} == set(first)  # resumed: nothing re-scored
    assert all(k.startswith("ui.xlf:") for k in first)


KEYED = """<?xml version="1.0"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file source-language="en" target-language="ja" datatype="plaintext" original="file.ext"><body>
<trans-unit id="help.more_information"><source>help.more_information</source>
<target><![CDATA[詳しくは <a href="https://example.org/doc">ドキュメント</a>を参照してください。]]></target></trans-unit>
<trans-unit id="post.num_comments"><source>post.num_comments</source>
<target>{count, plural, other {# 件のコメント}}</target></trans-unit>
<trans-unit id="tip"><source>tip</source><target>ヒント</target></trans-unit>
<trans-unit id="file"><source>config.yaml</source><target>config.yaml</target></trans-unit>
<trans-unit id="text"><source>Show the <b>code</b></source><target>コードを表示</target></trans-unit>
</body></file></xliff>
"""


def test_message_keys_as_sources_are_skipped_with_a_warning(server, tmp_path, capsys):
    # Symfony-style catalogs keep the key as every file's source: a key against its translation
    # made tag_extra / placeholder_extra (major) on correct units
    path = tmp_path / "messages.ja.xlf"
    path.write_text(KEYED, encoding="utf-8")
    rc, got, summary = score(server, tmp_path, path, extra=("--fail-on", "major"))
    assert "message key ('help.more_information')" in capsys.readouterr().err
    assert summary["skipped"] == {"source is a message key": 2}
    assert set(got) == {"messages.ja.xlf:tip", "messages.ja.xlf:file", "messages.ja.xlf:text"}
    assert "tag_missing" in flag_types(got["messages.ja.xlf:text"])  # text sources are still checked
    assert rc == 1
