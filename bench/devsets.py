"""Development sets for omission detection beyond HalOmi (issue 14): loading them as rows.

    import devsets                      # with bench/ on sys.path
    devsets.names()                     # every set available here
    rows = devsets.load("docdrop-en-ja")

Every row is a dict with
- ``id``, ``src_lang``, ``tgt_lang``, ``source``, ``translation``;
- ``set``: the set's name, ``kind``: ``docdrop``, ``annotated`` or ``ui``;
- ``gold``: ``omitted_spans`` (list of ``[start, end]``, half-open code-point spans of the source
  that the translation lacks) and ``label`` (1 when anything is omitted, else 0). Document
  drops also carry ``sentence_spans`` (the span of every source sentence, in order),
  ``omitted_sentences`` (indices into them), ``clean`` (true for the untouched copy), and
  ``target_sentence_spans`` with ``target_sentence_ids``: the span of each sentence the
  translation keeps and the index of the source sentence it translates.

Dev/test split: `split(doc_id)` puts every NTREX document (and so both of its rows in every
direction) in ``"dev"`` or ``"test"`` by a stable hash of its id (63 and 60 of the 123);
`in_split(row, name)` applies it to a row. Settings are chosen on dev; figures are reported on
test. The WMT21 drops are held out whole: all their rows are "test". Rows of the other sets
have no document id and belong to both.

Sets (see bench/devsets/README.md for sources and licences):
- ``docdrop-<src>-<tgt>`` for en-ja, ja-en, en-de, de-en, en-zh, zh-en: the 123 NTREX-128 news
  documents (4-30 line-aligned sentences), each once with 1-4 target sentences removed (fixed
  seed) and once clean; 246 rows per direction, laid out as the articles are (`article_lines`:
  the headline, subheadings, bullets and captions on lines of their own). Committed.
- ``ui-strings``: 8,812 correct short UI strings (at most 6 words) from the locales of
  Excalidraw and Uptime Kuma into ja, zh, de, fr, es, ko. Committed.
- ``ui-strings-more``: the same projects' short strings in 16 more languages (ru, uk, cs, pl,
  it, pt-BR, tr, ar, he, hi, th, vi, nl, sv, el, zh-TW). Evaluation only; built into
  bench/devsets/built/ by ``build.py ui-more``.
- ``swapped(rows)``: a UI set's strings with their translations swapped within a project and
  language (kind ``ui-swapped``, label 1): what the unrelated-pair flags must catch.
- ``mlqe-pe-en-ja``, ``mlqe-pe-en-de``: MLQE-PE's WMT 2021 QE test sets (Wikipedia sentences,
  mBART50 / NMT output, professional post-edits): label 1 when the post-editor inserted words
  at two or more places of the MT (BAD gap tags), a post-edit-derived omission signal; no
  spans. 1,000 rows each (en-ja 477 labelled 1, en-de 86). Committed.
- ``docdrop-wmt21-<src>-<tgt>`` for en-ja, ja-en, en-de, en-zh, zh-en, de-en: held-out
  document drops from the WMT 2021 news test sets (newstest2021), at most 40 documents (3-30
  segments) per direction, laid out paragraph by paragraph (`join_paragraphs`: the source's
  paragraphs separated by a blank line, the translation's by a line break, as in the motivating
  article), each once clean and once with 1-4 target segments removed. Same gold fields as the
  NTREX drops (a "sentence" is a segment of the test set: an article line, mostly one sentence).
  Evaluation only (`evaluation_only`): never fitted or chosen on; every row is in the "test"
  half. Not committed (the test sets' terms of redistribution are not stated): built into
  bench/devsets/built/ by ``bench/devsets/build.py wmt21``; listed by ``names()`` once built.
- ``docdrop-ntrex-<src>-<tgt>`` for en-cs, cs-en, en-ru, ru-en, en-uk, uk-en, en-he, he-en,
  en-is, en-hr, en-ko, en-hi, en-es, en-pl, cs-uk: the same NTREX documents and layout in ten
  languages nobody tuned on. Evaluation only, but in their documents' halves (the dev half's
  English was looked at). Built into bench/devsets/built/ by ``build.py ntrex-more``.
- ``mqm-ted-en-de``, ``mqm-ted-zh-en``: Google's expert MQM annotation of the WMT21 TED talks
  test suite; label 1 when a rater marked an Accuracy/Omission error, its marked source
  spans as ``omitted_spans``. Not committed (TED transcripts are CC BY-NC-ND): built into
  bench/devsets/built/ by ``bench/devsets/build.py mqm``; listed by ``names()`` only once built.
- ``nmt-pathologies-de-en``: Guerreiro et al. (2022)'s annotated corpus of a Transformer's
  WMT18 German-English translations (Europarl, web text): label 1 when the annotators marked an
  omission ("undergenerated translation"); rows marked as hallucinations (strong- or
  full-unsupport) left out; no spans. Not committed (the repository states no licence): built
  by ``bench/devsets/build.py pathologies``; listed by ``names()`` only once built.

Fitting data (``training_names()``; never scored by bench_generalization, never evaluated on):
- ``mlqe-pe-wmt20-<pair>`` for en-de, en-zh, et-en, ne-en, ro-en, ru-en, si-en: MLQE-PE's WMT
  2020 post-editing dev splits, 1,000 rows each, detokenized, with the test21 sets' label
  (post-editor inserted words at 2+ places). Committed (CC0).
- ``docdrop-pairs-<src>-<tgt>``: sentence pairs of the documents of the dev half
  (``split(doc) == "dev"``): each aligned sentence pair (label 0) and, for every other one,
  the pair with its next source sentence joined on and that sentence's translation left out
  (label 1). The test half stays for bench_generalization's figures.
- ``clause-drops-<src>-<tgt>``: sentence pairs of the same dev half whose translation lacks one
  of its clauses (cut at a comma or a semicolon: ``, ``, ``、``, ``，``; a clause of 15-50% of
  the translation, never its first), label 1, beside as many untouched pairs of the other
  sentences, label 0, each picked as the unused one nearest to its omission in length ratio
  (translation / source, code points) and source length: a few words missing inside a
  sentence, as the annotated sets' omissions are, with the lengths telling the two apart as
  little as these pairs allow. At most 120 of each per
  direction (`clause_drops`; seeded by the direction).
- ``phrase-drops-<src>-<tgt>`` for ja-en, en-de, de-en, zh-en (translations written with
  spaces): the same, a run of 2-5 words (10-40% of the translation's words, never its first
  or last word) removed instead of a clause (`phrase_drops`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import pathlib
import random
import re
import statistics

from lacuna.server.omission.segmentation import ends_sentence

HERE = pathlib.Path(__file__).resolve().parent / "devsets"
DATA = HERE / "data"
BUILT = HERE / "built"

DOC_DIRECTIONS = ("en-ja", "ja-en", "en-de", "de-en", "en-zh", "zh-en")
MQM_SETS = {"mqm-ted-en-de": "mqm_ted_ende.jsonl", "mqm-ted-zh-en": "mqm_ted_zhen.jsonl"}
#: Human-annotated sets built at run time (not committed): set -> (file, what builds it).
BUILT_ANNOTATED = {
    **{name: (file, "mqm --mqm <bare git dir of google/wmt-mqm-human-evaluation>") for name, file in MQM_SETS.items()},
    "nmt-pathologies-de-en": ("nmt_pathologies_deen.jsonl",
                              "pathologies --pathologies <bare git dir of deep-spin/hallucinations-in-nmt>"),
}
MLQE_SETS = ("mlqe-pe-en-ja", "mlqe-pe-en-de")
NO_SPACE_LANGS = ("ja", "zh")
MLQE_DEV_PAIRS = ("en-de", "en-zh", "et-en", "ne-en", "ro-en", "ru-en", "si-en")
WMT21_DIRECTIONS = ("en-ja", "ja-en", "en-de", "en-zh", "zh-en", "de-en")
WMT21_PREFIX = "docdrop-wmt21-"
#: The NTREX documents in languages nobody tuned on (built by build.py ntrex-more): evaluation only.
NTREX_MORE_PREFIX = "docdrop-ntrex-"
CLAUSE_DROPS_PREFIX = "clause-drops-"
PHRASE_DROPS_PREFIX = "phrase-drops-"
#: The directions whose translations are written with spaces between words.
PHRASE_DROP_DIRECTIONS = ("ja-en", "en-de", "de-en", "zh-en")
#: Where a clause ends (the break is after the match): a comma or semicolon and its space, or
#: the ideographic ones, which take no space.
CLAUSE_BREAK = {"ja": re.compile(r"(?<=[、；])"), "zh": re.compile(r"(?<=[，；])")}
CLAUSE_BREAK_SPACED = re.compile(r"(?<=[,;]) ")
#: The UI strings of the same projects in 16 more languages (built by build.py ui-more): evaluation only.
UI_MORE = "ui-strings-more"
NTREX_MORE_DIRECTIONS = ("en-cs", "cs-en", "en-ru", "ru-en", "en-uk", "uk-en", "en-he", "he-en", "en-is",
                         "en-hr", "en-ko", "en-hi", "en-es", "en-pl", "cs-uk")
#: Paragraph separators of the WMT21 document drops: a blank line in the source, a line break in
#: the translation (as in the motivating article and its Japanese translation).
SOURCE_PARAGRAPH_SEP, TRANSLATION_PARAGRAPH_SEP = "\n\n", "\n"


def training_names() -> list[str]:
    """The fitting sets (see the module docstring)."""
    return ([f"mlqe-pe-wmt20-{p}" for p in MLQE_DEV_PAIRS] + [f"docdrop-pairs-{d}" for d in DOC_DIRECTIONS]
            + [f"{CLAUSE_DROPS_PREFIX}{d}" for d in DOC_DIRECTIONS]
            + [f"{PHRASE_DROPS_PREFIX}{d}" for d in PHRASE_DROP_DIRECTIONS])


def split(doc_id: str) -> str:
    """The fixed half of the NTREX documents a setting may be chosen or fitted on ("dev") and the
    half it is reported on ("test"): the parity of the SHA-256 of the document id (60 of the 123
    documents are "test"). A docdrop row's document id is the middle of its ``id``
    (``docdrop-en-ja:<doc id>:drop``); see ``row_split``."""
    return "test" if int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest(), 16) % 2 else "dev"


def evaluation_only(name: str) -> bool:
    """Whether a set is held out for evaluation: nothing may be fitted or chosen on it (the
    WMT21 document drops, the NTREX documents and the UI strings in more languages)."""
    return name.startswith((WMT21_PREFIX, NTREX_MORE_PREFIX)) or name == UI_MORE


def row_split(row: dict) -> str:
    """`split` of a docdrop row's document; "test" for every row of the WMT21 sets. (The NTREX
    documents in more languages keep their documents' halves: their English was looked at in
    the dev half of the committed directions.)"""
    if row["id"].startswith(WMT21_PREFIX):
        return "test"
    return split(row["id"].split(":")[1])


SPLITS = ("dev", "test", "all")


def in_split(row: dict, name: str) -> bool:
    """Whether a row belongs to split `name` (dev, test or all); rows of the sets without
    documents (annotated, UI strings) belong to every split."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; known: {', '.join(SPLITS)}")
    return name == "all" or row.get("kind") != "docdrop" or row_split(row) == name


