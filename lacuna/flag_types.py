"""The flag types the server emits, and which text each one points into.

Other types may appear (a newer server, a custom scorer); readers treat an
unknown type as a flag like any other.
"""

from __future__ import annotations

OMISSION = "omission"  # a source passage missing from the translation (source_span)
ADDITION = "addition"  # translation content with no counterpart in the source (target_span)
EMPTY = "empty"
UNTRANSLATED = "untranslated"
WRONG_LANGUAGE = "wrong_language"
NUMBER_MISMATCH = "number_mismatch"
LENGTH_RATIO = "length_ratio"
UNPAIRED_MARK = "unpaired_mark"
ERROR_SPAN = "error_span"  # an XCOMET error span (target_span)
LOW_SCORE = "low_score"  # a score beyond a threshold from the request's options
TERMINOLOGY = "terminology"  # a glossary source term whose approved target term is missing (source_span)
FORBIDDEN_TERM = "forbidden_term"  # a forbidden target term used (source_span and target_span)
DO_NOT_TRANSLATE = "do_not_translate"  # a do-not-translate term changed or missing (source_span)
INCONSISTENT_TRANSLATION = "inconsistent_translation"  # disagrees with other segments (related_ids)

FLAG_TYPES = (OMISSION, ADDITION, EMPTY, UNTRANSLATED, WRONG_LANGUAGE, NUMBER_MISMATCH, LENGTH_RATIO,
              UNPAIRED_MARK, ERROR_SPAN, LOW_SCORE, TERMINOLOGY, FORBIDDEN_TERM, DO_NOT_TRANSLATE,
              INCONSISTENT_TRANSLATION)

#: Types whose flag marks a passage of the source (the others mark the translation or nothing).
SOURCE_SIDE = frozenset({OMISSION, TERMINOLOGY, DO_NOT_TRANSLATE})
