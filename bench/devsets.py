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
  ``omitted_sentences`` (indices into them) and ``clean`` (true for the untouched copy).

Sets (see bench/devsets/README.md for sources and licences):
- ``docdrop-<src>-<tgt>`` for en-ja, ja-en, en-de, de-en, en-zh, zh-en: the 123 NTREX-128 news
  documents (4-30 line-aligned sentences), each once with 1-4 target sentences removed (fixed
  seed) and once clean; 246 rows per direction. Committed.
- ``ui-strings``: 2,820 correct short UI strings (at most 6 words) from Excalidraw's finished
  locales into ja, zh, de, fr, es, ko. Committed.
- ``mqm-ted-en-de``, ``mqm-ted-zh-en``: Google's expert MQM annotation of the WMT21 TED talks
  test suite; label 1 when a rater marked an Accuracy/Omission error, its marked source
  spans as ``omitted_spans``. Not committed (TED transcripts are CC BY-NC-ND): built into
  bench/devsets/built/ by ``bench/devsets/build.py mqm``; listed by ``names()`` only once built.
"""

from __future__ import annotations

import functools
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent / "devsets"
DATA = HERE / "data"
BUILT = HERE / "built"

DOC_DIRECTIONS = ("en-ja", "ja-en", "en-de", "de-en", "en-zh", "zh-en")
MQM_SETS = {"mqm-ted-en-de": "mqm_ted_ende.jsonl", "mqm-ted-zh-en": "mqm_ted_zhen.jsonl"}
NO_SPACE_LANGS = ("ja", "zh")


def names(include_missing: bool = False) -> list[str]:
    """Names of the sets; the built-at-run-time ones only where they were built (or all)."""
    result = [f"docdrop-{d}" for d in DOC_DIRECTIONS] + ["ui-strings"]
    result += [name for name, file in MQM_SETS.items() if include_missing or (BUILT / file).exists()]
    return result


def load(name: str) -> list[dict]:
    """The rows of one set (see the module docstring for the fields)."""
    if name.startswith("docdrop-"):
        return _docdrop(name[len("docdrop-"):])
    if name == "ui-strings":
        return _ui_strings()
    if name in MQM_SETS:
        return _mqm(name)
    raise KeyError(f"unknown development set {name!r}; known: {', '.join(names(include_missing=True))}")


def join_sentences(sentences: list[str], lang: str) -> tuple[str, list[list[int]]]:
    """A document from its sentences, and each sentence's code-point span in it. The first
    sentence (a headline) ends its own line; the rest follow each other as one paragraph,
    separated by a space, or by nothing in Japanese and Chinese."""
    sep = "" if lang in NO_SPACE_LANGS else " "
    text, spans = "", []
    for i, sentence in enumerate(sentences):
        if i == 1:
            text += "\n"
        elif i > 1:
            text += sep
        spans.append([len(text), len(text) + len(sentence)])
        text += sentence
    return text, spans


@functools.lru_cache(maxsize=1)
def _ntrex() -> tuple[list[dict], dict]:
    docs = [json.loads(line) for line in (DATA / "ntrex_docs.jsonl").read_text(encoding="utf-8").splitlines()]
    drops = json.loads((DATA / "ntrex_drops.json").read_text(encoding="utf-8"))["drops"]
    return docs, drops


def _docdrop(direction: str) -> list[dict]:
    if direction not in DOC_DIRECTIONS:
        raise KeyError(f"no document-drop set for {direction!r}; known: {', '.join(DOC_DIRECTIONS)}")
    src, tgt = direction.split("-")
    docs, drops = _ntrex()
    rows = []
    for doc in docs:
        source, spans = join_sentences(doc["sentences"][src], src)
        dropped = drops[direction][doc["doc"]]
        kept = [s for i, s in enumerate(doc["sentences"][tgt]) if i not in dropped]
        for clean in (False, True):
            translation, _ = join_sentences(doc["sentences"][tgt] if clean else kept, tgt)
            omitted = [] if clean else list(dropped)
            rows.append({
                "id": f"docdrop-{direction}:{doc['doc']}:{'clean' if clean else 'drop'}",
                "set": f"docdrop-{direction}", "kind": "docdrop",
                "src_lang": src, "tgt_lang": tgt, "source": source, "translation": translation,
                "gold": {"omitted_spans": [spans[i] for i in omitted], "label": int(bool(omitted)),
                         "sentence_spans": spans, "omitted_sentences": omitted, "clean": clean},
            })
    return rows


def _ui_strings() -> list[dict]:
    rows = []
    for line in (DATA / "ui_strings.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        rows.append({**record, "set": "ui-strings", "kind": "ui", "gold": {"omitted_spans": [], "label": 0}})
    return rows


def _mqm(name: str) -> list[dict]:
    path = BUILT / MQM_SETS[name]
    if not path.exists():
        raise FileNotFoundError(f"{path} is not built: run bench/devsets/build.py mqm --mqm "
                                "<bare git dir of google/wmt-mqm-human-evaluation>")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        rows.append({"id": r["id"], "set": name, "kind": "annotated", "src_lang": r["src_lang"],
                     "tgt_lang": r["tgt_lang"], "source": r["source"], "translation": r["translation"],
                     "doc": r["doc"], "categories": r["categories"],
                     "gold": {"omitted_spans": r["omitted_spans"], "label": r["label"]}})
    return rows