def names(include_missing: bool = False) -> list[str]:
    """Names of the sets; the built-at-run-time ones only where they were built (or all)."""
    result = [f"docdrop-{d}" for d in DOC_DIRECTIONS] + ["ui-strings", *MLQE_SETS]
    result += [name for name, (file, _) in BUILT_ANNOTATED.items() if include_missing or (BUILT / file).exists()]
    result += [f"{WMT21_PREFIX}{d}" for d in WMT21_DIRECTIONS if include_missing or _wmt21_path(d).exists()]
    result += [UI_MORE] if include_missing or (BUILT / "ui_strings_more.jsonl").exists() else []
    result += [f"{NTREX_MORE_PREFIX}{d}" for d in NTREX_MORE_DIRECTIONS
               if include_missing or (BUILT / "ntrex_more_docs.jsonl").exists()]
    return result


def load(name: str) -> list[dict]:
    """The rows of one set (see the module docstring for the fields)."""
    if name.startswith("docdrop-pairs-"):
        return _docdrop_pairs(name[len("docdrop-pairs-"):])
    if name.startswith(CLAUSE_DROPS_PREFIX):
        return clause_drops(name[len(CLAUSE_DROPS_PREFIX):])
    if name.startswith(PHRASE_DROPS_PREFIX):
        return phrase_drops(name[len(PHRASE_DROPS_PREFIX):])
    if name.startswith(NTREX_MORE_PREFIX):
        return _docdrop_more(name[len(NTREX_MORE_PREFIX):])
    if name.startswith(WMT21_PREFIX):
        return _docdrop_wmt21(name[len(WMT21_PREFIX):])
    if name.startswith("docdrop-"):
        return _docdrop(name[len("docdrop-"):])
    if name == "ui-strings":
        return _ui_strings(DATA / "ui_strings.jsonl", name)
    if name == UI_MORE:
        path = BUILT / "ui_strings_more.jsonl"
        if not path.exists():
            raise FileNotFoundError(f"{path} is not built: run bench/devsets/build.py ui-more --excalidraw "
                                    "<bare git dir> --uptime-kuma <bare git dir>")
        return _ui_strings(path, name)
    if name in BUILT_ANNOTATED:
        return _built_annotated(name)
    if name in MLQE_SETS:
        return _mlqe(name)
    if name.startswith("mlqe-pe-wmt20-") and name[len("mlqe-pe-wmt20-"):] in MLQE_DEV_PAIRS:
        return _mlqe_dev(name)
    raise KeyError(f"unknown development set {name!r}; known: {', '.join(names(include_missing=True))}")


