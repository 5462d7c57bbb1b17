"""The empty-translation check, through a real server on loopback."""

import pytest

from lacuna.client import Client


SOURCE = "Please restart the application to apply the update."


def score(server, translation, source=SOURCE):
    with Client(server.address, timeout=30) as client:
        return client.score([{"id": "s1", "source": source, "translation": translation,
                              "src_lang": "en", "tgt_lang": "de"}]).segments[0]


@pytest.mark.parametrize("translation", ["", "   ", "\n\t ", "\u200b", " \u00a0\u3000 "])
def test_blank_translation_is_flagged_critical(start_server, translation):
    server = start_server(omission=False)
    result = score(server, translation)
    empty = [f for f in result.flags if f.type == "empty"]
    assert len(empty) == 1, result.flags
    flag = empty[0]
    assert flag.severity == "critical" and flag.detector == "empty"
    assert result.passed is False
    assert flag.source_span is not None and (flag.source_span.start, flag.source_span.end) == (0, len(SOURCE))
    if translation:
        assert (flag.target_span.start, flag.target_span.end) == (0, len(translation))
    else:
        assert flag.target_span is None
    # an empty translation is reported once, not also as a length or number problem
    assert [f.type for f in result.flags] == ["empty"]


@pytest.mark.parametrize("translation", [
    "Bitte starten Sie die Anwendung neu, um das Update anzuwenden.",
    "Neu starten.",  # short, but not empty
    ".",
])
def test_non_blank_translation_is_not_flagged_empty(start_server, translation):
    server = start_server(omission=False)
    result = score(server, translation)
    assert "empty" not in {f.type for f in result.flags}
