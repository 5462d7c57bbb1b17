"""Odd input never crashes the service or a check: every segment gets a result or a clear error."""

import grpc
import pytest
from hypothesis import given, settings, strategies as st
from structlog.testing import capture_logs

from lacuna.client import Client, LacunaError
from lacuna.server.app import LacunaServer
from lacuna.server.config import ServerConfig

# Letters, digits in several scripts, separators, placeholders, markup, invisible characters.
ALPHABET = st.sampled_from(list(
    "abcxyzABCXYZ éüßçñ 0123456789 ０１２３ ٣٤ ,.'’%$-+:/ \u00a0\u202f\u2009\u200b\t\n"
    "日本語のテキスト中文한국어 Русский Ελληνικά {}<>@#万億 IVXLC")) | st.sampled_from(
    ["{0}", "%s", "<b>", "https://example.org/a?b=1", "1,000", "3.5", "1.000,50", "10:30", " million", "XIX"])
TEXT = st.lists(ALPHABET, max_size=40).map("".join)
TAGS = st.sampled_from(["en", "de", "ja", "zh-Hans", "pt-BR", "ko", "ar", "sr-Latn", "mt", "fil", "eng_Latn"])


@pytest.fixture(scope="module")
def server():
    server = LacunaServer(ServerConfig(port=0, omission=False)).start()
    yield server
    server.stop(grace=None)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(TEXT, TEXT, st.none() | TEXT, TAGS, TAGS), min_size=1, max_size=5))
def test_random_segments_are_scored_or_rejected_cleanly(server, rows):
    segments = [{"id": f"r{i}", "source": s, "translation": t, "reference": r, "src_lang": a, "tgt_lang": b}
                for i, (s, t, r, a, b) in enumerate(rows)]
    with Client(server.address, timeout=60) as client, capture_logs() as logs:
        try:
            result = client.score(segments)
        except LacunaError as err:
            assert err.code == grpc.StatusCode.INVALID_ARGUMENT, err
            assert err.field.endswith(".source"), err  # the only thing random rows get wrong: a blank source
            return
    # a check that raises is isolated (the segment keeps its other results) but logged: none may
    assert [e for e in logs if e["log_level"] in ("error", "exception", "critical")] == []
    assert [s.id for s in result.segments] == [s["id"] for s in segments]
    for seg, sent in zip(result.segments, segments):
        assert seg.error is None, seg.error
        for flag in seg.flags:
            assert flag.severity in ("minor", "major", "critical") and 0 <= flag.confidence <= 1
            for span, text in ((flag.source_span, sent["source"]), (flag.target_span, sent["translation"])):
                if span is not None:
                    assert 0 <= span.start <= span.end <= len(text), (flag, text)
