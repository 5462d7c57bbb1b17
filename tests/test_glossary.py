"""Glossary readers: TBX v2/v3, CSV/TSV, do-not-translate lists, and their error messages."""

from __future__ import annotations

import pathlib

import pytest

from lacuna.glossary import GlossaryError, read_glossary, term_is_case_sensitive

DATA = pathlib.Path(__file__).parent / "data" / "glossary"


def _entry(glossary, src, tgt, term):
    return next(e for e in glossary.for_pair(src, tgt) if term in e.source_terms)


def test_tbx_v2_reads_status_part_of_speech_and_language_subtags():
    g = read_glossary(str(DATA / "acme.tbx"))
    file_de = _entry(g, "en", "de", "file")
    assert file_de.targets == ("Datei",) and file_de.forbidden == ("Akte",)
    assert file_de.part_of_speech == "noun"
    assert _entry(g, "en", "zh", "file").forbidden == ("档案",)
    assert _entry(g, "de", "en", "Datei").targets == ("file",)  # every direction of a concept
    assert not any("Akte" in e.source_terms for e in g.entries)  # a deprecated term triggers nothing
    assert _entry(g, "en", "fr", "user account").targets == ("compte utilisateur",)


def test_tbx_v3_with_namespace():
    g = read_glossary(str(DATA / "acme-v3.tbx"))
    entry = _entry(g, "en", "de", "folder")
    assert entry.targets == ("Ordner",) and entry.forbidden == ("Verzeichnis",)


def test_csv_columns_and_dnt_rows():
    g = read_glossary(str(DATA / "acme.csv"))
    assert _entry(g, "en", "de", "password").targets == ("Passwort", "Kennwort")
    assert _entry(g, "en", "fr", "save").forbidden == ("sauvegarder",)
    dnt = _entry(g, "en", "ko", "ACME Cloud")  # no languages: any pair
    assert dnt.do_not_translate and dnt.case_sensitive is True
    assert not g.for_pair("en", "it")[0].targets  # only the language-free DNT row applies


def test_tsv_and_word_list():
    assert _entry(read_glossary(str(DATA / "small.tsv")), "en", "de", "window").targets == ("Fenster",)
    names = read_glossary(str(DATA / "names.txt"))
    assert [e.source_terms for e in names.entries] == [("Lacuna",), ("NATO",)]
    assert all(e.do_not_translate for e in names.entries)


@pytest.mark.parametrize("name, text, message", [
    ("g.csv", "term_source,target\nfile,Datei\n", "line 1: the header has no source column"),
    ("g.csv", "source,target\nfile,\n", "line 2: target: empty"),
    ("g.csv", "source,target,tgt_lang\nfile,Datei,xx\n", "line 2: tgt_lang: unknown language code 'xx'"),
    ("g.csv", "source,target,case_sensitive\nfile,Datei,maybe\n", "line 2: case_sensitive: expected yes or no"),
    ("g.tbx", "<martif><text><body><termEntry>", "cannot read as TBX"),
    ("g.tbx", "<html/>", "not a TBX file"),
    ("g.tbx", "<martif><text><body><termEntry><langSet><tig><term>x</term></tig></langSet></termEntry></body></text></martif>",
     "without xml:lang"),
    ("g.xlsx", "", "unknown glossary format"),
])
def test_bad_files_name_file_and_line(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError) as err:
        read_glossary(str(path))
    assert message in str(err.value) and str(path) in str(err.value)


def test_case_sensitivity_by_term():
    assert term_is_case_sensitive("iPhone") and term_is_case_sensitive("NATO")
    assert not term_is_case_sensitive("Save As") and not term_is_case_sensitive("file")