def join_sentences(sentences: list[str], lang: str, keep=None,
                   paragraphs: list[int] | None = None) -> tuple[str, list[list[int]]]:
    """A document from its sentences, and each kept sentence's code-point span in it (`keep`:
    the indices kept, default all). `paragraphs` (default: the headline, then the rest) gives
    how many sentences each line holds, in order (`article_lines`); a line's sentences follow
    each other separated by a space, or by nothing in Japanese and Chinese. A copy without a
    line's sentences has no line for it."""
    return join_paragraphs(sentences, paragraphs or [1, len(sentences) - 1], lang, "\n", keep)


def article_lines(english: list[str]) -> list[int]:
    """How many sentences each line of an NTREX article holds, from its English original: the
    headline (sentence 0) on a line of its own, and so is every sentence that does not end as a
    sentence does (a subheading, a bullet point, a photo caption, a byline -- "Livingston miss
    chances against blunt visitors", "Vaccine teaches immune system to recognise rogue
    cells"), as the article has them; the sentences between them form one paragraph. (A line
    ending with a comma goes on in the next one.)"""
    sizes, run = [1], 0
    for sentence in english[1:]:
        text = sentence.rstrip()
        if ends_sentence(text) or text.endswith(","):
            run += 1
            continue
        if run:
            sizes.append(run)
        sizes.append(1)
        run = 0
    if run:
        sizes.append(run)
    return sizes


