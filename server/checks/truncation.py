"""Truncation: a translation cut off before its end (flag `truncated`, major).

A translation "stops mid-text" when it ends on a letter, a digit, a comma or a colon, not on a
sentence stop. Any one of these signs is enough:

* it ends inside a placeholder or tag (`{{ min`, `%(na`, `<b`), where the source's placeholders
  are whole;
* it stops mid-text and lacks the source's last placeholder (or several of the source's
  placeholders, the last among them), and that placeholder ends the source or the translation
  is under `MAX_RATIO_UNCLOSED` of its expected length: the cut took the end of the message,
  placeholder and all (`... sent to %(email)s.` -> `... отправлено по`), which `placeholder_missing` alone
  would not say;
* it stops mid-text with a bracket or quote opened in its last part that the source closes
  (`(例:`, `"needs-revie`), unless the source is a piece of a sentence (the next string may
  close it: `관련이 없다면(기관:`);
* it ends on a word cut short: the last word is in Latin letters or digits, and is not a word
  of the source (nor a camel-case part of one, `WebHook` of `WebHookUrl`) but the start of one,
  two or more characters shorter (`HelpandMa` where the source has `HelpandManualFilter`,
  `例如：co` where it has `code`): names, code and terms are copied, so a copy that stops
  midway was cut. Only where the cut word is code (`HelpandMa`: a capital inside, a digit, an
  underscore), or where the translation is under `MAX_RATIO_CUT_WORD` of its expected length
  and either written in another script than the Latin cut word or a copy of the source's first
  words (`Save chan` for `Save changes`): in a Latin-script translation a word
  that starts like a source word is as often the language's own (`notifica` for `notification`,
  `Crea` for `Create`, `Genera`, the Dutch particle `in` for `input`, `fichier batch` for
  `batchfile`);
* it ends on a comma where the source, a title or list, ends on neither a comma nor a stop
  (a list cut between two items), and is under `MAX_RATIO_CUT_WORD` of its expected length, or
  the source is a list itself; not where the source is a piece of a sentence that other
  strings complete (`sentence_fragment`: `If the error persists please` -> `エラーが続く場合は、`,
  the words around the link placed as Japanese wants them);
* the source ends a sentence (`.`, `!`, `?`, `。`, ...) and the translation stops mid-text at
  under `MAX_RATIO` of the length the language pair would give (`length_ratio`'s densities,
  unsmoothed, counted without markup and placeholders), or under `MAX_RATIO_UNCLOSED` with a
  bracket or quote left open that the source closes; not when its last list has as many items
  as the source's (a list written without the final stop is complete), nor when it ends on a
  verb form that ends sentences in the target language (Japanese `します`, `ください`; Korean
  `니다`, `세요`: a whole sentence written without its `。`), nor when the source starts in lower
  case (`account settings.`: the tail of a sentence begun in another string) and the
  translation does not end on a word that needs what follows (`... savoir si les` is cut); a final `etc.` or
  `e.g.` is an abbreviation, not a sentence's stop (`(works, affiliations, etc.)`); a Korean
  translation of a source of `MAX_LABEL_WORDS` words or fewer is judged as a Japanese one is;
* the source is a title or label without a final stop, the target is written with spaces
  between words (not Japanese, Chinese, Thai, ...), and the translation stops at under
  `MAX_RATIO_TITLE` of the expected length on a word that needs the words after it in the
  target language (`dangling_words`: `Comportamiento en`, `Просмотреть основную`), where the
  source does not end on such a word itself (`Sort by`, `Distinguish yourself in`). A short title is often rendered
  shorter (`répertoire des templates` for `template directory for template files`), so the
  length alone says nothing; nor does it in Japanese, Chinese or Korean, whose titles are
  often a third of the English length.

The two length signs do not judge a translation that ends as the source does, on the source's
last placeholder or its last word copied (`Suche in %(docstitle)s` for `Search within
%(docstitle)s`): its end is there.

Pipe and ICU plural messages are judged on their last form (a form may end without a stop).
"""

from __future__ import annotations

import re

