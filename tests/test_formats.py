"""The input readers of `lacuna score`: every format from small files written here,
with languages and ids carried through and bad input reported with its location."""

from __future__ import annotations

import json

import pytest

from lacuna.client.formats import InputProblem, ReadOptions, Record, detect_format, read_file


def read(path, **options) -> tuple[list[Record], list[InputProblem]]:
    items = list(read_file(str(path), ReadOptions(**options)))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, InputProblem)]


def by_id(records):
    return {r.id: r for r in records}


# -- JSONL ---------------------------------------------------------------------------------

def test_jsonl_fields_ids_and_languages(tmp_path):
    path = tmp_path / "job.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a1", "source": "Ring the bell.", "translation": "Läute die Glocke.",
                    "reference": "Läutet die Glocke.", "src_lang": "en", "tgt_lang": "de",
                    "labels": {"project": "bells"}}),
        "",
        json.dumps({"source": "Two owls.", "translation": "Deux hiboux."}),
        json.dumps({"id": 7, "source": "Seven.", "translation": "Sept.", "tgt_lang": "fr-CA"}),
    ]) + "\n", encoding="utf-8")
    records, problems = read(path, src_lang="en", tgt_lang="fr")
    assert problems == []
    got = by_id(records)
    assert set(got) == {"a1", f"{path.name}:3", "7"}
    first = got["a1"]
    assert (first.reference, first.src_lang, first.tgt_lang, first.labels) == (
        "Läutet die Glocke.", "en", "de", {"project": "bells"})
    # flags fill what a line lacks; a line's own value wins
    assert (got[f"{path.name}:3"].src_lang, got[f"{path.name}:3"].tgt_lang, got[f"{path.name}:3"].reference) == ("en", "fr", None)
    assert got["7"].tgt_lang == "fr-CA"
    assert all(r.source_file == str(path) for r in records)


def test_jsonl_bad_lines_name_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"source": "ok", "translation": "ok", "src_lang": "en", "tgt_lang": "de"}\n'
                    '{"source": "broken", \n'
                    '{"translation": "no source"}\n'
                    '["a list"]\n'
                    '{"source": "x", "translation": 5}\n', encoding="utf-8")
    records, problems = read(path, src_lang="en", tgt_lang="de")
    assert len(records) == 1
    assert [p.location for p in problems] == ["line 2", "line 3", "line 4", "line 5"]
    assert "not valid JSON" in problems[0].message
    assert "'source'" in problems[1].message
    assert str(problems[0]).startswith(f"{path}: line 2:")


def test_missing_language_is_a_problem(tmp_path):
    path = tmp_path / "nolang.jsonl"
    path.write_text('{"source": "Hi.", "translation": "Salut."}\n', encoding="utf-8")
    records, problems = read(path, tgt_lang="fr")
    assert records == []
    assert problems[0].location == "line 1" and "--src-lang" in problems[0].message


# -- TSV / CSV -----------------------------------------------------------------------------

def test_tsv_with_default_columns(tmp_path):
    path = tmp_path / "job.tsv"
    path.write_text("id\tsource\ttranslation\treference\n"
                    "k1\tOpen the door.\tÖffne die Tür.\tÖffnen Sie die Tür.\n"
                    "\tClose it.\tSchließ sie.\t\n", encoding="utf-8")
    records, problems = read(path, src_lang="en", tgt_lang="de")
    assert problems == []
    got = by_id(records)
    assert set(got) == {"k1", f"{path.name}:3"}
    assert got["k1"].reference == "Öffnen Sie die Tür."
    assert got[f"{path.name}:3"].reference is None  # an empty cell is no reference
    assert {(r.src_lang, r.tgt_lang) for r in records} == {("en", "de")}


def test_csv_with_configured_columns_and_quoted_newlines(tmp_path):
    path = tmp_path / "job.csv"
    path.write_text('key,en_text,ja_text\n'
                    'q1,"First line,\nsecond line",一行目\n'
                    'q2,Plain,平文\n', encoding="utf-8")
    records, problems = read(path, src_lang="en", tgt_lang="ja", id_column="key",
                             source_column="en_text", translation_column="ja_text")
    assert problems == []
    got = by_id(records)
    assert got["q1"].source == "First line,\nsecond line"
    assert got["q2"].location == "line 4"  # the quoted newline took a line
    assert got["q2"].tgt_lang == "ja"


