"""The committed development sets of bench/devsets/ (issue 14): present, well-formed, gold consistent."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import sys
from collections import Counter

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench"))

import devsets  # noqa: E402

_spec = importlib.util.spec_from_file_location("devsets_build", devsets.HERE / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

COMMITTED = [f"docdrop-{d}" for d in devsets.DOC_DIRECTIONS] + ["ui-strings", "mlqe-pe-en-ja", "mlqe-pe-en-de"]


def _check_row(row: dict) -> None:
    for field in ("id", "src_lang", "tgt_lang", "source", "translation", "gold", "set", "kind"):
        assert field in row, f"{row.get('id')}: missing {field}"
    assert row["source"].strip() and row["translation"].strip(), row["id"]
    gold = row["gold"]
    assert gold["label"] in (0, 1)
    if row["kind"] in ("annotated", "training"):  # a label may come without spans, never spans without a label
        assert gold["label"] or not gold["omitted_spans"], row["id"]
    else:
        assert gold["label"] == int(bool(gold["omitted_spans"])), row["id"]
    for start, end in gold["omitted_spans"]:
        assert 0 <= start < end <= len(row["source"]), (row["id"], start, end)


def test_committed_sets_are_listed():
    assert set(COMMITTED) <= set(devsets.names())
    with pytest.raises(KeyError, match="unknown development set"):
        devsets.load("no-such-set")


@pytest.mark.parametrize("name", [f"docdrop-{d}" for d in devsets.DOC_DIRECTIONS])
def test_document_drops(name):
    rows = devsets.load(name)
    assert len(rows) >= 200
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids)
    by_doc = {}
    for row in rows:
        _check_row(row)
        gold = row["gold"]
        spans = gold["sentence_spans"]
        assert 3 <= len(spans) <= 30, row["id"]
        # sentence spans: in order, not overlapping, each a whole trimmed sentence of the source
        for (s0, e0), (s1, e1) in zip(spans, spans[1:]):
            assert e0 <= s1
        for start, end in spans:
            sentence = row["source"][start:end]
            assert sentence and sentence == sentence.strip(), (row["id"], sentence)
        assert "".join(row["source"][s:e] for s, e in spans).replace(" ", "") == \
            row["source"].replace(" ", "").replace("\n", "")
        assert gold["omitted_spans"] == [spans[i] for i in gold["omitted_sentences"]]
        kept = [i for i in range(len(spans)) if i not in gold["omitted_sentences"]]
        assert gold["target_sentence_ids"] == kept
        assert len(gold["target_sentence_spans"]) == len(kept)
        for start, end in gold["target_sentence_spans"]:
            sentence = row["translation"][start:end]
            assert sentence and sentence == sentence.strip(), (row["id"], sentence)
        if gold["clean"]:
            assert not gold["omitted_sentences"]
        else:
            assert 1 <= len(gold["omitted_sentences"]) <= 4
        by_doc.setdefault(row["id"].rsplit(":", 1)[0], {})["clean" if gold["clean"] else "drop"] = row
    for doc, pair in by_doc.items():
        clean, drop = pair["clean"], pair["drop"]
        assert clean["source"] == drop["source"], doc
        assert len(drop["translation"]) < len(clean["translation"]), doc


def test_document_drops_come_in_at_least_four_pairs_including_en_ja():
    directions = {tuple(d.split("-")) for d in devsets.DOC_DIRECTIONS}
    assert ("en", "ja") in directions and len(directions) >= 4
    clean = {name: {r["id"].split(":")[1]: r for r in devsets.load(name) if r["gold"]["clean"]}
             for name in ("docdrop-en-ja", "docdrop-ja-en")}
    assert clean["docdrop-en-ja"].keys() == clean["docdrop-ja-en"].keys()
    for doc, row in clean["docdrop-en-ja"].items():
        mirror = clean["docdrop-ja-en"][doc]
        assert (row["source"], row["translation"]) == (mirror["translation"], mirror["source"]), doc


def test_document_lines_follow_the_article():
    """The headline and every English line that does not end as a sentence (a subheading, a
    bullet, a caption) stand on lines of their own, in every language; a dropped copy has no line
    for what it lacks (no empty line, no first body sentence moved onto the headline's line)."""
    english = ["Storm closes the pass", "Snow fell all night.", "Drivers turned back,", "said the police.",
               "What drivers should know", "The road reopens on Friday.", "Photo: the pass (Police)"]
    assert devsets.article_lines(english) == [1, 3, 1, 1, 1]
    text, spans = devsets.join_sentences(english, "en", None, [1, 3, 1, 1, 1])
    assert text.split("\n") == ["Storm closes the pass", "Snow fell all night. Drivers turned back, said the police.",
                                 "What drivers should know", "The road reopens on Friday.", "Photo: the pass (Police)"]
    assert [text[a:b] for a, b in spans] == english
    dropped, kept = devsets.join_sentences(english, "en", {1, 2, 3, 5, 6}, [1, 3, 1, 1, 1])
    assert dropped.split("\n") == ["Snow fell all night. Drivers turned back, said the police.",
                                    "The road reopens on Friday.", "Photo: the pass (Police)"]
    assert [dropped[a:b] for a, b in kept] == [english[i] for i in (1, 2, 3, 5, 6)]
    row = next(r for r in devsets.load("docdrop-en-de") if r["id"] == "docdrop-en-de:bbc.381746:clean")
    assert "\nLivingston miss chances against blunt visitors\n" in row["source"]
    assert row["source"].count("\n") == row["translation"].count("\n")


def test_ui_strings():
    rows = devsets.load("ui-strings")
    assert len(rows) >= 500
    langs = Counter(row["tgt_lang"] for row in rows)
    assert {"ja", "zh"} <= set(langs) and len(langs) >= 4
    assert all(count >= 100 for count in langs.values()), langs
    for row in rows:
        _check_row(row)
        assert len(row["source"].split()) <= 6, row["id"]
        assert row["gold"]["label"] == 0


@pytest.mark.parametrize("name", ["mlqe-pe-en-ja", "mlqe-pe-en-de"])
def test_post_edit_sets(name):
    rows = devsets.load(name)
    assert len(rows) == 1000
    for row in rows:
        _check_row(row)
        assert row["kind"] == "annotated" and (row["src_lang"], row["tgt_lang"]) == tuple(name.split("-")[-2:])
        assert row["gold"]["label"] == int(row["bad_gaps"] >= build.MLQE_MIN_GAPS)
    positives = sum(row["gold"]["label"] for row in rows)
    assert 50 <= positives <= 950  # both classes present, so an AUC is defined


def test_rows_convert_to_halomi_rows_for_refitting():
    rows = devsets.load("mlqe-pe-en-de")[:50]
    converted = devsets.as_halomi_rows(rows)
    assert [c.src_text for c in converted] == [r["source"] for r in rows]
    assert [c.omit_class > 0 for c in converted] == [bool(r["gold"]["label"]) for r in rows]
    assert {c.direction for c in converted} == {"en-de"} and {c.data_source for c in converted} == {"mlqe-pe-en-de"}


def test_mqm_marks_become_source_spans():
    text, spans = build._strip_marks("我们用<v>肉眼</v>就能看到<v>天上的</v>繁星。")
    assert text == "我们用肉眼就能看到天上的繁星。"
    assert [text[s:e] for s, e in spans] == ["肉眼", "天上的"]
    assert build._strip_marks("no marks") == ("no marks", [])


def test_pathology_corpus_rows_become_omission_labels_without_hallucinations():
    csv_text = (",src,mt,ref,repetitions,named-entities,omission,strong-unsupport,full-unsupport\n"
                "0,Das Haus ist alt und sehr schön.,The house is old.,The house is old and very pretty.,0,0,1,0,0\n"
                '1,"Wir gehen heute, sagte sie.","We are going today, she said.",x,0,0,0,0,0\n'
                "2,Der Zug kommt spät.,The weather is nice today.,x,0,0,0,0,1\n"
                "3,Er kam nach Bonn.,He came to Berlin.,x,0,1,0,0,0\n"
                "4,Ein stolzes Jubiläum.,A proud one.,x,0,0,1,1,0\n")
    rows = build.pathology_rows(csv_text)
    assert [(r["id"], r["label"], r["categories"]) for r in rows] == [
        ("nmt-pathologies-de-en:0", 1, ["omission"]), ("nmt-pathologies-de-en:1", 0, []),
        ("nmt-pathologies-de-en:3", 0, ["named-entities"])]
    assert rows[1]["source"] == "Wir gehen heute, sagte sie." and rows[1]["src_lang"] == "de"


@pytest.mark.parametrize("pair", devsets.MLQE_DEV_PAIRS)
def test_mlqe_wmt20_fitting_sets(pair):
    rows = devsets.load(f"mlqe-pe-wmt20-{pair}")
    assert len(rows) == 1000 and all(r["kind"] == "training" for r in rows)
    for row in rows[:50]:
        _check_row(row)
        assert row["gold"]["label"] == int(row["bad_gaps"] >= 2)
        assert " ," not in row["translation"] and " ." not in row["source"][-3:]  # detokenized
    assert 0.05 < sum(r["gold"]["label"] for r in rows) / len(rows) < 0.5
    assert not {f"mlqe-pe-wmt20-{pair}"} & set(devsets.names())  # never scored as a development set


def test_detokenizing_the_wmt20_files():
    assert build.detokenize("He said , \" yes \" ( twice ) .", "en") == 'He said, " yes " (twice).'
    assert build.detokenize("人们 注意 到   Van   Houtte   男爵夫人 。", "zh") == "人们注意到Van Houtte男爵夫人。"


def test_document_drop_pairs_come_from_the_dev_half_only():
    rows = devsets.load("docdrop-pairs-en-ja")
    docs = {r["id"].split(":")[1] for r in rows}
    assert docs and all(devsets.split(d) == "dev" for d in docs)
    joined = [r for r in rows if r["gold"]["label"]]
    assert joined and all("+" in r["id"] for r in joined)
    single = {r["id"]: r for r in rows if not r["gold"]["label"]}
    for row in joined[:20]:  # the source of a joined pair begins with the source of the kept pair
        doc, pair = row["id"].split(":")[1:]
        kept = single[f"docdrop-pairs-en-ja:{doc}:{pair.split('+')[0]}"]
        assert row["source"].startswith(kept["source"]) and row["translation"] == kept["translation"]
        assert len(row["source"]) > len(kept["source"])


def test_clause_drops_cut_a_clause_from_dev_half_translations_beside_pairs_of_the_same_length_ratio():
    """Each drop is its sentence's translation less one clause (never the first), from the dev
    half; the untouched pairs beside them are as many and their length ratios are closer to the
    drops' than the dev half's pairs in general are."""
    import math

    for direction in ("en-ja", "de-en"):
        src, tgt = direction.split("-")
        rows = devsets.load(f"clause-drops-{direction}")
        docs = {d["doc"]: d["sentences"] for d in devsets._ntrex()[0]}
        cut = [r for r in rows if r["gold"]["label"]]
        kept = [r for r in rows if not r["gold"]["label"]]
        assert len(cut) == len(kept) == 120 and len({r["id"] for r in rows}) == 240
        for row in cut:
            doc, i = row["id"].split(":")[1], int(row["id"].split(":")[2])
            assert devsets.split(doc) == "dev" and i > 0
            original = docs[doc][tgt][i]
            assert row["source"] == docs[doc][src][i] and len(row["translation"]) < 0.9 * len(original)
            head = re.split(r"[,、，;；]", original)[0].rstrip()
            assert row["translation"].startswith(head)  # the first clause stays
        for row in kept:
            doc, i = row["id"].split(":")[1], int(row["id"].split(":")[2])
            assert row["translation"] == docs[doc][tgt][i]

        def mean_ratio(rs):
            return sum(math.log(len(r["translation"]) / len(r["source"])) for r in rs) / len(rs)

        every = [r for r in devsets.load(f"docdrop-pairs-{direction}") if not r["gold"]["label"]]
        assert abs(mean_ratio(cut) - mean_ratio(kept)) < abs(mean_ratio(cut) - mean_ratio(every))
    assert "clause-drops-en-ja" in devsets.training_names() and "clause-drops-en-ja" not in devsets.names()


def test_phrase_drops_remove_a_few_words_from_inside_a_translation():
    """Each drop is its sentence's translation less a run of 2-5 words (never the first or the
    last), from the dev half, beside as many untouched pairs; none for a language without spaces."""
    rows = devsets.load("phrase-drops-de-en")
    docs = {d["doc"]: d["sentences"] for d in devsets._ntrex()[0]}
    cut = [r for r in rows if r["gold"]["label"]]
    assert len(cut) == 120 == len(rows) - len(cut)
    for row in cut:
        doc, i = row["id"].split(":")[1], int(row["id"].split(":")[2])
        words, kept = docs[doc]["en"][i].split(" "), row["translation"].split(" ")
        assert devsets.split(doc) == "dev" and 2 <= len(words) - len(kept) <= 5
        assert kept[0] == words[0] and kept[-1] == words[-1]
        gone = len(words) - len(kept)
        assert any(kept == words[:k] + words[k + gone:] for k in range(1, len(kept)))
    with pytest.raises(KeyError):
        devsets.load("phrase-drops-en-ja")
    assert "phrase-drops-zh-en" in devsets.training_names()


def test_split_separates_documents_into_dev_and_test_halves():
    """Every document is in one half for every direction, the halves are about even, and the
    split depends only on the document id."""
    by_doc: dict[str, set[str]] = {}
    for direction in devsets.DOC_DIRECTIONS:
        for row in devsets.load(f"docdrop-{direction}"):
            by_doc.setdefault(row["id"].split(":")[1], set()).add(devsets.row_split(row))
    assert all(len(halves) == 1 for halves in by_doc.values())
    test = sum(halves == {"test"} for halves in by_doc.values())
    assert 0.35 * len(by_doc) < test < 0.65 * len(by_doc)
    assert devsets.split("bbc.381790") == devsets.split("bbc.381790") in ("dev", "test")


def test_in_split_keeps_one_half_of_the_documents_and_every_row_without_one():
    """--split dev and --split test of bench_generalization take disjoint halves that make up the
    whole set; rows of sets without documents are in every split; an unknown split is refused."""
    rows = devsets.load("docdrop-en-ja")
    dev = [r["id"] for r in rows if devsets.in_split(r, "dev")]
    test = [r["id"] for r in rows if devsets.in_split(r, "test")]
    assert dev and test and not set(dev) & set(test)
    assert sorted(dev + test) == sorted(r["id"] for r in rows if devsets.in_split(r, "all"))
    ui = devsets.load("ui-strings")[:3]
    assert all(devsets.in_split(r, "test") and devsets.in_split(r, "dev") for r in ui)
    with pytest.raises(ValueError, match="unknown split"):
        devsets.in_split(rows[0], "train")


def test_ntrex_documents_in_more_languages_build_load_and_stay_evaluation_only(tmp_path, monkeypatch):
    """build.py ntrex-more reads NTREX's line files for the extra languages; devsets then loads
    each direction as dropped/clean rows, held out from fitting, in their documents' halves."""
    english = ["Storm closes pass", "Snow fell all night.", "The road is shut.", "It opens on Monday."]
    other = {"cs": ["Bouře uzavřela průsmyk", "Celou noc sněžilo.", "Silnice je zavřená.", "Otevře se v pondělí."]}
    files = {"DOCUMENT_IDS.tsv": "\n".join(["doc.1"] * 4)}
    files[f"NTREX-128/newstest2019-{build.NTREX_LANGS['en']}.txt"] = "\n".join(english)
    for lang, stem in build.NTREX_MORE_LANGS.items():
        files[f"NTREX-128/newstest2019-{stem}.txt"] = "\n".join(other.get(lang, other["cs"]))
    monkeypatch.setattr(build, "git_show", lambda repo, path: files[path])
    monkeypatch.setattr(build, "BUILT", tmp_path)
    monkeypatch.setattr(devsets, "BUILT", tmp_path)
    devsets._ntrex_more.cache_clear()
    try:
        build.build_ntrex_more(tmp_path)
        assert set(build.NTREX_MORE_DIRECTIONS) == set(devsets.NTREX_MORE_DIRECTIONS)
        assert "docdrop-ntrex-en-cs" in devsets.names()
        rows = devsets.load("docdrop-ntrex-en-cs")
    finally:
        devsets._ntrex_more.cache_clear()
    assert [row["gold"]["clean"] for row in rows] == [False, True]
    dropped, clean = rows
    for row in rows:
        _check_row(row)
        assert row["source"].startswith("Storm closes pass\n")
        assert devsets.row_split(row) == devsets.split("doc.1")  # the document's half, unlike WMT21's "test"
    assert clean["translation"].count("sněžilo") == 1
    lost = [other["cs"][i] for i in dropped["gold"]["omitted_sentences"]]
    assert lost and not any(sentence in dropped["translation"] for sentence in lost)
    assert devsets.evaluation_only("docdrop-ntrex-en-cs") and devsets.evaluation_only("docdrop-wmt21-en-ja")
    assert not devsets.evaluation_only("docdrop-en-ja")
    with pytest.raises(KeyError, match="no docdrop-ntrex- set"):
        devsets.load("docdrop-ntrex-en-xx")


def test_ui_strings_in_more_languages_build_and_load(tmp_path, monkeypatch):
    """build.py ui-more pairs the projects' English strings with the extra locales' (short ones,
    no placeholders, non-empty); devsets loads them as the evaluation-only ui-strings-more."""
    english = {"app": {"save": "Save", "long": "One two three four five six seven", "ph": "Hello {{name}}",
                       "empty": "Undo"}}
    translated = {"app": {"save": "Зберегти", "long": "Один два три чотири п'ять шість сім", "ph": "Привіт {{name}}",
                          "empty": ""}}
    def fake_show(repo, path):
        return json.dumps(english if path.endswith(("/en.json",)) else translated)
    monkeypatch.setattr(build, "git_show", fake_show)
    monkeypatch.setattr(build, "BUILT", tmp_path)
    monkeypatch.setattr(devsets, "BUILT", tmp_path)
    build.build_ui_more({"excalidraw": tmp_path, "uptime-kuma": tmp_path})
    rows = devsets.load("ui-strings-more")
    assert {r["source"] for r in rows} == {"Save"}  # too long, placeholders and empty ones left out
    assert {r["tgt_lang"] for r in rows} == set(build.UI_MORE_LANGS)
    assert len(rows) == 2 * len(build.UI_MORE_LANGS)
    for row in rows:
        _check_row(row)
        assert row["kind"] == "ui" and row["set"] == "ui-strings-more"
    assert devsets.evaluation_only("ui-strings-more") and not devsets.evaluation_only("ui-strings")


def test_swapped_ui_strings_pair_every_source_with_another_translation_of_its_project_and_language():
    """devsets.swapped: each source gets the translation of another string of the same project and
    language (never its own, never another project's or language's), labelled unrelated; seeded."""
    rows = [{"id": f"{project}:{lang}:k{i}", "src_lang": "en", "tgt_lang": lang, "source": f"S{project}{lang}{i}",
             "translation": f"T{project}{lang}{i}", "set": "ui-strings", "kind": "ui",
             "gold": {"omitted_spans": [], "label": 0}}
            for project in ("a", "b") for lang in ("de", "ja") for i in range(5)]
    rows.append({**rows[0], "id": "c:de:k0", "source": "lone", "translation": "allein"})  # alone in its group
    out = devsets.swapped(rows)
    assert out == devsets.swapped(rows) and out != devsets.swapped(rows, seed=15)
    assert len(out) == 20
    by_id = {r["id"]: r for r in rows}
    for r in out:
        original = by_id[r["id"].removesuffix(":swapped")]
        project, lang = original["id"].split(":")[:2]
        assert r["source"] == original["source"] and r["translation"] != original["translation"]
        assert r["translation"].startswith(f"T{project}{lang}")
        assert r["kind"] == "ui-swapped" and r["gold"]["label"] == 1
    assert len({r["translation"] for r in out}) == 20  # a permutation: each translation used once
