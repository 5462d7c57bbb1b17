"""The simple QA checks every localization tool has, one module each.

A check looks at one segment and returns flags (and, rarely, a score). The
`ChecksScorer` runs all of them on every segment, whatever metrics a request
names; a check that raises is logged and skipped for that segment.

| check (`Flag.detector`) | flag type         | severity         | module            |
|-------------------------|-------------------|------------------|-------------------|
| empty                   | empty             | critical         | empty.py          |
| untranslated            | untranslated      | critical         | untranslated.py   |
| wrong_language          | wrong_language    | major            | wrong_language.py |
| numbers                 | number_mismatch   | major            | numbers.py        |
| length_ratio            | length_ratio      | minor / major    | length_ratio.py   |
| paired_marks            | unpaired_mark     | minor            | paired_marks.py   |
| placeholders            | placeholder_missing / _changed / _extra | critical / critical / major | placeholders.py |
| tags                    | tag_missing / tag_extra / tag_nesting   | critical / major / critical | tags.py |
| plurals                 | plural_forms      | critical / major | plurals.py        |
| length_limit            | length_limit      | major            | length_limit.py   |
| truncation              | truncated         | major            | truncation.py     |
| sentence_count          | omission          | major / minor    | sentence_count.py |

Checks that judge words (untranslated, wrong_language, numbers, length_ratio, paired_marks,
sentence_count) see
the text without inline codes, placeholders, code and plural syntax (`segment_markup`); the
checks of markup (`sees_markup = True`) see the texts as sent.

`sentence_count` is a fallback (`Check.fallback`): its flag stands only where the omission
detector flagged nothing on the segment.

Each module's docstring says what it judges and what it deliberately leaves alone.
"""

from __future__ import annotations

import abc
from typing import Sequence

import structlog

from lacuna.server.model import ScorerOutput, SegmentInput
from lacuna.server.scorer import Scorer

log = structlog.get_logger("lacuna.checks")


class Check(abc.ABC):
    name: str = "check"
    description: str = ""
    #: True: sees the texts as sent; False: the plain texts (see `segment_markup`).
    sees_markup: bool = False
    #: True: a fallback for a model's detector. Its flags are dropped from a segment that has a
    #: flag of the same type from another detector (one dropped sentence, one flag).
    fallback: bool = False

    @abc.abstractmethod
    def run(self, segment: SegmentInput) -> ScorerOutput: ...

    def languages(self) -> list[str]:
        """Language subtags this check can judge (empty: any language)."""
        return []


def default_checks() -> list[Check]:
    """Every built-in check, in the order they run."""
    from lacuna.server.checks.empty import EmptyTranslation
    from lacuna.server.checks.untranslated import Untranslated
    from lacuna.server.checks.wrong_language import WrongLanguage
    from lacuna.server.checks.numbers import NumberMismatch
    from lacuna.server.checks.length_ratio import LengthRatio
    from lacuna.server.checks.paired_marks import PairedMarks
    from lacuna.server.checks.placeholders import Placeholders
    from lacuna.server.checks.tags import Tags
    from lacuna.server.checks.plurals import Plurals
    from lacuna.server.checks.length_limit import LengthLimit
    from lacuna.server.checks.truncation import Truncation
    from lacuna.server.checks.sentence_count import SentenceCount

    return [EmptyTranslation(), Untranslated(), WrongLanguage(), NumberMismatch(), LengthRatio(), PairedMarks(),
            Placeholders(), Tags(), Plurals(), LengthLimit(), Truncation(), SentenceCount()]


class ChecksScorer(Scorer):
    name = "checks"
    always = True
    sees_markup = True  # hands each check the view it asks for

    def __init__(self, checks: list[Check] | None = None):
        self._checks = default_checks() if checks is None else checks

    def checks(self) -> list[tuple[str, str]]:
        return [(c.name, c.description) for c in self._checks]

    def languages(self) -> list[str]:
        return sorted({lang for c in self._checks for lang in c.languages()})

    def score(self, segments: Sequence[SegmentInput], metrics: frozenset[str]) -> list[ScorerOutput]:
        outputs = []
        from lacuna.server.checks.segment_markup import plain_segment

        for seg in segments:
            out = ScorerOutput()
            plain = None
            for check in self._checks:
                try:
                    if check.sees_markup:
                        found = check.run(seg)
                    else:
                        plain = plain or plain_segment(seg)
                        found = check.run(plain)
                except Exception:  # a broken check costs only its own flags, not the segment
                    log.exception("check_failed", check=check.name, segment_id=seg.id)
                    continue
                out.scores.update(found.scores)
                out.flags.extend(found.flags)
            outputs.append(out)
        return outputs


def fallback_detectors() -> frozenset[str]:
    """Names of the checks whose flags yield to another detector's flag of the same type."""
    return frozenset(c.name for c in default_checks() if c.fallback)


def drop_covered_fallbacks(flags: list, fallbacks: frozenset[str]) -> list:
    """`flags` without those of a fallback detector whose type another detector also flagged."""
    covered = {f.type for f in flags if f.detector not in fallbacks}
    return [f for f in flags if not (f.detector in fallbacks and f.type in covered)]
