"""Plural forms: the translation gives the forms its language needs (flag `plural_forms`).

* **Pipe plurals** (Symfony, Laravel: `one apple|%count% apples`): the translation needs as
  many forms as its language has (`lacuna.plural_rules.accepted_counts`: one for Japanese, Chinese and
  Korean, three for Russian, six for Arabic); interval forms (`{0}`, `]1,Inf[`) must all be
  kept. Fewer forms than the language needs, or an empty form, is flagged; more is not.
* **ICU** `plural` / `selectordinal` / `select`: each argument of the source is in the
  translation; a plural gives `other` and every category of the target language (a missing
  `other` is critical, another missing category major, a category the language does not use
  minor); a select keeps every key of the source; no branch is empty where the source's is not.
  Nested arguments are checked in each branch.
* **PO plural forms**: the reader sends each `msgstr[N]` as a segment labelled
  `plural_form` = its category; an empty one is a missing form (critical).

A plural correctly collapsed to one form (Japanese) is never flagged here (an ICU plural
collapsed to its plain argument, `{count} 件のコメント`, included), and its text reads
as the source's plural for the text scorers (`segment_markup`).
"""

from __future__ import annotations

from lacuna.server.checks import Check, icu_message
from lacuna.plural_rules import accepted_counts, categories, required
from lacuna.server.checks.segment_markup import pipe_forms
from lacuna.server.checks.text import is_blank
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput


def _flag(severity: str, message: str, source=None, target=None) -> FlagData:
    return FlagData(type="plural_forms", severity=severity, detector="plurals", confidence=0.9,
                    message=message, source_span=source, target_span=target)


class Plurals(Check):
    name = "plurals"
    description = "plural forms and ICU plural/select branches the target language needs (critical/major)"
    sees_markup = True

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        form = segment.labels.get("plural_form")
        if is_blank(segment.translation):
            if form:
                out.flags.append(_flag("critical", f"the plural form {form!r} is not translated",
                                       source=(0, len(segment.source))))
            return out
        source_forms, target_forms = pipe_forms(segment)
        if source_forms:
            out.flags.extend(self._pipe(segment, source_forms, target_forms))
            return out
        src = icu_message.parse(segment.source)
        if src:
            out.flags.extend(self._icu(segment, src, icu_message.parse(segment.translation)))
        return out

    @staticmethod
    def _pipe(segment: SegmentInput, source_forms, target_forms) -> list[FlagData]:
        flags = []
        lang = segment.tgt_lang.base
        intervals = [f.interval for f in source_forms if f.interval]
        if intervals:
            kept = {f.interval for f in target_forms}
            lost = [i for i in intervals if i not in kept]
            if lost:
                flags.append(_flag("critical", f"the translation lacks the plural form(s) {', '.join(lost)}",
                                   target=(0, len(segment.translation))))
        else:
            counts = accepted_counts(lang)
            if len(target_forms) < min(counts):
                flags.append(_flag(
                    "critical", f"{len(target_forms)} plural form(s) where {segment.tgt_lang.tag} needs "
                                f"{' or '.join(str(c) for c in sorted(counts))}",
                    target=(0, len(segment.translation))))
        for form in target_forms:
            if not segment.translation[form.start:form.end].strip():
                flags.append(_flag("critical", "a plural form of the translation is empty",
                                   target=(form.start, form.end)))
        return flags

    def _icu(self, segment: SegmentInput, source: list, target: list) -> list[FlagData]:
        flags = []
        by_name = {c.name: c for c in target}
        for choice in source:
            match = by_name.get(choice.name)
            head = (choice.start, choice.branches[0].start if choice.branches else choice.end)
            if match is None and choice.type == "plural" and required(segment.tgt_lang.base) == {"other"} \
                    and icu_message.shows_plainly(segment.translation, choice.name):
                continue  # collapsed to the one form of Japanese, Chinese, ...: `{count} 件のコメント`
            if match is None:
                flags.append(_flag("critical", f"the {choice.type} argument {{{choice.name}}} is missing from "
                                               "the translation", source=head))
                continue
            flags.extend(self._branches(segment, choice, match))
        return flags

    def _branches(self, segment: SegmentInput, choice, match) -> list[FlagData]:
        flags = []
        span = (match.start, match.end)
        keys = {b.key for b in match.branches}
        if "other" not in keys:
            flags.append(_flag("critical", f"{{{match.name}, {match.type}}} has no 'other' branch", target=span))
        lang = segment.tgt_lang.base
        if match.type == "plural":
            lacking = sorted(required(lang) - keys - {"other"})
            if lacking:
                flags.append(_flag("major", f"{{{match.name}, plural}} lacks the {segment.tgt_lang.tag} "
                                            f"categories {', '.join(lacking)}", target=span))
            unused = sorted(k for k in keys if not k.startswith("=") and k not in categories(lang))
            if unused:
                flags.append(_flag("minor", f"{{{match.name}, plural}} has categories {segment.tgt_lang.tag} "
                                            f"does not use: {', '.join(unused)}", target=span))
        elif match.type == "select":
            lacking = sorted({b.key for b in choice.branches} - keys)
            if lacking:
                flags.append(_flag("major", f"{{{match.name}, select}} lacks the branches {', '.join(lacking)}",
                                   target=span))
        for branch in match.branches:
            original = choice.branch(branch.key) or choice.branch("other")
            if original is None:
                continue
            text = segment.translation[branch.start:branch.end]
            if not text.strip() and segment.source[original.start:original.end].strip():
                flags.append(_flag("major", f"the branch {branch.key!r} of {{{match.name}}} is empty",
                                   source=(original.start, original.end), target=(branch.start, branch.end)))
            inner = {c.name: c for c in branch.choices}
            for nested in original.choices:
                if nested.name not in inner:
                    flags.append(_flag("critical", f"the {nested.type} argument {{{nested.name}}} is missing "
                                                   f"from the branch {branch.key!r}",
                                       source=(nested.start, nested.end), target=(branch.start, branch.end)))
                else:
                    flags.extend(self._branches(segment, nested, inner[nested.name]))
        return flags
