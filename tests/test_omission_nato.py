"""Acceptance on ../shared/examples/nato-tokyo: an English article and a Japanese summary-translation
that leaves out four passages. Every omitted passage must be flagged and no other source
sentence, both when the article is one segment and when it is scored paragraph by paragraph.

Paragraph mode ("naive split"): the source is split on blank lines and each paragraph is sent
as its own segment with the WHOLE Japanese text as its translation. The Japanese has 8 lines
for 14 English paragraphs, so pairing lines by index would misalign everything; the whole
text is the one naive pairing that always contains the paragraph's translation. Additions are
meaningless in that mode (the rest of the article is "extra"), so only omissions are checked.
"""

import json

import pytest

from conftest import shared_path
from lacuna.client import Client
from lacuna.languages import parse
from lacuna.server.app import LacunaServer
from lacuna.server.config import ServerConfig
from lacuna.server.omission.segmentation import sentence_spans


@pytest.fixture(scope="module")
def dense_server():
    """A server in --no-omission-latent-terms mode (pairs judged on the dense similarity only)."""
    server = LacunaServer(ServerConfig(port=0, workers=8, omission_latent_terms=False)).start()
    yield server
    server.stop(grace=None)


@pytest.fixture(scope="module")
def unaligned_server():
    """A server in --no-omission-word-alignment mode (latent terms without word alignment)."""
    server = LacunaServer(ServerConfig(port=0, workers=8, omission_word_alignment=False)).start()
    yield server
    server.stop(grace=None)


@pytest.fixture(params=["default", "latent-terms-only", "dense"])
def any_client(request, base_server):
    """The acceptance holds in every omission mode (latent terms and word alignment: the default)."""
    server = {"default": lambda: base_server, "latent-terms-only": lambda: request.getfixturevalue("unaligned_server"),
              "dense": lambda: request.getfixturevalue("dense_server")}[request.param]()
    with Client(server.address, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def nato():
    base = shared_path("examples", "nato-tokyo")
    expected = json.loads((base / "expected.json").read_text(encoding="utf-8"))
    source = (base / expected["source_file"]).read_text(encoding="utf-8")
    translation = (base / expected["translation_file"]).read_text(encoding="utf-8")
    return source, translation, expected


def overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1]


def assert_flags_exactly_the_omitted(source, omitted, flagged):
    """Every omitted passage overlaps a flag, and no other source sentence does."""
    for passage in omitted:
        assert any(overlaps(passage, f) for f in flagged), f"omitted passage {passage} not flagged: {flagged}"
    for sentence in sentence_spans(source, parse("en")):
        if not any(overlaps(sentence, p) for p in omitted):
            assert not any(overlaps(sentence, f) for f in flagged), \
                f"translated sentence flagged: {source[sentence[0]:sentence[1]][:80]!r}"


def omission_spans(result):
    return [(f.source_span.start, f.source_span.end) for f in result.flags if f.type == "omission"]


def test_whole_article_as_one_segment(any_client, nato):
    source, translation, expected = nato
    res = any_client.score([{"id": "nato", "source": source, "translation": translation,
                         "src_lang": "en", "tgt_lang": "ja"}], metrics=["omission", "addition"])
    seg = res.segments[0]
    flagged = omission_spans(seg)
    omitted = [(p["start"], p["end"]) for p in expected["omitted_source_spans"]]
    assert_flags_exactly_the_omitted(source, omitted, flagged)
    assert all(f.severity == "major" for f in seg.flags if f.type == "omission")
    for f in seg.flags:
        if f.type == "omission":  # the message quotes the start of the passage
            start = " ".join(source[f.source_span.start:f.source_span.end].split())[:30]
            assert start in f.message, (start, f.message)
    # every Japanese sentence outside the garbled quotes renders some English: no addition there
    garbled = [(g["start"], g["end"]) for g in expected["garbled_target_spans"]]
    additions = [(f.target_span.start, f.target_span.end) for f in seg.flags if f.type == "addition"]
    for span in additions:
        assert any(overlaps(span, g) for g in garbled), f"addition flagged on a translated sentence: {span}"
    assert 0.1 < seg.scores["omission"] <= 1.0
    assert not seg.passed
    # the two garbled quotes get a flag of their own: each leaves a closing 」 unpaired
    stray = [(f.target_span.start, f.target_span.end) for f in seg.flags if f.type == "unpaired_mark"]
    assert all(any(overlaps(span, g) for span in stray) for g in garbled), (stray, garbled)
    for start, end in stray:  # and each flagged stretch ends or starts at a stray 「 or 」
        assert translation[end - 1] == "」" or translation[start] == "「", translation[start:end]


def test_paragraph_by_paragraph_against_the_whole_translation(any_client, nato):
    source, translation, expected = nato
    paragraphs = []
    pos = 0
    for block in source.split("\n\n"):
        if block.strip():
            paragraphs.append((pos, block))
        pos += len(block) + 2
    assert len(paragraphs) == 14
    segments = [{"id": f"p{i}", "source": text, "translation": translation, "src_lang": "en", "tgt_lang": "ja"}
                for i, (_, text) in enumerate(paragraphs)]
    res = any_client.score(segments, metrics=["omission"])
    omitted = [(p["start"], p["end"]) for p in expected["omitted_source_spans"]]
    flagged = []
    for (offset, _), seg in zip(paragraphs, res.segments):
        flagged.extend((offset + s, offset + e) for s, e in omission_spans(seg))
    assert_flags_exactly_the_omitted(source, omitted, flagged)
