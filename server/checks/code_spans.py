"""Text that is code and stays as it is in every language: inline code in backticks, command
lines, source lines, URLs, file paths, command-line options and identifiers (`getStaticProps`,
`next.config.js`, `MAX_SIZE`). Language identification, omission and the untranslated check
leave these out, so a Japanese sentence around `npm run build` is judged on its Japanese.
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"`[^`\n]{1,300}`|``[^\n]{1,300}?``")
_URL = re.compile(r"mailto:[^\s<>\"'`)\]]+|(?:https?|ftp|file)://[^\s<>\"'`)\]]+|www\.[^\s<>\"'`)\]]+")
_PATH = re.compile(r"(?<![\w/])(?:~|\.{1,2})?/[\w.@+-]+(?:/[\w.@+-]*)+")
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(?:=\S+)?")
# Identifiers are ASCII: "Kangaroo夫人:Splodgeの母親" is Japanese prose, not ns:name.
_IDENTIFIER = re.compile(
    r"(?<![\w$%])(?:[A-Za-z_$][A-Za-z0-9_$]+(?:[._:][A-Za-z_$][A-Za-z0-9_$]+)+(?:\(\))?"  # dotted, snake, ns::name (not U.S.)
    r"|[a-z]+[A-Z][A-Za-z0-9_$]*(?:\(\))?"  # camelCase
    r"|[A-Z][a-z]+[A-Z][A-Za-z]*[a-z][A-Za-z]*(?=\()"  # PascalCase()
    r"|[A-Za-z_][A-Za-z0-9_]*\(\))"  # call()
    r"(?![\w$])")
_COMMAND = re.compile(r"^\s*(?:\$|>|#!|%)\s|^\s*(?:npm|npx|yarn|pnpm|pip|pip3|python3?|node|git|curl|wget|docker|"
                      r"kubectl|sudo|apt-get|brew|cargo|composer|mvn|gradle|mkdir)\s+[-\w./@:=]+", re.MULTILINE)
# After a command word, prose: a run of three or more plain words with a function word among
# them ("node has an invalid level", "node class X is already registered"); a command's
# arguments are not ("npm run build", "pip install requests flask numpy").
_PLAIN_WORD = re.compile(r"[A-Za-z]+[,.;:!?]?")
_FUNCTION_WORDS = frozenset("a an the is are was were be been has have had will would can could should must "
                            "not no of to in on at for with by from and or but its it this that these those "
                            "already".split())
# A short quoted literal ('%s', '0', "+") is prose quoting a value, not code's punctuation.
_QUOTED_LITERAL = re.compile(r"'[^'\n]{0,12}'|\"[^\"\n]{0,12}\"|‘[^’\n]{0,12}’|“[^”\n]{0,12}”")
_SOURCE_LINE = re.compile(r"^\s*(?:import\s|export\s|const\s|let\s|var\s|function\s|def\s|class\s+\w+[:({]|"
                          r"return\s|from\s+\S+\s+import\s|#include|//|/\*|<\?php|\w+\s*=\s*[\w'\"\[{(])")
# A line ending a statement or block ("foo(bar);", "} else {", "});") is code only with code inside
# it: an assignment, a call, an opening brace, an arrow, or a closer that opens the line. Prose ends
# with a semicolon too ("... by rookie Backstrom;"), and wiki text with a template's "}}".
_STATEMENT_END = re.compile(r"[;{}]\s*$")
_STATEMENT_CODE = re.compile(r"=|\w\(|\(\)|\{|->|::|^\s*[)}\]]")
_ASSIGNMENT = re.compile(r"^\s*\w+\s*=(?!=)\s*")
_WORDS = re.compile(r"\b[A-Za-z]+,? [A-Za-z]+ [A-Za-z]+\b(?![(.]\w)")
_SYMBOLS = set("=;(){}[]<>/\\$&|*+`\"'")
# A run of one repeated symbol opening or closing a line is decoration (wiki and markdown headings, rules).
_DECORATION = re.compile(r"^([=*#~+_-])\1*\s*|\s*([=*#~+_-])\2*$")
# Brackets or quotes around a whole line ("(Applause)", "[Music]", '"Done"') wrap prose, not code.
_WRAPPERS = {"(": ")", "[": "]", '"': '"', "'": "'", "<": ">"}


def _unwrapped(text: str) -> str:
    while len(text) >= 2 and _WRAPPERS.get(text[0]) == text[-1] and not any(
            c in text[1:-1] for c in (text[0], text[-1])):
        text = text[1:-1].strip()
    return text


def _prose_assignment(line: str) -> bool:
    """A legend or alt text ("Q = qualified by time.", "Alt=A painting of a man reading",
    "WR = 世界記録.") looks like an assignment; its right side is words (three in a row, or
    letters outside ASCII; not quoted, not ending a statement), which code's is not."""
    found = _ASSIGNMENT.match(line)
    if not found or line.rstrip().endswith(tuple(";{}()[]")):
        return False
    rest = line[found.end():]
    return rest[:1].isalpha() and (bool(_WORDS.search(rest)) or any(c.isalpha() and not c.isascii() for c in rest))


def _prose_after_command(line: str) -> bool:
    """The words after a command word read as a sentence (see _FUNCTION_WORDS); quoted arguments
    ("git commit -m 'fix the link'") do not count."""
    tokens = re.sub(r"'[^']*'|\"[^\"]*\"", " ", line).split()
    run: list[str] = []
    for token in tokens + [""]:
        if _PLAIN_WORD.fullmatch(token):
            run.append(token.rstrip(",.;:!?").lower())
            continue
        if len(run) >= 3 and any(word in _FUNCTION_WORDS for word in run):
            return True
        run = []
    return False


def _code_line(line: str) -> bool:
    stripped = line.strip()
    if len(stripped) < 2:
        return False
    if _COMMAND.match(line) and not _prose_after_command(line):
        return True
    if _SOURCE_LINE.search(line) and any(c in "=(){};[]" for c in stripped) and not _prose_assignment(line):
        return True
    if _STATEMENT_END.search(line) and _STATEMENT_CODE.search(stripped):
        return True
    inner = _unwrapped(_DECORATION.sub("", stripped))  # "== History ==", "(Applause)": not code
    # prose quoting values ("'X ' must be '0' or '1'"), and an empty call "()" that names a
    # function in a message ("X () (in module X )"): neither makes a line code by itself
    inner = _QUOTED_LITERAL.sub(" ", inner).replace("()", " ").strip()
    letters = sum(c.isascii() and c.isalpha() for c in inner)
    return letters >= 3 and len(inner) >= 6 and sum(c in _SYMBOLS for c in inner) / len(inner) >= 0.2


def code_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that are code (see the module docstring), in order, may overlap."""
    spans = [(m.start(), m.end()) for rx in (_INLINE, _URL, _PATH, _OPTION, _IDENTIFIER) for m in rx.finditer(text)]
    pos = 0
    for line in text.split("\n"):
        if _code_line(line):
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return sorted(spans)
