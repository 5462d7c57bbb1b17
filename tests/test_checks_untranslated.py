"""The untranslated check (translation = source), through a real server on loopback."""

import pytest

from conftest import score_one


def flags_of(result, kind="untranslated"):
    return [f for f in result.flags if f.type == kind]


@pytest.mark.parametrize("source,translation,src,tgt", [
    ("Please check your spelling and try again.", "Please check your spelling and try again.", "en", "de"),
    ("Please check your spelling and try again.", "please check your spelling and try again", "en", "fr"),
    ("Please check your spelling and try again.", "  Please  check your spelling and try again!  ", "en", "es"),
    ("Your order has shipped and will arrive within three working days.",
     "Your order has shipped and will arrive within three working days, ok.", "en", "it"),
    ("Save changes", "Save changes", "en", "pt-BR"),
    # short words after a placeholder, with a space, are words ("of", "files")
    ("%d files in %s folder", "%d files in %s folder", "en", "de"),
    ("Notify for Quantity Below", "Notify for Quantity Below", "en", "ja"),  # a Title Case label left in English
    ("Upload the file", "Upload the file", "en", "de"),
    ("Twig template code", "Twig Template Code", "en", "fr"),  # only German capitalises its nouns
    ("Existence of CDS and CDNSKEY", "Existence of CDS and CDNSKEY", "en", "es"),  # "of" next to an acronym  # "the" before a lower-case word is a word
    ("会議は明日の午前十時に始まります。", "会議は明日の午前十時に始まります。", "ja", "en"),
    ("Please check your spelling and try again.", "Please check your spelling and try again.", "en", "ja"),
])
def test_copied_source_is_flagged(checks_server, source, translation, src, tgt):
    result = score_one(checks_server, source, translation, src=src, tgt=tgt)
    found = flags_of(result)
    assert len(found) == 1, result.flags
    assert found[0].severity == "critical"
    assert found[0].confidence >= 0.9
    assert (found[0].target_span.start, found[0].target_span.end) == (0, len(translation))
    assert result.passed is False


@pytest.mark.parametrize("source,translation,src,tgt", [
    # a real translation
    ("Please check your spelling and try again.", "Bitte überprüfen Sie Ihre Rechtschreibung.", "en", "de"),
    # names, products, numbers, URLs and single tokens are legitimately the same
    ("iPhone 15 Pro", "iPhone 15 Pro", "en", "de"),
    ("Lacuna Cloud", "Lacuna Cloud", "en", "fr"),
    ("NATO", "NATO", "en", "ja"),
    ("1,024 MB", "1,024 MB", "en", "de"),
    ("https://example.org/help", "https://example.org/help", "en", "de"),
    ("Settings", "Settings", "en", "de"),
    ("{count} %s <b>", "{count} %s <b>", "en", "de"),
    # an acronym and unit symbols written against placeholders and numbers (django-debug-toolbar)
    ("CPU: %(cum)0.2fms (%(total)0.2fms)", "CPU: %(cum)0.2fms (%(total)0.2fms)", "en", "de"),
    ("Total: %0.2fms", "Total\u00a0: %0.2fms", "en", "fr"),
    ("Width: 12px", "Width: 12px", "en", "nl"),
    ("Isle of Man", "Isle of Man", "en", "de"),
    ("Twig template code", "Twig Template Code", "en", "de"),  # English loanwords written as German nouns  # a name, joined by a short lower-case word
    ("東京大学", "東京大学", "ja", "zh"),
    # one written standard: a sentence can be the same in Croatian and Serbian
    ("Vlada je u petak usvojila novi zakon o zaštiti okoliša.",
     "Vlada je u petak usvojila novi zakon o zaštiti okoliša.", "hr", "sr-Latn"),
    # same language: copying is fine (en-US -> en-GB)
    ("Please check your spelling and try again.", "Please check your spelling and try again.", "en-US", "en-GB"),
])
def test_legitimately_identical_or_translated_is_not_flagged(checks_server, source, translation, src, tgt):
    result = score_one(checks_server, source, translation, src=src, tgt=tgt)
    assert flags_of(result) == [], result.flags
