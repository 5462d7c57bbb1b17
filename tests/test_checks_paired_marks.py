"""The unpaired-marks check (quotation marks and brackets), through a real server on loopback."""

import pytest

from conftest import score_one
from lacuna.client import Client


def stray_of(result):
    return [f for f in result.flags if f.type == "unpaired_mark"]


@pytest.mark.parametrize("source,translation,tgt", [
    ('He said "yes".', "Er sagte „ja“.", "de"),
    ('He said "yes".', "Er sagte »ja«.", "de"),
    ('He said "yes".', "Il a dit « oui ».", "fr"),
    ('He said "yes".', "Han sa ”ja”.", "sv"),
    ('He said "yes".', "彼は「はい」と言った。", "ja"),
    ('He said "yes".', "他说：“是的。”", "zh"),
    ('The "Save" button (top right).', "Die Schaltfläche „Speichern“ (oben rechts).", "de"),
    ('She wrote "It is (very) good".', "Sie schrieb: „Es ist (sehr) gut“.", "de"),
    ("Use {0} items.", "Verwenden Sie {0} Elemente (mehr).", "de"),  # placeholders are not brackets
    ('See <a href="x">here</a>.', 'Siehe <a href="x">hier</a>.', "de"),
    ("It's John's.", "C’est à John.", "fr"),  # apostrophes are not quotes
    ("Line one.\nLine two.", "Zeile eins.\nZeile zwei.", "de"),
])
def test_paired_marks_are_not_flagged(checks_server, source, translation, tgt):
    assert stray_of(score_one(checks_server, source, translation, tgt=tgt)) == []


@pytest.mark.parametrize("source,translation,tgt,flagged", [
    # a quote split in two, its tail mistranslated: the second 」 closes nothing
    ('He said: "It matters for Europe and for Asia."', "彼は「ヨーロッパにとって重要です」 アジアにとって重要だ」と述べた。",
     "ja", "アジアにとって重要だ」"),
    ('He said "yes".', "Er sagte „ja.", "de", "„ja."),
    ("Open the menu (top right).", "Öffnen Sie das Menü (oben rechts.", "de", "(oben rechts."),
    ('She wrote "It is (very) good".', "Sie schrieb: „Es ist (sehr gut“.", "de", "(sehr gut"),
    ("Open the menu (top right).", "Öffnen Sie das Menü oben rechts).", "de", "Öffnen Sie das Menü oben rechts)"),
])
def test_a_mark_left_unpaired_in_the_translation_is_flagged_where_it_is(checks_server, source, translation, tgt, flagged):
    flags = stray_of(score_one(checks_server, source, translation, tgt=tgt))
    assert len(flags) == 1, flags
    f = flags[0]
    assert translation[f.target_span.start:f.target_span.end] == flagged
    assert f.severity == "minor" and f.detector == "paired_marks" and f.source_span is None
    assert flagged in f.message


@pytest.mark.parametrize("source,translation", [
    ('A 12" screen.', 'Ein 12"-Bildschirm.'),  # inch marks: the source's own " is unpaired
    ("Options: a) fast b) cheap", "Optionen: a) schnell b) billig"),
    ('"The first paragraph of a long quote,\n"and the second."', "„Der erste Absatz eines langen Zitats,\n„und der zweite.“"),
])
def test_nothing_is_flagged_when_the_source_has_unpaired_marks_itself(checks_server, source, translation):
    assert stray_of(score_one(checks_server, source, translation)) == []


def test_the_check_is_listed_and_many_stray_marks_stay_bounded(checks_server):
    with Client(checks_server.address, timeout=30) as client:
        caps = client.capabilities()
    assert "paired_marks" in {c.name for c in caps.checks}
    for translation in ("」" * 5000, "(" * 20000 + "」" * 20000):  # the second: 20,000 open, then closers
        flags = stray_of(score_one(checks_server, "Fine.", translation))
        assert 0 < len(flags) <= 20
        assert all(f.target_span.end - f.target_span.start <= 80 for f in flags)
