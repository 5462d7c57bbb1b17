"""Unrendered stretches (server/omission/stretches.py): a sentence the segmenter could not cut off
its neighbour -- here one whose full stop is missing -- and that the translation leaves out is
flagged with `--omission-unrendered-stretches`, and only then (it is off by default)."""

from lacuna.client import Client
from lacuna.server.omission.stretches import Stretch, longest_unaligned_stretch, snapped

# (Own text.) The fourth sentence's first half lacks its full stop, so the segmenter reads one
# sentence; the dropped translation renders only its second half.
FARMERS = ("Farmers who have worked the valley floor for generations say they fear that the new bends "
           "will flood their best fields every winter and ruin the harvest")
SOURCE = ("Rivers return to the valley\n"
          "The regional council voted on Tuesday to fund the restoration of three rivers that were "
          "straightened for farming in the nineteenth century. "
          "Engineers will remove the concrete banks and let the water find its old bends again. "
          f"{FARMERS} The council will pay landowners who lose fields to the rivers a fixed sum for every hectare. "
          "Work on the first river starts in the spring and should take two years. "
          "The council expects fish and birds to come back within a decade.")
_HEAD = ("Flüsse kehren ins Tal zurück\n"
         "Der Regionalrat hat am Dienstag beschlossen, die Renaturierung von drei Flüssen zu finanzieren, "
         "die im neunzehnten Jahrhundert für die Landwirtschaft begradigt wurden. "
         "Ingenieure werden die Betonufer entfernen und das Wasser seine alten Windungen wiederfinden lassen. ")
_TAIL = ("Der Rat wird Grundbesitzern, die Felder an die Flüsse verlieren, für jeden Hektar einen festen "
         "Betrag zahlen. "
         "Die Arbeiten am ersten Fluss beginnen im Frühjahr und sollen zwei Jahre dauern. "
         "Der Rat erwartet, dass Fische und Vögel innerhalb eines Jahrzehnts zurückkehren.")
DROPPED = _HEAD + _TAIL
FAITHFUL = (_HEAD + "Landwirte, die den Talboden seit Generationen bewirtschaften, fürchten, dass die neuen "
            "Windungen jeden Winter ihre besten Felder überfluten und die Ernte vernichten. " + _TAIL)


def test_the_longest_stretch_is_the_densest_unaligned_run():
    marks = ((0, 3, True), (4, 8, False), (9, 12, False), (13, 15, False), (16, 18, True), (19, 22, False),
             (23, 25, False), (26, 30, False), (31, 34, True), (35, 40, True), (41, 44, False))
    # one aligned word between two runs of three unaligned ones does not cut them (3 - 2 + 3 > 3)...
    assert longest_unaligned_stretch(marks, 2.0) == Stretch((4, 30), 6, 1)
    # ...at a higher price it does, and of two equal runs the first is kept
    assert longest_unaligned_stretch(marks, 5.0) == Stretch((4, 15), 3, 0)
    assert longest_unaligned_stretch(((0, 3, True), (4, 6, True)), 2.0) is None
    assert longest_unaligned_stretch((), 2.0) is None


def test_a_stretch_a_word_or_two_from_its_sentence_edge_is_widened_to_it():
    marks = ((10, 15, True), (16, 20, False), (21, 25, False), (26, 30, False), (31, 35, True),
             (36, 40, True), (41, 45, True))
    stretch = Stretch((16, 30), 3, 0)
    assert snapped(stretch, marks, (10, 45), 2) == (10, 30)  # one word before it, three after
    assert snapped(stretch, marks, (10, 45), 3) == (10, 45)
    assert snapped(stretch, marks, (10, 45), 0) == (16, 30)
    # words of another sentence do not count, and the span never leaves its sentence
    assert snapped(stretch, marks, (16, 30), 0) == (16, 30)


def _omissions(server, translation: str) -> list:
    with Client(server.address, timeout=120) as client:
        result = client.score([{"id": "d", "source": SOURCE, "translation": translation,
                                "src_lang": "en", "tgt_lang": "de"}])
    return [f for f in result.segments[0].flags if f.type == "omission"]


def _covers_farmers(flag) -> bool:
    start = SOURCE.index(FARMERS)
    return flag.source_span.start < start + len(FARMERS) and start < flag.source_span.end


def test_a_sentence_run_into_the_next_and_left_out_is_flagged_with_the_option(base_server, start_server):
    server = start_server(omission_unrendered_stretches=True)
    found = [f for f in _omissions(server, DROPPED) if _covers_farmers(f)]
    assert found, "the untranslated half of the run-together sentence is not flagged"
    assert found[0].severity == "major" and found[0].confidence >= 0.5
    assert "not translated" in found[0].message
    # the flag starts where the left-out sentence does, though its first word aligned by chance
    assert found[0].source_span.start == SOURCE.index(FARMERS)
    # the faithful translation renders it: no flag there
    assert not [f for f in _omissions(server, FAITHFUL) if _covers_farmers(f)]
    # the default server does not look for stretches
    assert not [f for f in _omissions(base_server, DROPPED) if _covers_farmers(f)]
    # and the two say so in their signatures
    with Client(server.address) as on, Client(base_server.address) as off:
        (sig_on,) = {m.name: m for m in on.capabilities().metrics}["omission"].signatures
        (sig_off,) = {m.name: m for m in off.capabilities().metrics}["omission"].signatures
    assert "|stretches:yes" in sig_on and "stretches" not in sig_off
    settings = [part for sig in (sig_on, sig_off) for part in sig.split("|") if part.startswith("settings:")]
    assert len(settings) == 2 and settings[0] != settings[1]  # (every setting is in the digest)
