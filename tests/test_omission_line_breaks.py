"""A translation gives its title a line of its own: through a real server, a headline the
translation lacks is flagged even when the aligner would fold it into the next line's pair, and
the sentence the translation does render keeps the pair (NTREX-128 documents, committed in
bench/devsets)."""

from __future__ import annotations

import pathlib
import sys

import pytest

from lacuna.server.omission.passages import hard_break, sentences

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench"))

import devsets  # noqa: E402

#: (set, document, index of the source sentence that must be flagged in the dropped copy). The
#: first two dropped copies lack the headline, which was folded into the pair of the next line's
#: first sentence(s) (the German one into a pair of two sentences, the English one with a
#: sentence that the translation's first line renders as well, and which must not be flagged
#: instead). The third keeps its headline and lacks the first sentence after it, which was
#: paired with the translation's headline while the source's headline was flagged.
DOCUMENTS = [("docdrop-de-en", "reuters.218863", 0), ("docdrop-en-zh", "bbc.381679", 0),
             ("docdrop-en-zh", "upi.176251", 1)]


def _rows(name: str, doc: str) -> dict[str, dict]:
    return {row["id"].rsplit(":", 1)[1]: row for row in devsets.load(name) if row["id"].split(":")[1] == doc}


def _omitted(result) -> list[tuple[int, int]]:
    return [(f.source_span.start, f.source_span.end) for f in result.flags
            if f.type == "omission" and f.detector == "omission"]


@pytest.mark.parametrize("name,doc,sentence", DOCUMENTS)
def test_a_line_the_translation_lacks_is_flagged_and_the_rendered_one_is_not(client, name, doc, sentence):
    rows = _rows(name, doc)
    segs = [{"id": key, "source": row["source"], "translation": row["translation"], "src_lang": row["src_lang"],
             "tgt_lang": row["tgt_lang"]} for key, row in rows.items()]
    result = client.score(segs, metrics=["omission", "addition"])
    gold = rows["drop"]["gold"]
    start, end = gold["sentence_spans"][sentence]
    assert sentence in gold["omitted_sentences"]
    flagged = _omitted(result["drop"])
    assert any(a < end and start < b for a, b in flagged), flagged
    kept = [gold["sentence_spans"][k] for k in (0, 1) if k not in gold["omitted_sentences"]]
    assert not any(a < e and s < b for a, b in flagged for s, e in kept), (kept, flagged)
    assert _omitted(result["clean"]) == []


def test_sentences_know_which_ones_start_a_line():
    text = "Storm closes the pass\nSnow fell all night. Drivers turned back.\r\nThe road reopens on Friday."
    found = sentences(text, None, 800)
    assert [s.after_break for s in found] == [False, True, False, True]
    assert hard_break(" \n ") and not hard_break("  ")


_STORY = ("Heavy snow forced the authority to close the pass on Tuesday. Drivers were told to use the valley "
          "road, which adds forty minutes. The pass should reopen on Thursday.")
_GESCHICHTE = ("Starker Schneefall zwang die Behörde, den Pass am Dienstag zu sperren. Autofahrer sollten die "
               "Talstraße nehmen, was vierzig Minuten länger dauert. Der Pass soll am Donnerstag wieder öffnen.")


def test_a_title_put_at_the_head_of_the_first_paragraph_is_rendered_and_a_dropped_one_is_not(client):
    """A translation that opens its first paragraph with the title ("Sturm sperrt Bergpass: ...")
    renders it: no omission flag; one without the title is flagged on it."""
    source = "Storm closes mountain pass\n" + _STORY
    segs = [{"id": "joined", "source": source, "translation": "Sturm sperrt Bergpass: " + _GESCHICHTE,
             "src_lang": "en", "tgt_lang": "de"},
            {"id": "dropped", "source": source, "translation": _GESCHICHTE, "src_lang": "en", "tgt_lang": "de"}]
    result = client.score(segs, metrics=["omission", "addition"])
    assert _omitted(result["joined"]) == []
    assert [source[a:b] for a, b in _omitted(result["dropped"])] == ["Storm closes mountain pass"]
