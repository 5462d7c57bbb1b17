"""What in a segment's texts is markup: its inline codes, its placeholders, its plural syntax.

* **Codes**: the inline codes the caller sent (`Segment.source_codes` / `target_codes`), plus
  HTML/XML tags found in the text outside them. Each is a `Placeholder` with a `kind` (open,
  close, standalone), a `key` compared across the sides (`open:1`, `</b>`) and a `pair`.
* **Placeholders**: the job's placeholder syntaxes found outside the codes (not tags).
* **Plain text**: the text with codes, code (`code_spans`) and plural syntax replaced by spaces
  and each placeholder by `X` and spaces, one for one, so offsets into it are offsets into the
  text as sent. Of a
  plural message only one form is kept (ICU `other`, the last pipe form): a Japanese message
  that rightly has one form reads the same as its English source's plural.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from lacuna.server.checks import icu_message, symfony_plural
from lacuna.server.checks.code_spans import code_spans
from lacuna.server.checks.date_format import is_date_format
from lacuna.server.checks.placeholder_syntax import DEFAULT, Placeholder, PlaceholderSyntax
from lacuna.server.model import InlineCodeData, SegmentInput


#: What a placeholder reads as in the plain text (its first character; the rest are spaces).
VALUE = "X"


def syntax_of(segment: SegmentInput) -> PlaceholderSyntax:
    """The syntax the segment's placeholders are read with: the job's, narrowed to the format
    its file names for the unit (label `format`, e.g. `python-format` from a PO entry's flags),
    to strftime directives where the source is a date format, and without Magento's `%name`
    where the source uses printf (`%snon` is `%s` and a word)."""
    job = segment.placeholder_syntax or DEFAULT
    return _unit_syntax(job, segment.labels.get("format", ""), segment.source)  # type: ignore[arg-type]


@lru_cache(maxsize=8192)
def _unit_syntax(job: PlaceholderSyntax, flags: str, source: str) -> PlaceholderSyntax:
    syntax = job.for_format(flags) if flags else job
    if is_date_format(source):
        return syntax.for_dates()
    if "percent_word" in syntax.groups:
        found = syntax.find(source)
        if any(p.style == "printf" for p in found) and not any(_is_percent_word(p) for p in found):
            return syntax.without_percent_words()
    return syntax


def _is_percent_word(p: Placeholder) -> bool:
    """Magento's `%name` (no closing `%`)."""
    return p.style == "percent_name" and not p.text.endswith("%")


@lru_cache(maxsize=8192)
def _found(text: str, codes: tuple[InlineCodeData, ...], syntax: PlaceholderSyntax
           ) -> tuple[tuple[Placeholder, ...], tuple[Placeholder, ...]]:
    sent = [Placeholder(c.start, c.end, text[c.start:c.end], "code:" + (c.element or "code"),
                        f"{c.kind}:{c.id}" if c.id else f"{c.kind}:{text[c.start:c.end]}",
                        c.id, c.kind, c.pair or ("" if c.kind == "standalone" else c.id))
            for c in codes]
    spans = [(c.start, c.end) for c in codes]
    found = syntax.find(text, spans)
    tags = [p for p in found if p.style == "html"]
    placeholders = [p for p in found if p.style != "html"]
    return tuple(sorted(sent + tags, key=lambda p: p.start)), tuple(placeholders)


def codes(segment: SegmentInput, side: str) -> tuple[Placeholder, ...]:
    """Inline codes and tags of the `side` ("source" or "target"), in text order."""
    text, sent = _side(segment, side)
    return _found(text, sent, syntax_of(segment))[0]


def placeholders(segment: SegmentInput, side: str) -> tuple[Placeholder, ...]:
    """Placeholders (not tags) of the `side`, in text order."""
    text, sent = _side(segment, side)
    return _found(text, sent, syntax_of(segment))[1]


def _side(segment: SegmentInput, side: str) -> tuple[str, tuple[InlineCodeData, ...]]:
    if side == "source":
        return segment.source, segment.source_codes
    return segment.translation, segment.target_codes


def pipe_forms(segment: SegmentInput) -> tuple[list, list]:
    """Pipe-plural forms of (source, translation); ([], []) when neither is a pipe plural. A
    source of one form whose translation is a pipe plural every form of which carries the
    source's placeholders (`... in %minutes% minutes.` -> `... %minutes% минуту.|... минуты.|...
    минут.`: Russian needs three forms where English wrote one) is that plural's only form."""
    source = symfony_plural.parse(segment.source)
    if source:
        return source, symfony_plural.split(segment.translation)
    target = symfony_plural.parse(segment.translation)
    if target and _forms_of_one_message(segment, target):
        return [symfony_plural.Form(0, len(segment.source), None)], target
    return [], []


def _forms_of_one_message(segment: SegmentInput, forms: list) -> bool:
    """Every form holds every placeholder of the source (which has at least one)."""
    wanted = {p.key for p in placeholders(segment, "source")}
    if not wanted:
        return False
    found = placeholders(segment, "target")
    return all(wanted <= {p.key for p in found if f.start <= p.start and p.end <= f.end} for f in forms)


def _mask(chars: list[str], start: int, end: int) -> None:
    for i in range(max(start, 0), min(end, len(chars))):
        if not chars[i].isspace():
            chars[i] = " "


def _mask_choices(chars: list[str], text: str, choices: list[icu_message.Choice]) -> None:
    """Blank each choice argument but the content of its `other` (else last) branch."""
    for choice in choices:
        kept = choice.branch("other") or choice.branches[-1]
        _mask(chars, choice.start, kept.start)
        _mask(chars, kept.end, choice.end)
        if choice.type != "select":
            for i in range(kept.start, kept.end):
                if text[i] == "#":
                    chars[i] = " "
        _mask_choices(chars, text, kept.choices)


def plain_text(text: str, sent: tuple[InlineCodeData, ...], syntax: PlaceholderSyntax,
               keep: tuple[int, int] | None = None) -> str:
    """`text` with markup, placeholders, code and plural syntax blanked (same length).
    `keep`: the span of the one pipe-plural form to keep."""
    chars = list(text)
    if keep is not None:
        _mask(chars, 0, keep[0])
        _mask(chars, keep[1], len(text))
    _mask_choices(chars, text, icu_message.parse(text))
    tags, found = _found(text, sent, syntax)
    for p in tags:
        _mask(chars, p.start, p.end)
    for p in found:  # a value stays a word ("is X px"), so the sentence around it still reads
        kept = chars[p.start] == text[p.start]  # not in a plural form or branch set aside
        _mask(chars, p.start, p.end)
        if kept and p.style != "entity":
            chars[p.start] = VALUE
    for start, end in code_spans("".join(chars)):
        _mask(chars, start, end)
    return "".join(chars)


def plain_segment(segment: SegmentInput) -> SegmentInput:
    """The segment as text scorers see it: plain texts, offsets unchanged."""
    syntax = syntax_of(segment)
    source_forms, target_forms = pipe_forms(segment)
    keep_source = (source_forms[-1].start, source_forms[-1].end) if source_forms else None
    keep_target = (target_forms[-1].start, target_forms[-1].end) if target_forms else None
    reference = segment.reference
    if reference is not None:
        reference = plain_text(reference, (), syntax)
    return replace(segment, source=plain_text(segment.source, segment.source_codes, syntax, keep_source),
                   translation=plain_text(segment.translation, segment.target_codes, syntax, keep_target),
                   reference=reference)
