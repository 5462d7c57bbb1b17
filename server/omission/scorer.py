"""The `omission` scorer: metrics `omission` and `addition`, flags of the same types."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from lacuna.server.checks.sentence_fragment import ends_open
from lacuna.server.model import MetricSpec, ScorerOutput, SegmentInput
from lacuna.server.omission.detector import OmissionDetector
from lacuna.server.omission.flags import quote
from lacuna.server.omission.encoder import BatchingEncoder
from lacuna.server.omission.length import content_units
from lacuna.server.scorer import MeanAccumulator, ModelDescription, Scorer
from lacuna.server.text_cost import tame, warm_up as warm_up_text_cost

METRICS = ("omission", "addition")
#: Separator of the sources of segments that share one translation (see shared_translation_groups).
JOIN = "\n\n"
#: A translation shared by several segments is treated as their common document when it is at
#: least this many times longer (content units) than each of their sources.
DOCUMENT_FACTOR = 2.0
#: ... and has at least this many content units (a paragraph or more).
MIN_DOCUMENT_UNITS = 200.0
#: The kinds of flag (flags.FLAG_KINDS) the reporting floor applies to: whole passages the
#: alignment left unmatched (or a long unaligned run inside a matched pair), where a wrong flag
#: names a passage that is translated after all.
FLOORED_KINDS = frozenset({"omission_sentence", "addition_sentence", "omission_stretch"})


def shared_translation_groups(segments: Sequence[SegmentInput]) -> list[list[int]]:
    """Indices of the segments, grouped: segments of one request that carry the SAME translation
    (and language pair) are one group, in order; every other segment is a group of its own.

    A document translated as a whole but sent paragraph by paragraph (each paragraph with the
    full translation) is then aligned as one document: the paragraphs' sentences compete for
    the translation's sentences, as they would in the whole article.
    """
    by_key: dict[tuple[str, str, str], list[int]] = {}
    groups: list[list[int]] = []
    for i, seg in enumerate(segments):
        key = (seg.translation, seg.src_lang.tag, seg.tgt_lang.tag)
        if seg.translation.strip() and key in by_key:
            by_key[key].append(i)
            continue
        by_key[key] = [i]
        groups.append(by_key[key])
    out: list[list[int]] = []
    for members in groups:
        # only a translation much longer than each member's source is a shared document; equal
        # short strings ("OK" for several sources) stay separate segments
        target = content_units(segments[members[0]].translation)
        if len(members) > 1 and target >= MIN_DOCUMENT_UNITS and all(
                target >= DOCUMENT_FACTOR * content_units(segments[i].source) for i in members):
            out.append(members)
        else:
            out.extend([i] for i in members)
    return out


def _for_piece(segment: SegmentInput, output: ScorerOutput) -> ScorerOutput:
    """The output of a segment whose source is a piece of a sentence that other strings complete
    (`sentence_fragment.ends_open`: `... by entering your email address in the` + a link) with
    its flags `minor`: translators move words between the pieces as the target language orders
    them, so one piece alone may lack or add a clause that the whole sentence has."""
    if not any(f.severity == "major" for f in output.flags) or not ends_open(segment.source, segment.src_lang):
        return output
    return replace(output, flags=[replace(f, severity="minor") if f.severity == "major" else f for f in output.flags])


class OmissionScorer(Scorer):
    name = "omission"

    def __init__(self, encoder: BatchingEncoder, detector: OmissionDetector | None = None,
                 min_confidence: float | None = None):
        self.encoder = encoder
        self.detector = detector or OmissionDetector(encoder, detector_name=self.name)
        #: flags below this confidence are not reported (None: the detector's `report_confidence`)
        self.min_confidence = self.detector.settings.report_confidence if min_confidence is None else min_confidence
        warm_up_text_cost()

    def metrics(self) -> list[MetricSpec]:
        return [
            MetricSpec("omission", "how likely source content is missing from the translation (0..1); "
                       "flags each omitted passage", requires_reference=False, higher_is_better=False,
                       default=True, signatures=(self.detector.signature("omission"),)),
            MetricSpec("addition", "how likely the translation holds content with no counterpart in the "
                       "source (0..1); flags each added passage", requires_reference=False,
                       higher_is_better=False, default=True, signatures=(self.detector.signature("addition"),)),
        ]

    def checks(self) -> list[tuple[str, str]]:
        return [("omission", "source passages the translation leaves out (source_span)"),
                ("addition", "translation passages with no counterpart in the source (target_span)")]

    def models(self) -> list[ModelDescription]:
        settings = self.detector.settings
        kind = "sentence-encoder" + ("+latent-terms" if settings.latent_terms else "") \
            + ("+word-alignment" if settings.word_alignment else "")
        return [ModelDescription(name=self.encoder.name, kind=kind, path=self.encoder.path,
                                 device=self.encoder.device, loaded=self.encoder.running)]

    def score(self, segments: Sequence[SegmentInput], metrics: frozenset[str]) -> list[ScorerOutput]:
        wanted = [m for m in METRICS if m in metrics]
        if not wanted:
            return [ScorerOutput() for _ in segments]
        groups = shared_translation_groups(segments)
        jobs = []  # (source, translation, src_lang, tgt_lang) per group
        for members in groups:
            first = segments[members[0]]
            # pathological runs and mark stacks cut to a bounded cost; offsets stay those sent
            source = JOIN.join(tame(segments[i].source) for i in members)
            jobs.append((source, tame(first.translation), first.src_lang, first.tgt_lang))
        analyses = [replace(a, flags=self.reportable(a.flags)) for a in self.detector.analyze(jobs)]
        outputs: list[ScorerOutput | None] = [None] * len(segments)
        for members, analysis in zip(groups, analyses):
            if len(members) == 1:
                outputs[members[0]] = self._output(analysis.omission, analysis.addition, analysis.flags, wanted)
                continue
            offset = 0
            for k, i in enumerate(members):
                length = len(segments[i].source)
                lo, hi = offset, offset + length
                missing = [(p, u) for (s, e), p, u in analysis.source_missing if lo <= s < hi]
                units = sum(u for _, u in missing)
                omission = sum(p * u for p, u in missing) / units if units else 0.0
                flags = []
                for f in analysis.flags:
                    if f.source_span is not None and f.source_span[0] < hi and lo < f.source_span[1]:
                        # a passage across paragraphs is flagged in each, clipped to it
                        start, end = max(f.source_span[0], lo) - lo, min(f.source_span[1], hi) - lo
                        if (start, end) != (f.source_span[0] - lo, f.source_span[1] - lo):
                            f = replace(f, message=f'{f.message.split(":")[0]}: "{quote(segments[i].source[start:end])}"')
                        flags.append(replace(f, source_span=(start, end)))
                    elif f.target_span is not None and k == 0:
                        flags.append(f)  # additions belong to the shared translation: reported once
                outputs[i] = self._output(omission, analysis.addition, flags, wanted)
                offset = hi + len(JOIN)
        return [_for_piece(seg, out) for seg, out in zip(segments, outputs)]  # type: ignore[arg-type]

    def reportable(self, flags: list) -> list:
        """The flags a person should see: a whole unmatched passage (kinds `FLOORED_KINDS`) only
        when it is at least `min_confidence` likely to be right. A partial omission (part of one
        aligned sentence, or of a one-sentence pair) is kept whatever its confidence -- that says
        how surely its clause is the one missing, while the pair's score says content is -- and
        stays `minor` below the severity bar."""
        return [f for f in flags if f.confidence >= self.min_confidence
                or getattr(f.evidence, "kind", None) not in FLOORED_KINDS]

    @staticmethod
    def _output(omission: float, addition: float, flags, wanted) -> ScorerOutput:
        values = {"omission": omission, "addition": addition}
        return ScorerOutput(scores={m: float(values[m]) for m in wanted}, flags=[f for f in flags if f.type in wanted])

    def corpus(self, metrics: frozenset[str]) -> MeanAccumulator | None:
        wanted = [m for m in METRICS if m in metrics]
        return MeanAccumulator(wanted, {m: self.detector.signature(m) for m in wanted}) if wanted else None

    def close(self) -> None:
        self.encoder.close()
