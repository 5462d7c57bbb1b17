"""The localization options of a job (`ScoreOptions.placeholder_styles`, `placeholder_patterns`,
`max_length`), checked once per call and attached to every segment the checks see."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from lacuna.server.checks.placeholder_syntax import DEFAULT, STYLES, PlaceholderSyntax
from lacuna.server.model import SegmentInput
from lacuna.server.pipeline import OptionError

#: Longest custom pattern accepted (a pattern is compiled once per call).
MAX_PATTERN_CHARS = 500


@dataclass(frozen=True)
class L10nOptions:
    syntax: PlaceholderSyntax
    max_length: int = 0

    def apply(self, segments: Sequence[SegmentInput]) -> list[SegmentInput]:
        """The segments with the job's syntax and, where a segment has none, its length limit."""
        return [replace(s, placeholder_syntax=self.syntax, max_length=s.max_length or self.max_length)
                for s in segments]


def l10n_options(options) -> L10nOptions:
    """From a `lacuna.v1.ScoreOptions`; raises OptionError naming the field at fault."""
    styles = [s.strip().lower() for s in options.placeholder_styles]
    for i, style in enumerate(styles):
        if style not in STYLES:
            raise OptionError(f"options.placeholder_styles[{i}]",
                              f"unknown placeholder style {style!r} (known: {', '.join(STYLES)})")
    patterns = list(options.placeholder_patterns)
    for i, pattern in enumerate(patterns):
        where = f"options.placeholder_patterns[{i}]"
        if not pattern or len(pattern) > MAX_PATTERN_CHARS:
            raise OptionError(where, f"a pattern must have 1 to {MAX_PATTERN_CHARS} characters")
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise OptionError(where, f"not a valid regular expression: {exc}") from None
        if compiled.match(""):
            raise OptionError(where, "the pattern matches the empty text")
    syntax = DEFAULT if not styles and not patterns else PlaceholderSyntax(styles, patterns)
    return L10nOptions(syntax=syntax, max_length=options.max_length)