def join_paragraphs(segments: list[str], paragraphs: list[int], lang: str, sep: str,
                    keep=None) -> tuple[str, list[list[int]]]:
    """A document from its segments grouped into paragraphs (`paragraphs`: how many segments
    each holds, in order): the segments of a paragraph joined by a space (nothing in Japanese and
    Chinese), paragraphs by `sep`; only the segments whose index is in `keep` (default all), a
    paragraph left with none dropped. Returns the text and the code-point span of each kept
    segment, in order."""
    joiner = "" if lang in NO_SPACE_LANGS else " "
    text, spans, first = "", [], 0
    for size in paragraphs:
        kept = [i for i in range(first, first + size) if keep is None or i in keep]
        first += size
        if not kept:
            continue
        if text:
            text += sep
        for k, i in enumerate(kept):
            if k:
                text += joiner
            spans.append([len(text), len(text) + len(segments[i])])
            text += segments[i]
    return text, spans


def _wmt21_path(direction: str) -> pathlib.Path:
    return BUILT / f"wmt21_docdrop_{direction}.jsonl"


def _docdrop_wmt21(direction: str) -> list[dict]:
    if direction not in WMT21_DIRECTIONS:
        raise KeyError(f"no WMT21 document-drop set for {direction!r}; known: {', '.join(WMT21_DIRECTIONS)}")
    path = _wmt21_path(direction)
    if not path.exists():
        raise FileNotFoundError(f"{path} is not built: run bench/devsets/build.py wmt21 --wmt21 "
                                "<bare git dir of wmt-conference/wmt21-news-systems>")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return wmt21_rows(f"{WMT21_PREFIX}{direction}", records)


