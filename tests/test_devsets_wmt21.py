"""The WMT21 document-drop builder (bench/devsets/build.py wmt21) on tiny synthetic test-set files:
documents, paragraphs and chunks read right, and the gold of every row points at what was removed."""

from __future__ import annotations

import importlib.util
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench"))

import devsets  # noqa: E402

_spec = importlib.util.spec_from_file_location("devsets_build", devsets.HERE / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def _seg(i: int, text: str) -> str:
    return f'<seg id="{i}">{text}</seg>'


def _xml() -> str:
    """Two English→Japanese documents: one with paragraph markup (3 <p>), one without (one <p>,
    as in all of newstest2021); a second translator whose reference must be ignored; a third
    document without translator A."""
    en = [f"English sentence {i} &amp; more." for i in range(1, 8)]
    ja = [f"日本語の文{i}です。" for i in range(1, 8)]
    paras = [[0], [1, 2, 3], [4, 5, 6]]

    def side(tag, lang, texts, groups, extra=""):
        body = "".join("<p>" + "".join(_seg(i + 1, texts[i]) for i in g) + "</p>" for g in groups)
        return f'<{tag} lang="{lang}"{extra}>{body}</{tag}>'

    one_p = [[0, 1, 2, 3]]
    return ("<?xml version='1.0' encoding='utf-8'?><dataset id='newstest2021'>"
            '<doc origlang="en" id="site.1">' + side("src", "en", en, paras)
            + side("ref", "ja", ["B" + t for t in ja], paras, ' translator="B"')
            + side("ref", "ja", ja, paras, ' translator="A"') + "</doc>"
            '<doc origlang="en" id="site.2">' + side("src", "en", en, one_p)
            + side("ref", "ja", ja, one_p, ' translator="A"') + "</doc>"
            '<doc origlang="en" id="site.3">' + side("src", "en", en, one_p)
            + side("ref", "ja", ja, one_p, ' translator="B"') + "</doc></dataset>")


def test_xml_documents_keep_paragraphs_and_translator_a():
    docs = build.wmt21_xml_documents(_xml())
    assert [d["doc"] for d in docs] == ["site.1", "site.2"]
    first, second = docs
    assert first["source"][0] == "English sentence 1 & more." and first["target"][0] == "日本語の文1です。"
    assert first["paragraphs"] == [1, 3, 3]
    assert second["paragraphs"] == [1, 1, 1, 1]  # no paragraph markup: every segment (article line) its own


def test_dropped_and_clean_rows_carry_gold_that_points_at_the_removed_sentences():
    docs = build.wmt21_xml_documents(_xml())
    records = build.wmt21_records(docs, "en-ja", max_docs=0)
    records[0]["drop"] = [2, 3]  # the last two segments of the second paragraph
    rows = devsets.wmt21_rows("docdrop-wmt21-en-ja", records)
    assert len(rows) == 4
    by_id = {r["id"]: r for r in rows}
    drop, clean = by_id["docdrop-wmt21-en-ja:site.1:drop"], by_id["docdrop-wmt21-en-ja:site.1:clean"]
    assert drop["source"] == clean["source"] == (
        "English sentence 1 & more.\n\nEnglish sentence 2 & more. English sentence 3 & more. "
        "English sentence 4 & more.\n\nEnglish sentence 5 & more. English sentence 6 & more. English sentence 7 & more.")
    assert clean["translation"] == "日本語の文1です。\n日本語の文2です。日本語の文3です。日本語の文4です。\n日本語の文5です。日本語の文6です。日本語の文7です。"
    assert drop["translation"] == "日本語の文1です。\n日本語の文2です。\n日本語の文5です。日本語の文6です。日本語の文7です。"
    gold = drop["gold"]
    assert gold["label"] == 1 and not gold["clean"] and gold["omitted_sentences"] == [2, 3]
    assert [drop["source"][a:b] for a, b in gold["omitted_spans"]] == ["English sentence 3 & more.",
                                                                         "English sentence 4 & more."]
    assert [drop["source"][a:b] for a, b in gold["sentence_spans"]] == docs[0]["source"]
    assert gold["target_sentence_ids"] == [0, 1, 4, 5, 6]
    assert [drop["translation"][a:b] for a, b in gold["target_sentence_spans"]] == \
        [docs[0]["target"][i] for i in gold["target_sentence_ids"]]
    c = clean["gold"]
    assert c["clean"] and c["label"] == 0 and c["omitted_spans"] == [] and c["omitted_sentences"] == []
    assert c["target_sentence_ids"] == list(range(7))
    assert all(devsets.row_split(r) == "test" for r in rows)  # held out whole


def test_a_whole_dropped_paragraph_leaves_no_empty_line():
    docs = build.wmt21_xml_documents(_xml())
    record = build.wmt21_records(docs, "en-ja", max_docs=0)[1]
    record["drop"] = [1]
    drop = devsets.wmt21_rows("docdrop-wmt21-en-ja", [record])[0]
    assert drop["translation"] == "日本語の文1です。\n日本語の文3です。\n日本語の文4です。"
    assert drop["source"].count("\n\n") == 3


def test_drops_are_fixed_and_within_bounds():
    docs = [{"doc": f"d{i}", "source": [f"s{k}." for k in range(n)], "target": [f"t{k}." for k in range(n)],
             "paragraphs": [1] * n} for i, n in enumerate([2, 3, 5, 12, 30, 31, 75])]
    first = build.wmt21_records(docs, "de-en", max_docs=0)
    assert first == build.wmt21_records(docs, "de-en", max_docs=0)
    sizes = {r["doc"]: len(r["source"]) for r in first}
    assert "d0" not in sizes and sizes["d1"] == 3 and sizes["d4"] == 30
    assert all(3 <= n <= 30 for n in sizes.values())
    assert sorted(k for k in sizes if k.startswith("d6#")) == ["d6#1", "d6#2", "d6#3"]  # 75 -> 25 + 25 + 25
    for r in first:
        assert 1 <= len(r["drop"]) <= 4 and len(r["drop"]) <= max(1, len(r["source"]) - 2)
        assert set(r["drop"]) <= set(range(len(r["source"])))
    assert len(build.wmt21_records(docs, "de-en", max_docs=3)) == 3


def test_chunks_cut_at_paragraph_boundaries():
    doc = {"doc": "long", "source": [f"s{k}." for k in range(40)], "target": [f"t{k}." for k in range(40)],
           "paragraphs": [7, 7, 7, 7, 12]}
    chunks = build.chunk_document(doc)
    assert [c["paragraphs"] for c in chunks] == [[7, 7], [7, 7], [12]]
    assert [c["source"][0] for c in chunks] == ["s0.", "s14.", "s28."]


def test_document_boundaries_from_other_files():
    # English: the XML's documents found in a file where a segment was edited
    xml_docs = [{"doc": "a", "source": ["A1", "A2", "A3"]}, {"doc": "b", "source": ["B1", "B2", "B3", "B4"]}]
    lines = ["A1", "A2", "A3", "B1 (edited)", "B2", "B3", "B4", "X1", "X2"]
    assert build.mapped_spans(lines, xml_docs) == [(0, 3, "a"), (3, 7, "b")]
    # Chinese: pages start at a title with a site name after a dash
    zh = ["标题一-新华网", "正文。", "正文。", "标题二 - 湖南日报网 - 华声在线", "正文。"]
    assert build.title_spans(zh, "zh-en") == [(0, 3, "zh-en-line1"), (3, 5, "zh-en-line4")]
    # German: the DA's document lengths, and the one cut into headline-started documents they allow
    csv = "HITId WorkerId src trg item hit sys_id rid type sid score time\n" + "\n".join(
        f"H{h} W sys x ad 1 S 1 SYSTEM {sid} 0.1 1" for h, sids in ((1, [1, 2, 3, 4, 5]), (2, [3, 4, 5]))
        for sid in sids)
    assert build.da_document_lengths(csv) == [2, 3]
    de = ["Titel eins", "Satz.", "Titel zwei", "Satz.", "Satz."]
    assert build.forced_spans(de, [3, 2], "de-en") == [(0, 2, "de-en-line1"), (2, 5, "de-en-line3")]