from lacuna.languages import writes_without_spaces
from lacuna.server.checks import Check
from lacuna.server.checks.dangling_words import dangling_end
from lacuna.server.checks.length_ratio import content_length, density
from lacuna.server.checks.paired_marks import stray_marks
from lacuna.server.checks.placeholders import difference
from lacuna.server.checks.sentence_fragment import ends_on_linking_word, is_piece, starts_lowercase
from lacuna.server.checks.segment_markup import placeholders, plain_segment
from lacuna.server.checks.text import is_blank
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput

#: A translation under this share of its expected length that stops mid-sentence is cut off.
MAX_RATIO = 0.75
#: ... except, in Japanese, Chinese and other languages written without spaces, the translation
#: of a source of at most this many words: a short phrase with a full stop is often rendered
#: as a label, without 。 and a third of the English length.
MAX_LABEL_WORDS = 6
#: ... and Korean, which writes spaces but renders such phrases as labels too (`자기소개에서 제한된 정보 읽기`).
LABEL_LANGUAGES = frozenset({"ko"})
#: ... or under this share when it also leaves a bracket or quote open that the source closes.
MAX_RATIO_UNCLOSED = 0.95
#: A title or label (no final stop) under this share of its expected length that stops
#: mid-text is cut off (targets written with spaces between words only).
MAX_RATIO_TITLE = 0.6
#: A translation ending on the start of a source word is cut off under this share of its expected
#: length (or whatever its length, where the cut word is code).
MAX_RATIO_CUT_WORD = 0.9
#: The title sign is for targets at least this dense (`length_ratio.DENSITY`; Korean is 0.45).
MIN_TITLE_DENSITY = 0.6
#: Shortest source (non-space characters) judged by the length sign.
MIN_SOURCE = 12
#: An opening bracket or quote left open in this last share of the translation is a cut.
UNCLOSED_TAIL = 0.4
_SENTENCE_END = re.compile(r"[.!?。！？…:：;；]['\"”’」』)）\]]*\s*$")
_COMMAS = ",、，;；:："
_LIST_COMMAS = ",、，;；"
#: Abbreviations whose dot is not a sentence's stop at the end of a title (`(works, etc.)`).
_ABBREVIATION_END = re.compile(r"\b(?:etc|e\.g|i\.e|incl|approx|vs)\.['\"”’」』)）\]]*\s*$", re.IGNORECASE)
#: Verb endings that close a sentence, by target language: a translation ending on one is whole.
_SENTENCE_FINAL = {"ja": ("ます", "です", "ません", "ました", "でした", "ください", "ましょう"),
                   "ko": ("니다", "세요", "십시오", "어요", "아요", "해요")}
_STOP = re.compile(r"[.!?。！？…]['\"”’」』)）\]]*\s*$")
_OPEN_FRAGMENT = re.compile(r"(?:\{\{[^{}]*|%\([^)]*\)?|<[A-Za-z/][^<>]*|\{[A-Za-z_0-9][^{}]*|\{+|(?<=[^\d\s%])%)$")
_LAST_WORD = re.compile(r"[A-Za-z0-9_]{2,}$")
_SOURCE_WORD = re.compile(r"[A-Za-z0-9_]+")
_CODE_WORD = re.compile(r"[a-z][A-Z]|[0-9_]")
_FINAL_WORD = re.compile(r"([A-Za-z0-9_]{2,})\W{0,2}$")
#: Opening brackets and quotes whose closing the cut took (straight quotes and braces are left out:
#: `"` both opens and closes, `{` belongs to placeholders).
_OPENERS = frozenset("(（「『“„[《【«»")


def _unclosed_at(text: str) -> int:
    """Where the last opening bracket or quote that the text never closes is; -1 if none
    (`paired_marks` pairs them: German „…“ closes with “, French «…»)."""
    return max((m.position for m in stray_marks(text) if m.opening and m.mark in _OPENERS), default=-1)


def _unclosed(text: str) -> bool:
    """An opening bracket or quote the text never closes."""
    return _unclosed_at(text) >= 0


def _stops_mid_text(translation: str) -> bool:
    """Ends on a letter, a digit, a comma or a colon, not on a sentence stop."""
    return not _STOP.search(translation) and (translation[-1:].isalnum() or translation[-1:] in _COMMAS)