def test_csv_missing_column_and_ragged_row(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("source,target\nHi,Salut\n", encoding="utf-8")
    records, problems = read(path, src_lang="en", tgt_lang="fr")
    assert records == [] and len(problems) == 1
    assert "missing column 'translation'" in problems[0].message and "--translation-column" in problems[0].message
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("source,translation\nHi,Salut,extra\nBye,Au revoir\n", encoding="utf-8")
    records, problems = read(ragged, src_lang="en", tgt_lang="fr")
    assert [r.source for r in records] == ["Bye"]
    assert problems[0].location == "line 2" and "3 fields" in problems[0].message


# -- XLIFF ---------------------------------------------------------------------------------

XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="menu.properties" source-language="en-US" target-language="nl_NL" datatype="plaintext">
    <body>
      <trans-unit id="save"><source>Save <g id="b">all</g> files</source><target>Alle bestanden opslaan</target></trans-unit>
      <trans-unit id="quit"><source>Quit</source><target>Afsluiten</target></trans-unit>
      <trans-unit id="todo"><source>Not yet</source></trans-unit>
      <trans-unit id="brand" translate="no"><source>Lacuna</source><target>Lacuna</target></trans-unit>
    </body>
  </file>
</xliff>
"""

XLIFF12_TWO_FILES = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="a.txt" source-language="en" target-language="it"><body>
    <trans-unit id="1"><source>Yes</source><target>Sì</target></trans-unit></body></file>
  <file original="b.txt" source-language="en" target-language="es"><body>
    <trans-unit id="1"><source>No</source><target>No</target></trans-unit></body></file>
</xliff>
"""

XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="ko">
  <file id="f1">
    <unit id="greeting">
      <segment id="s1"><source>Good morning.</source><target>좋은 아침.</target></segment>
      <segment id="s2"><source>See you.</source><target>또 봐요.</target></segment>
    </unit>
    <unit id="thanks"><segment><source>Thanks <pc id="1">a lot</pc></source><target>정말 고마워요</target></segment></unit>
  </file>
</xliff>
"""


def test_xliff12_units_languages_and_skips(tmp_path):
    path = tmp_path / "menu.xlf"
    path.write_text(XLIFF12, encoding="utf-8")
    records, problems = read(path)
    assert problems == []
    got = by_id(records)
    assert set(got) == {f"{path.name}:save", f"{path.name}:quit"}  # untranslated and translate="no" skipped
    save = got[f"{path.name}:save"]
    assert (save.source, save.translation) == ('Save <g id="b">all</g> files', "Alle bestanden opslaan")
    assert [(c["kind"], c["start"], c["end"]) for c in save.source_codes] == [("open", 5, 15), ("close", 18, 22)]
    assert (save.src_lang, save.tgt_lang) == ("en-US", "nl-NL")
    assert "unit 'save'" in save.location
    # flags override the file's languages; --include-untranslated scores the empty target
    records, _ = read(path, tgt_lang="nl", include_untranslated=True)
    got = by_id(records)
    assert got[f"{path.name}:todo"].translation == "" and got[f"{path.name}:quit"].tgt_lang == "nl"


def test_xliff12_several_files_prefix_ids(tmp_path):
    path = tmp_path / "two.xliff"
    path.write_text(XLIFF12_TWO_FILES, encoding="utf-8")
    records, problems = read(path)
    assert problems == []
    assert {(r.id, r.tgt_lang) for r in records} == {(f"{path.name}:a.txt/1", "it"), (f"{path.name}:b.txt/1", "es")}


def test_xliff2_segments(tmp_path):
    path = tmp_path / "greet.xlf"
    path.write_text(XLIFF20, encoding="utf-8")
    records, problems = read(path)
    assert problems == []
    got = by_id(records)
    assert set(got) == {f"{path.name}:greeting::s1", f"{path.name}:greeting::s2", f"{path.name}:thanks"}
    assert got[f"{path.name}:thanks"].source == 'Thanks <pc id="1">a lot</pc>'
    assert {(r.src_lang, r.tgt_lang) for r in records} == {("en", "ko")}


def test_xliff_not_well_formed(tmp_path):
    path = tmp_path / "broken.xlf"
    path.write_text('<?xml version="1.0"?>\n<xliff version="1.2">\n<file>\n</xliff>\n', encoding="utf-8")
    records, problems = read(path)
    assert records == [] and len(problems) == 1
    assert problems[0].location.startswith("line ") and "XML" in problems[0].message


# -- TMX -----------------------------------------------------------------------------------

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="tests" creationtoolversion="1" segtype="sentence" o-tmf="none"
          adminlang="en" srclang="en" datatype="plaintext"/>
  <body>
    <tu tuid="rain"><tuv xml:lang="en"><seg>It rains.</seg></tuv><tuv xml:lang="pt-BR"><seg>Chove.</seg></tuv></tu>
    <tu><tuv xml:lang="pt-BR"><seg>Faz sol.</seg></tuv><tuv xml:lang="en"><seg>It is sunny.</seg></tuv></tu>
    <tu tuid="wind"><tuv xml:lang="en"><seg>Windy.</seg></tuv><tuv xml:lang="pt-BR"><seg>Ventoso.</seg></tuv>
        <tuv xml:lang="fr"><seg>Venteux.</seg></tuv></tu>
  </body>
</tmx>
"""


def test_tmx_variants_ids_and_languages(tmp_path):
    path = tmp_path / "memory.tmx"
    path.write_text(TMX, encoding="utf-8")
    records, problems = read(path)
    got = by_id(records)
    assert set(got) == {f"{path.name}:rain", f"{path.name}:7"}  # tuid, else the line of the <tu>
    assert (got[f"{path.name}:7"].source, got[f"{path.name}:7"].translation) == ("It is sunny.", "Faz sol.")
    assert (got[f"{path.name}:rain"].src_lang, got[f"{path.name}:rain"].tgt_lang) == ("en", "pt-BR")
    assert len(problems) == 1 and "several target languages" in problems[0].message
    assert "wind" in problems[0].location
    # --tgt-lang picks the variant (a base language matches a regional tag)
    records, problems = read(path, tgt_lang="fr")
    assert problems == []
    assert [(r.id, r.translation, r.tgt_lang) for r in records] == [(f"{path.name}:wind", "Venteux.", "fr")]
    records, _ = read(path, tgt_lang="pt")
    assert {r.tgt_lang for r in records} == {"pt-BR"} and len(records) == 3


# -- PO ------------------------------------------------------------------------------------

PO = r'''msgid ""
msgstr ""
"Language: cs\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;\n"

#: app.c:12
msgid "Print"
msgstr "Tisk"

msgctxt "verb"
msgid "Open"
msgstr "Otevřít"

msgid "Later"
msgstr ""

#, fuzzy
msgid "%d page"
msgid_plural "%d pages"
msgstr[0] "%d stránka"
msgstr[1] "%d stránky"
msgstr[2] "%d stránek"

#~ msgid "Old"
#~ msgstr "Staré"
'''


def test_po_entries_plurals_and_header_language(tmp_path):
    path = tmp_path / "app.po"
    path.write_text(PO, encoding="utf-8")
    records, problems = read(path, src_lang="en")
    assert problems == []
    assert set(by_id(records)) == {f"{path.name}:8", f"{path.name}:12"}  # fuzzy, obsolete, untranslated skipped
    records, problems = read(path, src_lang="en", include_unready=True)
    got = by_id(records)
    assert set(got) == {f"{path.name}:8", f"{path.name}:12", f"{path.name}:19", f"{path.name}:19[1]",
                        f"{path.name}:19[2]", f"{path.name}:25"}  # and the obsolete one
    assert got[f"{path.name}:12"].translation == "Otevřít"
    assert (got[f"{path.name}:19[2]"].source, got[f"{path.name}:19[2]"].translation) == ("%d pages", "%d stránek")
    assert got[f"{path.name}:19"].labels == {"fuzzy": "true", "plural_form": "one"}
    assert got[f"{path.name}:19[1]"].labels["plural_form"] == "few"
    assert got[f"{path.name}:12"].labels == {"context": "verb"}
    assert {(r.src_lang, r.tgt_lang) for r in records} == {("en", "cs")}
    records, _ = read(path, src_lang="en", tgt_lang="sk")  # the flag overrides the header
    assert {r.tgt_lang for r in records} == {"sk"}


def test_po_needs_a_source_language(tmp_path):
    path = tmp_path / "app.po"
    path.write_text(PO, encoding="utf-8")
    records, problems = read(path)
    assert records == [] and problems and "--src-lang" in problems[0].message


# -- files ---------------------------------------------------------------------------------

def test_format_detection_and_missing_files(tmp_path):
    assert detect_format("a/b.XLIFF") == "xliff" and detect_format("x.tab") == "tsv"
    assert detect_format("data.txt", "jsonl") == "jsonl"
    with pytest.raises(ValueError, match="--format"):
        detect_format("notes.txt")
    records, problems = read(tmp_path / "absent.jsonl")
    assert records == [] and problems[0].message == "no such file"
    records, problems = read(tmp_path / "notes.txt")
    assert "--format" in problems[0].message


def test_ids_use_the_normalised_path(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "job.jsonl"
    path.write_text('{"source": "Hi.", "translation": "Hallo.", "src_lang": "en", "tgt_lang": "de"}\n',
                    encoding="utf-8")
    records, _ = read(f"{tmp_path}/sub/.././job.jsonl")
    assert [(r.id, r.source_file) for r in records] == [(f"{path.name}:1", str(path))]
