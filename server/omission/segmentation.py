"""Sentence and clause segmentation with exact code-point offsets.

Every function returns half-open (start, end) spans into the text it was given,
trimmed of surrounding whitespace, so a span can be reported back to the user
as is. Lines are boundaries, except where a text is wrapped at a width inside a sentence (a line
ending with a comma, a line without a sentence's end before one opening in lower case:
`_soft_break`). Inside a line:

- texts with CJK sentence punctuation (Japanese, Chinese) are cut after 。！？
  (plus any closing quotes/brackets that follow, e.g. 。」), and after ！？!? ;
- other languages go through pysbd when it knows the language, with a
  regex fallback (terminal punctuation + space + a capital, digit or quote).

Overlong sentences (the encoder reads at most ~512 tokens) are cut further at
clause boundaries, then at spaces, so that no piece exceeds `max_chars`.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from lacuna.languages import Language, writes_without_spaces

Span = tuple[int, int]

#: Longest piece handed to the encoder, in characters.
MAX_SENTENCE_CHARS = 600

_CLOSERS = "」』）)]】〕〉》\"'”’»"
_CJK_STOP = re.compile(r"[。！？!?．]+[" + re.escape(_CLOSERS) + r"]*")
_CJK_PUNCT = re.compile(r"[。！？、，]")
def _capitals_class() -> str:
    """A regex class body of every letter a sentence may start with: the letters that are not
    lower case (capitals of every cased script: Latin, Cyrillic with Ukrainian Є І Ї Ґ, Greek,
    Armenian, ...; and every letter of a script without case: Hangul, Hebrew, Arabic,
    Devanagari, ...; and Georgian's Mkhedruli, which Unicode counts as lower case but which is
    written without capitals), as code-point ranges."""
    ranges: list[list[int]] = []
    for code in range(0x41, 0x10000):
        ch = chr(code)
        if ch.isalpha() and (not ch.islower() or 0x10D0 <= code <= 0x10FF):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


# Latin-style fallback: . ! ? … followed by closers, then space, then a plausible sentence start.
# “ and ‘ close a quotation opened with „ and ‚ (Czech, German, Icelandic, ...); in CJK text they
# open one, so only these rules take them as closers.
_LATIN_CLOSERS = _CLOSERS + "“‘"
_LATIN_STOP = re.compile(r"[.!?…]+[" + re.escape(_LATIN_CLOSERS) + r"]*(?=\s+[\"'“‘„‚«‹(\[¿¡–—0-9" + _capitals_class() + r"]|\s*$)")
_ARABIC_STOP = re.compile(r"[.!?؟۔]+[" + re.escape(_CLOSERS) + r"]*(?=\s)")
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Sr|Jr|vs|etc|e\.g|i\.e|U\.S|U\.K|No|Nr|bzw|z\.B|usw|ca|approx|Inc|Ltd|Co|Gen|Sen|Rep|Gov|Rev|Lt|Col|Capt|Sgt|Maj|Adm|Cmdr|Hon|Pres|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z])\.$")
# A title before a name never ends a sentence: a piece ending in one joins the next ("The Rev." /
# "Jesse Jackson spoke."), whoever cut it.
_TITLE_END = re.compile(r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Messrs|Dr|Prof|St|Rev|Fr|Lt|Col|Capt|Cpt|Sgt|Maj|Gen|Adm|Cmdr|Cpl|Pvt|"
                        r"Sen|Rep|Gov|Pres|Hon|Insp|Det|Supt|Mt|Ft|No|Nr|Nos|Hr|Hrn|Mme|Mlle)\.$")
# "1 p.m. ET": the time zone after a clock time is not a sentence's first word.
_CLOCK_END = re.compile(r"(?<![A-Za-z])[ap]\.m\.$", re.IGNORECASE)
_ZONE_START = re.compile(r"(?:[ECMP][SD]?T|GMT|UTC|BST|CES?T|EES?T|WET|JST|KST|IST|HKT|SGT|AE[SD]T|AWST|NZ[SD]T)\b")
# Languages that write ordinals as a number and a full stop ("am 3. Oktober"): a piece ending in
# a one- or two-digit number and a full stop joins the next.
_DOTTED_ORDINALS = frozenset("de da nb nn no fi cs sk sl hr sr bs pl hu tr et lv lt is".split())
_ORDINAL_END = re.compile(r"(?<![\d.,])\d{1,2}\.$")
# Japanese: a quotation closed after its own full stop and followed by the quotative と/って
# (「…。」と彼は述べた。) goes on; so does a Chinese one followed by a short speech-verb tail
# (“…。”他说。).
_JA_QUOTE_GOES_ON = re.compile(r"[とっ]")
_ZH_SPEECH_TAIL = re.compile(r"[^。！？!?「」“”]{0,12}?(?:说|道|表示|称|问|指出|补充|写道|回答|强调)[^。！？!?]{0,6}[。！？!?]")

# Clause boundaries: punctuation inside a sentence, and a few conjunctions/relatives.
_CLAUSE_PUNCT = re.compile(r"[,;:、，；：]\s*|\s[-–—]+\s|[（(]|[)）]\s*")
_CLAUSE_WORDS = re.compile(
    r"\s(?=(?:and|but|or|while|whereas|because|although|though|which|who|whom|whose|where|when|"
    r"after|before|since|unless|until|if|that|so|yet|und|aber|oder|weil|während|dass|die|der|"
    r"y|pero|o|porque|mientras|que|cuando|donde|и|но|или|потому|который|которая|которые|когда|что|где|"
    r"et|mais|ou|parce|lorsque|quand|qui|dont)\s)", re.IGNORECASE)

# Languages pysbd segments (its ISO codes).
_PYSBD_LANGS = frozenset("en hi mr zh es am ar el ru hy bg ur pl fa nl da fr my it ja de kk sk".split())
_pysbd_lock = threading.Lock()


@lru_cache(maxsize=32)
def _pysbd_segmenter(code: str):
    import pysbd

    return pysbd.Segmenter(language=code, clean=False)


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _cut_at(text: str, start: int, end: int, cuts) -> list[Span]:
    spans, pos = [], start
    for cut in cuts:
        if pos < cut < end:
            span = _trim(text, pos, cut)
            if span:
                spans.append(span)
            pos = cut
    span = _trim(text, pos, end)
    if span:
        spans.append(span)
    return spans


def _line_spans(text: str) -> list[Span]:
    """The lines of `text`, a hard-wrapped sentence's lines joined into one span (`_soft_break`)."""
    spans, pos = [], 0
    for m in re.finditer(r"\n|\r\n?|\u2028|\u2029", text):
        span = _trim(text, pos, m.start())
        if span:
            spans.append(span)
        pos = m.end()
    span = _trim(text, pos, len(text))
    if span:
        spans.append(span)
    soft = [i for i in range(1, len(spans)) if _soft_break(text, spans[i - 1], spans[i])]
    if len(soft) < MIN_SOFT_BREAKS:
        return spans
    joined: list[Span] = []
    for i, span in enumerate(spans):
        if i in soft:
            joined[-1] = (joined[-1][0], span[1])
        else:
            joined.append(span)
    return joined