def _lost_tail_placeholder(segment: SegmentInput) -> bool:
    """The translation lacks the source's last placeholder (by key, counting repeats; entities
    such as `&amp;` are text, not placeholders here, nor are a date format's directives, which
    a locale may drop or reorder: `%H:%M:%S` -> `%Hh%M`)."""
    source = [p for p in placeholders(segment, "source") if p.style not in ("entity", "strftime")]
    if not source:
        return False
    missing, _ = difference(source, list(placeholders(segment, "target")))
    return bool(missing) and missing[-1] is source[-1]


def _ends_message(segment: SegmentInput) -> bool:
    """The source's last placeholder ends the message (at most a stop or a quote after it)."""
    last = [p for p in placeholders(segment, "source") if p.style != "entity"][-1]
    return len(segment.source[last.end:].strip()) <= 2


def _cut_source_word(source: str, translation: str) -> str:
    """The translation's last word if it is the start of a source word, not a source word itself
    nor one of its camel-case parts (`WebHook` of `WebHookUrl`); "" otherwise."""
    last = _LAST_WORD.search(translation)
    if not last:
        return ""
    words = set(_SOURCE_WORD.findall(source))
    cut = last.group(0)
    # two letters short at least: "JRE" for "JREs" is the singular, not a cut
    return cut if cut not in words and any(
        w.startswith(cut) and len(w) >= len(cut) + 2 and not (cut[-1].islower() and w[len(cut)].isupper())
        for w in words) else ""


def _copy_in_other_script(translation: str, cut: str) -> bool:
    """The cut word is Latin in a translation written mostly in another script (`例如：co`), so
    it can only be a copy of the source's word. In a Latin-script translation a word that starts
    like a source word is as often the target language's own (`notifica` for `notification`,
    `Crea` for `Create`, the Dutch particle `in` for `input`)."""
    letters = [ch for ch in translation if ch.isalpha()]
    latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    return len(letters) > len(cut) and latin - len(cut) < 0.5 * (len(letters) - len(cut))


def _copied_start(source: str, translation: str) -> bool:
    """The translation is the source's first words copied, the last of them cut (`Save chan` for
    `Save changes`): a copy, whatever the script."""
    return len(translation.split()) >= 2 and source.startswith(translation)


def _final_placeholder(segment: SegmentInput, translation: str):
    """The placeholder that ends the translation (at most a stop or a quote after it); None if none."""
    found = [p for p in placeholders(segment, "target") if p.style != "entity"]
    return found[-1] if found and len(translation[found[-1].end:].strip()) <= 2 else None


def _ends_on_placeholder(segment: SegmentInput, translation: str) -> bool:
    """The translation ends on a placeholder (`%(name)s` is not the word `s`)."""
    return _final_placeholder(segment, translation) is not None


def _ends_as_source(segment: SegmentInput, source: str, translation: str) -> bool:
    """The translation ends on what ends the source: its last placeholder (same key) or its last
    word of Latin letters or digits, copied (a name, code, a term)."""
    found = [p for p in placeholders(segment, "source") if p.style != "entity"]
    last = _final_placeholder(segment, translation)
    if found and last is not None and _ends_message(segment) and last.key == found[-1].key:
        return True
    ours, theirs = _FINAL_WORD.search(source), _FINAL_WORD.search(translation)
    return bool(ours and theirs) and ours.group(1) == theirs.group(1)


def _ends_sentence(source: str) -> bool:
    """The source ends a sentence: a stop that is not an abbreviation's dot."""
    return bool(_SENTENCE_END.search(source)) and not _ABBREVIATION_END.search(source)


def _closes_sentence(translation: str, lang) -> bool:
    """The translation ends on a verb form that ends sentences in its language (no stop after it)."""
    return translation.rstrip().endswith(_SENTENCE_FINAL.get(lang.base, ()))


def _titles_keep_length(segment: SegmentInput) -> bool:
    """The target writes words with spaces in a script of letters (not Japanese, Chinese, Thai,
    nor Korean, whose syllable blocks make "message of the notification" "알림 메시지")."""
    return not writes_without_spaces(segment.tgt_lang) and density(segment.tgt_lang) >= MIN_TITLE_DENSITY


def _final_list_items(text: str) -> int:
    """List separators in the text's last sentence or clause after a colon."""
    tail = re.split(r"[.!?。！？:：]\s", text.rstrip(" .。!?！？"))[-1]
    return sum(tail.count(c) for c in _LIST_COMMAS)


