"""The consistency pass on its own: normalisation, the majority rule, contexts, the stream's bound."""

from __future__ import annotations

from lacuna.consistency import SAME_SOURCE, SAME_TRANSLATION, ConsistencyStream, Item, find_inconsistencies


def _items(*rows):
    return [Item.of(i, s, t, "en", "de-DE" if n % 2 else "de_de", labels) for n, (i, s, t, labels) in enumerate(rows)]


def test_majority_variant_is_not_flagged_and_normalisation_joins_near_copies():
    found = find_inconsistencies(_items(
        ("a", "Save", "Speichern", {}), ("b", "save.", "speichern", {}), ("c", "  Save ", "Sichern", {}),
        ("d", "Open", "Öffnen", {}), ("e", "Open", "Aufmachen", {}),
    ))
    assert set(found) == {"c", "d", "e"}  # a/b are the majority; d/e tie, so both
    assert [(f.kind, f.related) for f in found["c"]] == [(SAME_SOURCE, ("a", "b"))]
    assert found["d"][0].related == ("e",) and found["e"][0].related == ("d",)


def test_same_translation_for_different_sources_and_contexts_kept_apart():
    found = find_inconsistencies(_items(
        ("a", "Close", "Schließen", {"context": "button"}), ("b", "Shut", "Schließen", {"context": "button"}),
        ("c", "Close", "Geschlossen", {"context": "state"}), ("d", "", "", {}), ("e", "x", "", {}),
    ))
    assert sorted(found) == ["a", "b"] and found["a"][0].kind == SAME_TRANSLATION
    assert "same translation" in found["a"][0].message()


def test_stream_flags_later_segments_and_stays_bounded():
    stream = ConsistencyStream(max_keys=3)
    seen = [stream.add(item) for item in _items(
        ("1", "A", "x", {}), ("2", "A", "x", {}), ("3", "A", "y", {}), ("4", "A", "x", {}),
        ("5", "B", "p", {}), ("6", "C", "q", {}), ("7", "D", "r", {}), ("8", "D", "s", {}),
    )]
    assert [bool(s) for s in seen] == [False, False, True, False, False, False, False, False]
    assert seen[2][0].related == ("1",) and seen[2][0].total == 2  # two segments say x; one id kept
    assert all(len(keys) <= 3 for keys in stream._first.values())  # D was never indexed


def test_resname_keeps_units_apart_unless_the_labels_are_chosen():
    rows = [("a", "Close", "Schließen", {"resname": "button.close"}),
            ("b", "Close", "Geschlossen", {"resname": "status.closed"})]
    assert find_inconsistencies(_items(*rows)) == {}
    chosen = [Item.of(i, s, t, "en", "de", labels, context_labels=("context",)) for i, s, t, labels in rows]
    assert sorted(find_inconsistencies(chosen)) == ["a", "b"]