#: A text is taken for wrapped at a width when it has at least this many line breaks inside
#: sentences: a single one is more likely a paragraph break that a translation aligned to its
#: source's paragraphs had to put mid-sentence (as some news test sets' references do).
MIN_SOFT_BREAKS = 2


# A line that goes on in the next one (text wrapped at a width, as gettext catalogs, help texts,
# mails and Markdown sources are): it ends with a comma, or without a sentence's end while the next
# line opens in lower case (a quote, bracket or backtick before it allowed). Not a Japanese or
# Chinese line ending with a particle: headlines end so too ("…見届けて犠牲に" over its story).
_COMMA_END = re.compile(r"[,，、]$")
_OPEN_LOWER = re.compile(r"^[\"'“‘«(\[`]*[^\W\d_]")
_SENTENCE_END = re.compile(r"[.!?。！？:;…][\"'”’)\]」』]*$")
_LIST_ITEM = re.compile(r"^(?:[-*•·‣▪]\s|\d+[.)]\s|[A-Za-z][.)]\s)")


def ends_sentence(line: str) -> bool:
    """`line` ends as a sentence does (a full stop, question or exclamation mark, colon, ellipsis,
    closing quotes after them), unlike a title or a heading."""
    return bool(_SENTENCE_END.search(line.rstrip()))


