"""Untranslated: the translation is the source again (identical, or nearly so).

Only judged when the source and target languages differ (and are not two
standards of one written language, such as Croatian and Serbian in Latin script). Short texts that are
legitimately the same in both languages are left alone: the source must have at
least two "ordinary" words (lower-case words, or the capitalised first word of
a sentence; any word in a script without case) once URLs, e-mail addresses,
placeholders, markup, numbers and names (`iPhone`, `Lacuna`, `NATO`) are set
aside, and so are unit symbols written against a number or placeholder (`12px`,
`%0.2fms`: `CPU: %(cum)0.2fms` is the same in German) and the short lower-case joints of
capitalised names in a target written in Latin letters (`Isle of Man`: a name German keeps;
in Japanese, `Notify for Quantity Below` left as is is a label not translated). A German copy whose only edits
capitalise words (`Twig Template Code` for `Twig template code`) was written as German nouns. "Nearly so" means the word sequences agree to at least 90% (difflib
ratio), which catches a copied source with a changed punctuation mark or one
edited word, and not a real translation between related languages.
"""

from __future__ import annotations

import difflib

from lacuna.flag_types import UNTRANSLATED
from lacuna.languages import writes_without_spaces
from lacuna.server.checks import Check
from lacuna.server.checks.segment_markup import plain_segment
from lacuna.server.checks.wrong_language import NON_LATIN_TARGETS
from lacuna.server.checks.text import WORD, is_blank, is_caseless, mask_verbatim, normalise, words
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput

#: Languages whose written standards are so close that a sentence may legitimately be the
#: same in both (Serbian in Latin script / Croatian / Bosnian, Indonesian / Malay).
SHARED_STANDARDS = [{"bs", "hr", "sr", "cnr"}, {"id", "ms"}, {"nb", "no"}]
#: Source words that must be "ordinary" (not names, codes or numbers) before the check judges.
MIN_ORDINARY_WORDS = 2
#: Letters a no-space-script source (Japanese, Chinese, Thai, ...) must have instead.
MIN_LETTERS_WITHOUT_SPACES = 6
#: difflib ratio of the word sequences at or above which the texts are "nearly identical".
NEAR_IDENTICAL = 0.9
#: Longest word (or letter) sequence compared with difflib, which is quadratic; longer
#: texts are compared by the words they share.
MAX_DIFF_ITEMS = 3000


#: Longest lower-case word read as the joint of a capitalised name (`of`, `and`, `de`, `von`).
MAX_JOINT_LETTERS = 3
#: Longest word read as a unit symbol when written against a number or placeholder (`ms`, `px`, `KiB`).
MAX_UNIT_LETTERS = 3


def ordinary_words(text: str, as_sent: str | None = None, names_kept: bool = False) -> int:
    """Words that carry translatable content: not names, acronyms, codes or placeholders, nor
    unit symbols glued to a number or placeholder. `text` is the plain text (placeholders
    blanked); `as_sent` the same text with them, to see what a word is written against.
    `names_kept`: the target keeps names in Latin letters, so the joint of a capitalised name
    (`Isle of Man`) is part of the name; a Japanese or Russian target writes names in its own
    script, and there `Notify for Quantity Below` copied is a label left in English."""
    masked = mask_verbatim(text)
    found_words = list(WORD.finditer(masked))
    count = 0
    for i, found in enumerate(found_words):
        word = found.group(0)
        if _unit_symbol(masked, as_sent, found.start(), word) or (names_kept and _joins_a_name(found_words, i)):
            continue
        if is_caseless(word) or word.islower():
            count += 1
        elif i == 0 and word[:1].isupper() and word[1:].islower():
            count += 1  # the capitalised first word of a sentence
    return count


def _joins_a_name(found: list, i: int) -> bool:
    """A short lower-case word between two title-case ones: the joint of a name (`Isle of Man`,
    `Bank of America`), not a word to translate (`Existence of CDS`, next to an acronym, is prose)."""
    if not 0 < i < len(found) - 1 or len(found[i].group(0)) > MAX_JOINT_LETTERS or not found[i].group(0).islower():
        return False
    return all(_titlecase(found[j].group(0)) for j in (i - 1, i + 1))