class Truncation(Check):
    name = "truncation"
    description = "translation cut off before its end (major)"
    sees_markup = True

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        source, translation = segment.source.rstrip(), segment.translation.rstrip()
        if is_blank(translation) or "|" in source:
            return out
        fragment = _OPEN_FRAGMENT.search(translation)
        if fragment and not _OPEN_FRAGMENT.search(source):
            return self._flag(out, segment, fragment.start(), "ends inside a placeholder or tag")
        if not _stops_mid_text(translation):
            return out
        why = self._sign(segment, source, translation)
        if why:
            return self._flag(out, segment, len(translation), why)
        return out

    def _sign(self, segment: SegmentInput, source: str, translation: str) -> str:
        """Why the translation, which stops mid-text, looks cut off; "" if it does not."""
        if _lost_tail_placeholder(segment) and (_ends_message(segment) or self._ratio(segment) < MAX_RATIO_UNCLOSED):
            return "stops mid-sentence without the source's last placeholder"
        piece = is_piece(plain_segment(segment).source, segment.src_lang)
        opened = _unclosed_at(translation)
        if opened >= 0 and opened >= (1 - UNCLOSED_TAIL) * len(translation) and _unclosed_at(source) < 0 and not piece:
            return "stops mid-sentence inside a bracket or quote the source closes"
        cut = _cut_source_word(source, translation)
        if cut and (_CODE_WORD.search(cut) or (self._ratio(segment) < MAX_RATIO_CUT_WORD and (
                _copy_in_other_script(translation, cut) or _copied_start(source, translation)))):
            return "stops inside a word the source has"
        if translation[-1:] in _LIST_COMMAS and not _SENTENCE_END.search(source) and source[-1:] not in _LIST_COMMAS \
                and not piece \
                and (_final_list_items(source) >= 1 or self._ratio(segment) < MAX_RATIO_CUT_WORD):
            return "stops on a comma"
        if len(source.replace(" ", "")) < MIN_SOURCE or _ends_as_source(segment, source, translation):
            return ""
        ratio = self._ratio(segment)
        if not _ends_sentence(source):
            word = "" if _ends_on_placeholder(segment, translation) else dangling_end(translation, segment.tgt_lang)
            if (word and _titles_keep_length(segment) and ratio < MAX_RATIO_TITLE
                    and not ends_on_linking_word(source, segment.src_lang)):
                return f"stops on '{word}', which needs the words after it, at {ratio:.0%} of the expected length"
            return ""
        if translation[-1:] in ":：" and not _STOP.search(source):  # a label ending as its source does
            return ""
        listed = _final_list_items(source) >= 2 and _final_list_items(translation) >= _final_list_items(source)
        if starts_lowercase(source) and not dangling_end(translation, segment.tgt_lang):
            return ""  # the tail of a sentence begun in another string: `account settings.` -> `paramètres`
        if (writes_without_spaces(segment.tgt_lang) or segment.tgt_lang.base in LABEL_LANGUAGES) \
                and len(source.split()) <= MAX_LABEL_WORDS:
            return ""  # a short phrase with a full stop, rendered as a label: 分页游标值 for "The pagination cursor value."
        if _closes_sentence(translation, segment.tgt_lang):
            return ""  # a whole sentence without its stop: 情報を共有します
        if ratio < MAX_RATIO and not listed:
            return f"stops mid-sentence at {ratio:.0%} of the expected length"
        if ratio < MAX_RATIO_UNCLOSED and _unclosed(translation) and not _unclosed(source):
            return f"stops mid-sentence at {ratio:.0%} of the expected length"
        return ""

    @staticmethod
    def _ratio(segment: SegmentInput) -> float:
        """The translation's length over the length the language pair would give."""
        plain = plain_segment(segment)
        expected = content_length(plain.source) / density(segment.src_lang) * density(segment.tgt_lang)
        return content_length(plain.translation) / expected if expected else 1.0

    @staticmethod
    def _flag(out: ScorerOutput, segment: SegmentInput, at: int, why: str) -> ScorerOutput:
        out.flags.append(FlagData(
            type="truncated", severity="major", detector="truncation", confidence=0.8,
            message=f"the translation looks cut off: it {why}",
            target_span=(max(0, at - 1), len(segment.translation.rstrip()))))
        return out