def _soft_break(text: str, before: Span, after: Span) -> bool:
    """The line break between the lines `before` and `after` (trimmed spans, one break apart, no
    blank line between) falls inside a sentence."""
    if "\n" in text[before[1]:after[0]].replace("\r\n", "\n").replace("\n", "", 1):
        return False  # a blank line: a paragraph ends
    head, tail = text[before[0]:before[1]], text[after[0]:after[1]]
    if _LIST_ITEM.match(tail):
        return False  # a list item
    if _COMMA_END.search(head):
        return True
    opens = _OPEN_LOWER.match(tail)
    return not _SENTENCE_END.search(head) and bool(opens) and opens.group()[-1].islower()


def _is_cjk_text(line: str) -> bool:
    return any(ch in "。！？" for ch in line)


def _cjk_sentences(text: str, start: int, end: int) -> list[Span]:
    line = text[start:end]
    cuts = [start + m.end() for m in _CJK_STOP.finditer(line) if not _quote_goes_on(line, m)]
    cuts += [start + m.end() for m in _QUOTE_AFTER_QUOTE.finditer(line) if _quoted_sentences_meet(line, m)]
    return _cut_at(text, start, end, sorted(cuts))


# Japanese: one quotation closed and the next opened straight after, each of at least
# `_QUOTED_SENTENCE_CHARS` characters with kana in it, outside brackets: two quoted sentences
# (「…している」「以前は…。」) the writer left without a full stop between. Quoted terms -- short
# ones (「はい」「いいえ」), titles in katakana or kanji (「キングコング」「ブロンクス物語」), a list in
# brackets -- stay inside their sentence, as do Chinese “…”“…” runs (lists of slogans and titles).
_QUOTED_SENTENCE_CHARS = 6
_QUOTE_AFTER_QUOTE = re.compile(
    r"(?<=「[^「」]{%d})[^「」]*」(?=「[^「」]{%d})" % (_QUOTED_SENTENCE_CHARS, _QUOTED_SENTENCE_CHARS))
_HIRAGANA = re.compile(r"[\u3041-\u309f]")


def _quoted_sentences_meet(line: str, m: re.Match) -> bool:
    """The quotation closing at `m` and the one opening right after it read as sentences (kana in
    both), outside brackets."""
    opened = line.rfind("「", 0, m.end())
    closes = line.find("」", m.end())
    after = line[m.end():closes if closes >= 0 else len(line)]
    before = line[:opened]
    inside_brackets = before.count("（") + before.count("(") > before.count("）") + before.count(")")
    return bool(_HIRAGANA.search(line[opened:m.end()]) and _HIRAGANA.search(after)) and not inside_brackets


def _quote_goes_on(line: str, stop: re.Match) -> bool:
    """A sentence end inside a quotation that the sentence carries on after the closing quote:
    「…。」と述べた。 / “…。”他说。"""
    if stop.group()[-1] not in _CLOSERS:
        return False
    rest = line[stop.end():]
    return bool(_JA_QUOTE_GOES_ON.match(rest) or _ZH_SPEECH_TAIL.match(rest))


def _opens_in_lower_case(text: str, start: int, end: int) -> bool:
    """The piece's first word (after opening quotes, brackets or dashes) starts with a lower-case
    letter of a cased script and has no capital further on ("iPhone", "eBay", "mRNA" may open a
    sentence). Georgian's Mkhedruli, lower case to Unicode, has no capitals: it never counts."""
    i = start
    while i < end and not text[i].isalnum():
        i += 1
    j = i
    while j < end and text[j].isalpha():
        j += 1
    word = text[i:j]
    return bool(word) and word[0].islower() and not 0x10D0 <= ord(word[0]) <= 0x10FF \
        and not any(ch.isupper() for ch in word[1:])


# Hebrew writes Latin initials as the letters' names, each with a full stop: "איי. פי." (AP),
# "הבי. בי. סי." (the BBC). A piece that opens with such a name, after a piece that ends with
# one, goes on the same sentence.
_HEBREW_INITIAL_END = re.compile(r"(?:^|[\s(\"'])[\u05D0-\u05EA]{1,3}\.$")
_HEBREW_INITIAL_START = re.compile(r"[\u05D0-\u05EA]{1,3}\.(?:$|[\s,;:)\"'])")