def wmt21_rows(name: str, records: list[dict]) -> list[dict]:
    """A dropped and a clean row per record of build.py's wmt21 files (``doc``, ``src_lang``,
    ``tgt_lang``, ``source`` and ``target`` segments, ``paragraphs``, ``drop``), with the NTREX
    drops' gold fields."""
    rows = []
    for rec in records:
        src, tgt, paragraphs = rec["src_lang"], rec["tgt_lang"], rec["paragraphs"]
        source, spans = join_paragraphs(rec["source"], paragraphs, src, SOURCE_PARAGRAPH_SEP)
        for clean in (False, True):
            omitted = [] if clean else sorted(rec["drop"])
            target_ids = [i for i in range(len(rec["target"])) if i not in omitted]
            translation, target_spans = join_paragraphs(rec["target"], paragraphs, tgt, TRANSLATION_PARAGRAPH_SEP,
                                                        keep=set(target_ids))
            rows.append({
                "id": f"{name}:{rec['doc']}:{'clean' if clean else 'drop'}", "set": name, "kind": "docdrop",
                "src_lang": src, "tgt_lang": tgt, "source": source, "translation": translation,
                "gold": {"omitted_spans": [spans[i] for i in omitted], "label": int(bool(omitted)),
                         "sentence_spans": spans, "omitted_sentences": omitted, "clean": clean,
                         "target_sentence_spans": target_spans, "target_sentence_ids": target_ids},
            })
    return rows


@functools.lru_cache(maxsize=1)
def _ntrex() -> tuple[list[dict], dict]:
    docs = [json.loads(line) for line in (DATA / "ntrex_docs.jsonl").read_text(encoding="utf-8").splitlines()]
    drops = json.loads((DATA / "ntrex_drops.json").read_text(encoding="utf-8"))["drops"]
    return docs, drops


def _docdrop(direction: str) -> list[dict]:
    if direction not in DOC_DIRECTIONS:
        raise KeyError(f"no document-drop set for {direction!r}; known: {', '.join(DOC_DIRECTIONS)}")
    docs, drops = _ntrex()
    return ntrex_rows(f"docdrop-{direction}", direction, docs, drops[direction])


