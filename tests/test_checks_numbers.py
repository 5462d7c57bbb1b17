"""The number-mismatch check, through a real server on loopback."""

import pytest

from conftest import score_one


def flags_of(result):
    return [f for f in result.flags if f.type == "number_mismatch"]


@pytest.mark.parametrize("source,translation,tgt", [
    ("Enter a phone number with its country code (e.g. +1 for the US).", "Telefonnummer mit Landesvorwahl eingeben (z. B. +49 für Deutschland).", "de"),
    ("Sequences such as 0,1, 0-3 match.", "诸如 0、1、0-3 这样的序列匹配。", "zh"),  # a list, not 0.1
    ("We shipped 1,000 units in March.", "Wir haben im März 1.000 Einheiten versandt.", "de"),
    ("We shipped 1,000 units in March.", "Wir haben im März 1000 Einheiten versandt.", "de"),
    ("We shipped 1,000 units in March.", "Nous avons expédié 1 000 unités en mars.", "fr"),
    ("We shipped 1,000 units in March.", "Nous avons expédié 1\u202f000 unités en mars.", "fr"),
    ("We shipped 1,000 units in March.", "3月に１，０００台を出荷しました。", "ja"),
    ("Growth reached 3.5% in 2024.", "Das Wachstum erreichte 2024 3,5 %.", "de"),
    ("Growth reached 3.5% in 2024.", "２０２４年の成長率は３．５％に達した。", "ja"),
    ("Revenue rose to 1,234,567.89 dollars.", "Der Umsatz stieg auf 1.234.567,89 Dollar.", "de"),
    ("The city has 3 million residents.", "その都市には300万人が住んでいる。", "ja"),
    ("The city has 2.5 million residents.", "Die Stadt hat 2,5 Millionen Einwohner.", "de"),
    ("You have 3 new messages.", "Sie haben drei neue Nachrichten.", "de"),  # small numbers may be spelled out
    ("We have 3 offices in Washington DC.", "Wir haben drei Büros in Washington DC.", "de"),
    ("See https://example.org/v2/item?id=42 for details.", "Details unter https://example.org/v2/item?id=42.", "de"),
    ("The meeting is on 5/3/2025 at 10:30.", "Das Treffen ist am 3.5.2025 um 10:30 Uhr.", "de"),
    ("The meeting starts at 19:15.", "La reunión empieza a las 7:15 p. m.", "es"),
    ("Travel agencies have existed since the 19th century.", "Las agencias de viajes existen desde el siglo XIX.", "es"),
])
def test_same_numbers_in_another_notation_are_not_flagged(checks_server, source, translation, tgt):
    result = score_one(checks_server, source, translation, tgt=tgt)
    assert flags_of(result) == [], result.flags


def test_missing_number_is_flagged_with_its_source_span(checks_server):
    source = "We shipped 1,000 units in March."
    result = score_one(checks_server, source, "Wir haben im März Einheiten versandt.")
    found = flags_of(result)
    assert len(found) == 1, result.flags
    flag = found[0]
    assert flag.severity == "major" and flag.detector == "numbers"
    assert source[flag.source_span.start:flag.source_span.end] == "1,000"
    assert "'1,000'" in flag.message and "missing" in flag.message
    assert result.passed is False


def test_changed_number_is_flagged_with_both_spans(checks_server):
    source = "Growth reached 3.5% in 2024."
    translation = "Das Wachstum erreichte 2024 5,3 %."
    found = flags_of(score_one(checks_server, source, translation))
    assert len(found) == 1, found
    flag = found[0]
    assert source[flag.source_span.start:flag.source_span.end] == "3.5"
    assert translation[flag.target_span.start:flag.target_span.end] == "5,3"
    assert "became" in flag.message


def test_full_width_digits_are_compared_by_value(checks_server):
    source = "Order 250 boxes by Friday."
    assert flags_of(score_one(checks_server, source, "金曜日までに２５０箱を注文してください。", tgt="ja")) == []
    found = flags_of(score_one(checks_server, source, "金曜日までに２６０箱を注文してください。", tgt="ja"))
    assert len(found) == 1 and found[0].target_span is not None


def test_small_number_changed_to_another_number_is_flagged(checks_server):
    found = flags_of(score_one(checks_server, "You have 3 new messages.", "Sie haben 4 neue Nachrichten."))
    assert len(found) == 1 and "'3'" in found[0].message and "'4'" in found[0].message


def test_every_missing_number_gets_its_own_flag(checks_server):
    source = "Between 2019 and 2023 the fleet grew from 120 to 450 ships."
    found = flags_of(score_one(checks_server, source, "Die Flotte wuchs stark."))
    spans = [source[f.source_span.start:f.source_span.end] for f in found]
    assert spans == ["2019", "2023", "120", "450"]