def _join_false_ends(pieces: list[Span], text: str, code: str) -> list[Span]:
    """Join a piece to the next when it ends in a title ("Rev."), in a clock time the next
    piece gives the time zone of ("at 1 p.m." / "ET news conference.") or, in languages that
    write ordinals with a full stop, in a one- or two-digit number ("am 3." / "Oktober ...");
    or when the next opens in lower case: no sentence does, so the full stop before it ended an
    abbreviation pysbd does not know ("9 млрд. фунтов", "tzv. ..."); or when both sides of the
    cut are Hebrew initials ("איי. פי.")."""
    joined: list[Span] = []
    for start, end in pieces:
        if joined:
            before = text[joined[-1][0]:joined[-1][1]]
            if (_TITLE_END.search(before) or (code in _DOTTED_ORDINALS and _ORDINAL_END.search(before))
                    or (_CLOCK_END.search(before) and _ZONE_START.match(text, start))
                    or _opens_in_lower_case(text, start, end)
                    or (_HEBREW_INITIAL_END.search(before) and _HEBREW_INITIAL_START.match(text, start))):
                joined[-1] = (joined[-1][0], end)
                continue
        joined.append((start, end))
    return joined


# pysbd's Arabic, Persian and Urdu rules end a sentence at a comma (،) or a colon; so does no
# writer. A piece ending in one of these is joined to the next.
_NOT_A_SENTENCE_END = ",،;؛:"


# pysbd reads a German or Czech closing “ (after „) as the next sentence's opening quote:
# "… zu beenden." / "“ Oppositionsführer …". A quote mark that closes what the piece before left
# open goes back to it. (closing mark: the opening marks it closes)
_QUOTE_OPENERS = {"“": "„", "”": "“", "‘": "‚", "’": "‘‚", "»": "«"}


def _reattach_closing_quotes(pieces: list[Span], text: str) -> list[Span]:
    """Move a quote mark that starts a piece, followed by a space (or nothing), to the end of
    the piece before when the line up to it opened more such quotations than it closed."""
    out: list[Span] = []
    for start, end in pieces:
        mark = text[start] if start < end else ""
        if out and mark in _QUOTE_OPENERS and (start + 1 == end or text[start + 1].isspace()):
            before = text[out[0][0]:start]  # the line so far: a quotation may span sentences
            if sum(before.count(o) for o in _QUOTE_OPENERS[mark]) > before.count(mark):
                out[-1] = (out[-1][0], start + 1)
                start += 1
                while start < end and text[start].isspace():
                    start += 1
                if start >= end:
                    continue
        out.append((start, end))
    return out


def _join_after_commas(pieces: list[Span], text: str) -> list[Span]:
    joined: list[Span] = []
    for start, end in pieces:
        if joined and text[joined[-1][1] - 1] in _NOT_A_SENTENCE_END:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _regex_sentences(text: str, start: int, end: int, arabic: bool = False) -> list[Span]:
    line = text[start:end]
    pattern = _ARABIC_STOP if arabic else _LATIN_STOP
    cuts = []
    for m in pattern.finditer(line):
        head = line[max(0, m.start() - 12):m.start() + 1]
        if not arabic and _ABBREV.search(head):
            continue
        cuts.append(start + m.end())
    return _cut_at(text, start, end, cuts)


#: pysbd slows down sharply on long lines: longer lines go to it in blocks of about this size,
#: cut at regex sentence boundaries.
PYSBD_BLOCK_CHARS = 2000