@functools.lru_cache(maxsize=1)
def _ntrex_more() -> tuple[list[dict], dict]:
    docs_path, drops_path = BUILT / "ntrex_more_docs.jsonl", BUILT / "ntrex_more_drops.json"
    if not (docs_path.exists() and drops_path.exists()):
        raise FileNotFoundError(f"{docs_path} is not built: run bench/devsets/build.py ntrex-more --ntrex "
                                "<bare git dir of MicrosoftTranslator/NTREX>")
    docs = [json.loads(line) for line in docs_path.read_text(encoding="utf-8").splitlines()]
    return docs, json.loads(drops_path.read_text(encoding="utf-8"))["drops"]


def _docdrop_more(direction: str) -> list[dict]:
    if direction not in NTREX_MORE_DIRECTIONS:
        raise KeyError(f"no {NTREX_MORE_PREFIX} set for {direction!r}; known: {', '.join(NTREX_MORE_DIRECTIONS)}")
    docs, drops = _ntrex_more()
    return ntrex_rows(f"{NTREX_MORE_PREFIX}{direction}", direction, docs, drops[direction])


def ntrex_rows(name: str, direction: str, docs: list[dict], drops: dict[str, list[int]]) -> list[dict]:
    """A dropped and a clean row per NTREX document (`drops`: document id -> the target
    sentences its dropped copy lacks), laid out as the article is (`article_lines`)."""
    src, tgt = direction.split("-")
    rows = []
    for doc in docs:
        lines = article_lines(doc["sentences"]["en"])
        source, spans = join_sentences(doc["sentences"][src], src, None, lines)
        dropped = drops[doc["doc"]]
        for clean in (False, True):
            keep = None if clean else {i for i in range(len(doc["sentences"][tgt])) if i not in dropped}
            translation, target_spans = join_sentences(doc["sentences"][tgt], tgt, keep, lines)
            omitted = [] if clean else list(dropped)
            target_ids = [i for i in range(len(doc["sentences"][tgt])) if clean or i not in dropped]
            rows.append({
                "id": f"{name}:{doc['doc']}:{'clean' if clean else 'drop'}",
                "set": name, "kind": "docdrop",
                "src_lang": src, "tgt_lang": tgt, "source": source, "translation": translation,
                "gold": {"omitted_spans": [spans[i] for i in omitted], "label": int(bool(omitted)),
                         "sentence_spans": spans, "omitted_sentences": omitted, "clean": clean,
                         "target_sentence_spans": target_spans, "target_sentence_ids": target_ids},
            })
    return rows


def _ui_strings(path: pathlib.Path, name: str) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        rows.append({**record, "set": name, "kind": "ui", "gold": {"omitted_spans": [], "label": 0}})
    return rows