def _titlecase(word: str) -> bool:
    """A capital and then lower-case letters (`Man`, `Herzegovina`; not `CDS`, `AFNIC`)."""
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def _unit_symbol(masked: str, as_sent: str | None, start: int, word: str) -> bool:
    """A short word written against the number or placeholder before it (`12px`, `%0.2fms`)."""
    if start == 0 or len(word) > MAX_UNIT_LETTERS:
        return False
    before = masked[start - 1]
    if before.isdigit():
        return True
    # a blanked placeholder ends here: in the text as sent its last character touches the word
    return before.isspace() and as_sent is not None and len(as_sent) == len(masked) \
        and not as_sent[start - 1].isspace()


def similarity(source: str, translation: str) -> float:
    """How alike two texts are, in [0, 1], ignoring case, width, spacing and punctuation.

    Spaced scripts are compared word by word, scripts without spaces letter by letter.
    """
    a, b = normalise(source), normalise(translation)
    if a == b:
        return 1.0
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    if _unspaced(wa) or _unspaced(wb):
        wa, wb = list("".join(wa)), list("".join(wb))
    if wa == wb:
        return 1.0
    if len(wa) > MAX_DIFF_ITEMS or len(wb) > MAX_DIFF_ITEMS:
        counts_b: dict[str, int] = {}
        for w in wb:
            counts_b[w] = counts_b.get(w, 0) + 1
        shared = 0
        for w in wa:
            if counts_b.get(w, 0) > 0:
                counts_b[w] -= 1
                shared += 1
        return 2 * shared / (len(wa) + len(wb))
    return difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def _unspaced(ws: list[str]) -> bool:
    """Words that are long runs of caseless letters: a script written without spaces."""
    return sum(len(w) for w in ws) / len(ws) > 6 and all(is_caseless(w) for w in ws)


#: Target languages that write every noun with a capital: a copy whose only edit capitalises
#: words was written in the language (`Controller Code` for `Controller code`).
NOUN_CAPITALS = frozenset({"de", "lb"})


def _nouns_capitalised(segment: SegmentInput) -> bool:
    """The translation is the source with some words capitalised, in German: the translator
    wrote the English loanwords as German nouns (`Twig Template Code`)."""
    if segment.tgt_lang.base not in NOUN_CAPITALS:
        return False
    source, translation = words(segment.source), words(segment.translation)
    changed = [(a, b) for a, b in zip(source, translation) if a != b]
    return len(source) == len(translation) and bool(changed) \
        and all(a.lower() == b.lower() and b[:1].isupper() and a[:1].islower() for a, b in changed)


class Untranslated(Check):
    name = "untranslated"
    description = "translation identical or nearly identical to the source (critical)"
    sees_markup = True  # reads the plain texts, and the source as sent for what words touch

    def run(self, sent: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        segment = plain_segment(sent)
        src, tgt = segment.src_lang.base, segment.tgt_lang.base
        if src == tgt or any(src in g and tgt in g for g in SHARED_STANDARDS) or is_blank(segment.translation):
            return out
        if not self._has_content(segment, sent.source):
            return out
        ratio = similarity(segment.source, segment.translation)
        if ratio < NEAR_IDENTICAL or _nouns_capitalised(segment):
            return out
        how = "identical to the source" if ratio == 1.0 else f"nearly identical to the source ({ratio:.0%} alike)"
        out.flags.append(FlagData(
            type=UNTRANSLATED, severity="critical", detector=self.name, confidence=ratio,
            message=f"the translation is {how}: not translated from "
                    f"{segment.src_lang.tag} to {segment.tgt_lang.tag}",
            source_span=(0, len(segment.source)), target_span=(0, len(segment.translation)),
        ))
        return out

    @staticmethod
    def _has_content(segment: SegmentInput, source_as_sent: str) -> bool:
        source = segment.source
        if writes_without_spaces(segment.src_lang):
            masked = mask_verbatim(source)
            return sum(len(w) for w in words(masked) if is_caseless(w)) >= MIN_LETTERS_WITHOUT_SPACES \
                or ordinary_words(source, source_as_sent) >= MIN_ORDINARY_WORDS + 1
        names_kept = segment.tgt_lang.base not in NON_LATIN_TARGETS
        return ordinary_words(source, source_as_sent, names_kept) >= MIN_ORDINARY_WORDS