def _pysbd_sentences(text: str, start: int, end: int, code: str) -> list[Span]:
    if end - start <= PYSBD_BLOCK_CHARS:
        return _pysbd_block(text, start, end, code)
    spans: list[Span] = []
    block_start = start
    rough = []
    for s, e in _regex_sentences(text, start, end):
        while e - s > PYSBD_BLOCK_CHARS:  # no sentence end the regex trusts: cut at a space
            cut = text.rfind(" ", s + PYSBD_BLOCK_CHARS // 2, s + PYSBD_BLOCK_CHARS)
            cut = cut if cut > s else s + PYSBD_BLOCK_CHARS
            rough.append((s, cut))
            s = cut
        rough.append((s, e))
    for k, (s, e) in enumerate(rough):
        last = k == len(rough) - 1
        if last or rough[k + 1][1] - block_start > PYSBD_BLOCK_CHARS:
            spans.extend(_pysbd_block(text, block_start, end if last else e, code))
            block_start = e
    return spans


def _pysbd_block(text: str, start: int, end: int, code: str) -> list[Span]:
    line = text[start:end]
    with _pysbd_lock:  # pysbd segmenters keep state; one at a time
        pieces = _pysbd_segmenter(code).segment(line)
    spans, pos = [], 0
    for piece in pieces:
        core = piece.strip()
        if not core:
            continue
        found = line.find(core, pos)
        if found < 0:  # pysbd changed the text: do not trust it for this line
            return _regex_sentences(text, start, end)
        span = _trim(text, start + found, start + found + len(core))
        if span:
            spans.append(span)
        pos = found + len(core)
    return spans


def _split_long(text: str, span: Span, max_chars: int) -> list[Span]:
    start, end = span
    if end - start <= max_chars:
        return [span]
    out: list[Span] = []
    for piece in clause_spans(text, span):
        if piece[1] - piece[0] <= max_chars:
            out.append(piece)
            continue
        # no usable clause boundary: cut at spaces, or hard-cut text without spaces
        s = piece[0]
        while s < piece[1]:
            e = min(piece[1], s + max_chars)
            if e < piece[1]:
                space = text.rfind(" ", s + max_chars // 2, e)
                if space > s:
                    e = space
            sub = _trim(text, s, e)
            if sub:
                out.append(sub)
            s = e
    # merge tiny neighbours back so pieces stay near max_chars
    merged: list[Span] = []
    for piece in out:
        if merged and piece[1] - merged[-1][0] <= max_chars:
            merged[-1] = (merged[-1][0], piece[1])
        else:
            merged.append(piece)
    return merged


def sentence_spans(text: str, lang: Language | None = None, max_chars: int = MAX_SENTENCE_CHARS) -> list[Span]:
    """Sentences of `text` as trimmed (start, end) code-point spans, in order."""
    spans: list[Span] = []
    code = lang.base if lang is not None else ""
    lines = _line_spans(text)
    # the line breaks inside a wrapped sentence read as spaces (pysbd cuts at every one); same
    # length, so offsets into `text` stay offsets into `flat`
    flat = "".join(" " if ch in "\r\n\u2028\u2029" else ch for ch in text) if any(
        "\n" in text[a:b] or "\r" in text[a:b] for a, b in lines) else text
    text = flat
    for start, end in lines:
        line = text[start:end]
        if _is_cjk_text(line) or (lang is not None and writes_without_spaces(lang)):
            pieces = _cjk_sentences(text, start, end)
        elif code in _PYSBD_LANGS and code not in ("zh", "ja"):
            # pysbd keeps a quoted passage of several sentences together; CJK text is cut
            # inside quotes, so cut here too where the regex rules see a sentence end
            pysbd_pieces = _reattach_closing_quotes(_pysbd_sentences(text, start, end, code), text)
            pieces = [p for s, e in _join_after_commas(pysbd_pieces, text)
                      for p in _regex_sentences(text, s, e, arabic=code in ("ar", "fa", "ur"))]
        else:
            pieces = _regex_sentences(text, start, end, arabic=code in ("ar", "fa", "ur", "ps"))
        if not (_is_cjk_text(line) or (lang is not None and writes_without_spaces(lang))):
            pieces = _join_false_ends(pieces, text, code)
        for piece in pieces:
            spans.extend(_split_long(text, piece, max_chars))
    return spans


def clause_spans(text: str, span: Span | None = None, min_chars: int = 4) -> list[Span]:
    """Clauses of one sentence: cut at inner punctuation and common conjunctions.

    Pieces shorter than `min_chars` non-space characters are merged into a neighbour.
    """
    start, end = span if span is not None else (0, len(text))
    sentence = text[start:end]
    cuts = sorted({start + m.end() for m in _CLAUSE_PUNCT.finditer(sentence)}
                  | {start + m.start() for m in _CLAUSE_WORDS.finditer(sentence)}
                  | {start + m.end() for m in _CJK_STOP.finditer(sentence)})
    pieces = _cut_at(text, start, end, cuts)
    merged: list[Span] = []
    for piece in pieces:
        content = sum(1 for ch in text[piece[0]:piece[1]] if ch.isalnum())
        if merged and content < min_chars:
            merged[-1] = (merged[-1][0], piece[1])
        elif merged and sum(1 for ch in text[merged[-1][0]:merged[-1][1]] if ch.isalnum()) < min_chars:
            merged[-1] = (merged[-1][0], piece[1])
        else:
            merged.append(piece)
    return merged


def has_content(text: str) -> bool:
    """True when the text holds at least one letter (numbers and punctuation alone carry little)."""
    return any(ch.isalpha() for ch in text)