def swapped(rows: list[dict], seed: int = 14) -> list[dict]:
    """UI rows with their translations swapped: each source paired with the translation of another
    string of the same project and language (a seeded derangement; a pair whose two strings
    share a translation is left out). Every swapped pair is unrelated: kind "ui-swapped", label 1,
    id suffixed ":swapped". What an export with misaligned keys or a file from another version
    looks like."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["id"].split(":")[0], row["tgt_lang"]), []).append(row)
    rng = random.Random(seed)
    out = []
    for key in sorted(groups):
        group = groups[key]
        if len(group) < 2:
            continue
        order = list(range(len(group)))
        rng.shuffle(order)
        partner = {order[i]: order[(i + 1) % len(order)] for i in range(len(order))}  # one cycle: no fixed point
        for i, row in enumerate(group):
            other = group[partner[i]]["translation"]
            if other != row["translation"]:
                out.append({**row, "id": row["id"] + ":swapped", "translation": other, "kind": "ui-swapped",
                            "gold": {"omitted_spans": [], "label": 1}})
    return out


def _mlqe(name: str) -> list[dict]:
    return _mlqe_rows(name, "mlqe_pe_test21.jsonl", "annotated", ("bad_gaps", "bad_source_words"))


def _mlqe_dev(name: str) -> list[dict]:
    return _mlqe_rows(name, "mlqe_pe_wmt20_dev.jsonl", "training", ("bad_gaps",))


def _mlqe_rows(name: str, file: str, kind: str, extra: tuple[str, ...]) -> list[dict]:
    """The rows of one MLQE-PE set (its ids start with `name:`) from a committed file."""
    prefix = name + ":"
    rows = []
    for line in (DATA / file).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["id"].startswith(prefix):
            rows.append({"id": r["id"], "set": name, "kind": kind, "src_lang": r["src_lang"],
                         "tgt_lang": r["tgt_lang"], "source": r["source"], "translation": r["translation"],
                         **{k: r[k] for k in extra}, "gold": {"omitted_spans": [], "label": r["label"]}})
    return rows


def _docdrop_pairs(direction: str) -> list[dict]:
    if direction not in DOC_DIRECTIONS:
        raise KeyError(f"no document-drop set for {direction!r}; known: {', '.join(DOC_DIRECTIONS)}")
    src, tgt = direction.split("-")
    sep = {lang: "" if lang in NO_SPACE_LANGS else " " for lang in (src, tgt)}
    rows = []
    docs, _ = _ntrex()
    for doc in docs:
        if split(doc["doc"]) != "dev":
            continue
        s, t = doc["sentences"][src], doc["sentences"][tgt]
        for i in range(1, len(s)):  # the headline (sentence 0) is left out
            rows.append(_pair_row(direction, f"{doc['doc']}:{i}", s[i], t[i], 0))
            if i % 2 == 1 and i + 1 < len(s):
                rows.append(_pair_row(direction, f"{doc['doc']}:{i}+{i + 1}", s[i] + sep[src] + s[i + 1], t[i], 1))
    return rows


def clause_drops(direction: str, per_class: int = 120) -> list[dict]:
    """Sentence pairs of the dev half's documents (headlines left out) with one clause of the
    translation removed (label 1), and as many untouched pairs (label 0) matched to them by
    length: see the module docstring."""
    if direction not in DOC_DIRECTIONS:
        raise KeyError(f"no clause-drop set for {direction!r}; known: {', '.join(DOC_DIRECTIONS)}")
    return _drops(direction, CLAUSE_DROPS_PREFIX, _without_a_clause, per_class)


def phrase_drops(direction: str, per_class: int = 120) -> list[dict]:
    """As `clause_drops`, a run of 2-5 words removed from inside the translation instead of a
    clause (translations into languages written with spaces)."""
    if direction not in PHRASE_DROP_DIRECTIONS:
        raise KeyError(f"no phrase-drop set for {direction!r}; known: {', '.join(PHRASE_DROP_DIRECTIONS)}")
    return _drops(direction, PHRASE_DROPS_PREFIX, _without_a_phrase, per_class)


def _drops(direction: str, prefix: str, cutter, per_class: int) -> list[dict]:
    src, tgt = direction.split("-")
    rng = random.Random(f"{prefix}{direction}")
    dropped, clean = [], []
    docs, _ = _ntrex()
    for doc in docs:
        if split(doc["doc"]) != "dev":
            continue
        for i, (s, t) in enumerate(zip(doc["sentences"][src], doc["sentences"][tgt])):
            if i == 0:
                continue
            cut = cutter(t, tgt, rng) if rng.random() < 0.5 else None
            if cut is None:
                clean.append((f"{doc['doc']}:{i}", s, t))
            else:
                dropped.append((f"{doc['doc']}:{i}:cut", s, cut))
    rng.shuffle(dropped)
    dropped = dropped[:per_class]

    def where(pair):  # (length ratio, source length), logs
        return math.log(max(1, len(pair[2])) / max(1, len(pair[1]))), math.log(max(1, len(pair[1])))

    points = [where(p) for p in clean]
    scale = [max(1e-6, statistics.pstdev(axis)) for axis in zip(*points)] if points else [1.0, 1.0]
    used: set[int] = set()
    matched = []
    for pair in dropped:
        here = where(pair)
        free = [j for j in range(len(clean)) if j not in used]
        if not free:
            break
        best = min(free, key=lambda j: sum(((a - b) / sc) ** 2 for a, b, sc in zip(points[j], here, scale)))
        used.add(best)
        matched.append(clean[best])
    return ([_pair_row(direction, key, s, t, 1, prefix) for key, s, t in dropped]
            + [_pair_row(direction, key, s, t, 0, prefix) for key, s, t in matched])


def _without_a_clause(text: str, lang: str, rng: random.Random) -> str | None:
    """`text` without one of its clauses (not the first; 15-50% of its length), or None."""
    spaced = lang not in NO_SPACE_LANGS
    parts = (CLAUSE_BREAK_SPACED if spaced else CLAUSE_BREAK.get(lang, CLAUSE_BREAK["zh"])).split(text)
    fits = [k for k in range(1, len(parts)) if 0.15 <= len(parts[k]) / len(text) <= 0.5]
    if not fits:
        return None
    k = rng.choice(fits)
    joiner = " " if spaced else ""
    kept = joiner.join(parts[:k] + parts[k + 1:]).strip()
    if k == len(parts) - 1 and text[-1] in ".。!?！？":  # the last clause went: end as the sentence ended
        kept = kept.rstrip(",;、，； ") + text[-1]
    return kept


def _without_a_phrase(text: str, lang: str, rng: random.Random) -> str | None:
    """`text` without a run of 2-5 of its words (10-40% of them; never the first or the last),
    or None (too short, or a language written without spaces)."""
    if lang in NO_SPACE_LANGS:
        return None
    words = text.split(" ")
    sizes = [k for k in range(2, 6) if 0.1 <= k / len(words) <= 0.4 and len(words) - k >= 3]
    if not sizes:
        return None
    k = rng.choice(sizes)
    start = rng.randrange(1, len(words) - k)
    return " ".join(words[:start] + words[start + k:])


def _pair_row(direction: str, key: str, source: str, translation: str, label: int,
              prefix: str = "docdrop-pairs-") -> dict:
    src, tgt = direction.split("-")
    return {"id": f"{prefix}{direction}:{key}", "set": f"{prefix}{direction}", "kind": "training",
            "src_lang": src, "tgt_lang": tgt, "source": source, "translation": translation,
            "gold": {"omitted_spans": [], "label": label}}


def _built_annotated(name: str) -> list[dict]:
    file, command = BUILT_ANNOTATED[name]
    path = BUILT / file
    if not path.exists():
        raise FileNotFoundError(f"{path} is not built: run bench/devsets/build.py {command}")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        rows.append({"id": r["id"], "set": name, "kind": "annotated", "src_lang": r["src_lang"],
                     "tgt_lang": r["tgt_lang"], "source": r["source"], "translation": r["translation"],
                     "doc": r["doc"], "categories": r["categories"],
                     "gold": {"omitted_spans": r["omitted_spans"], "label": r["label"]}})
    return rows


def as_halomi_rows(rows: list[dict]) -> list:
    """The rows as bench/halomi.py's Row, so HalOmi's tooling (bench_omission.row_features and
    its cross-validation) runs on them unchanged: label 1 becomes omission class 2 (of 0-3),
    no hallucination, the set's name as data_source. Meant for the sentence-level sets (the
    annotated ones, ui-strings); a document is one Row too, but row_features reads only its
    first bead."""
    import halomi

    return [halomi.Row(r["src_lang"], r["tgt_lang"], r["source"], r["translation"], "", "",
                       2 if r["gold"]["label"] else 0, 0, r["set"]) for r in rows]
