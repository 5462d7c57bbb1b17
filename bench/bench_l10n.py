"""Localization QA on real, finished localization files (bench/l10n_files/, see its README),
clean and with injected defects, scored by a real server over loopback.

For each file the readers of `lacuna score` give the units (what the file marks not ready is
skipped, as in a job). Every unit is scored as it is ("clean": it should pass), then seeded
copies with one defect each are scored:

| defect              | injected into the translation                              | right flag type(s)          |
|---------------------|------------------------------------------------------------|-----------------------------|
| drop_placeholder    | one placeholder removed                                     | placeholder_missing         |
| alter_placeholder   | one placeholder's type or name changed (`%s`->`%d`)         | placeholder_changed         |
| drop_tag            | one inline tag/code removed                                 | tag_missing                 |
| swap_tag            | an opening tag and its closing tag swapped                  | tag_nesting                 |
| broken_plural       | a plural form / ICU `other` branch removed, PO form emptied | plural_forms                |
| drop_sentence       | one sentence of a translation of 2+ sentences removed       | omission                    |
| truncation          | the translation cut after about half its length             | omission, truncated         |
| changed_number      | a number the source has changed                              | number_mismatch             |
| untranslated        | the translation replaced by the source                      | untranslated                |

A defect applies only to units that have what it needs (a placeholder on both sides, ...). A
defective copy counts as caught when it gets a flag of a right type, whatever its severity; the
share caught with a major or critical one is printed next to it.

Two sets of files, reported apart and together: the tuning files (`l10n_files/`), on which the
checks' rules and thresholds were chosen, and the held-out files (`l10n_files/heldout/`), added
afterwards and not looked at while choosing. Printed per file and per defect type: the share of
clean units that fail (a major or critical flag) and, of those, the false alarms: the failing
units that are not in `real_defects.tsv`, the clean units checked by hand and found defective
(a placeholder written `% 1`, a dropped sentence; each listed with what is wrong). The target
"at most 1% of clean units fail" is read on false alarms, and both figures are printed. Also
the share of defective copies caught with a flag of the right type, and server errors (must
be 0).

    .venv/bin/python bench/bench_l10n.py                     # all files, omission on (~7 minutes on 2 cores)
    .venv/bin/python bench/bench_l10n.py --no-omission       # checks only (fast)
    .venv/bin/python bench/bench_l10n.py --set held-out      # only the held-out files
    .venv/bin/python bench/bench_l10n.py --show-failing 50   # list failing clean units, marked real or false
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace

from lacuna.client.client import Client
from lacuna.client.formats import ReadOptions, Record, read_file
from lacuna.server.app import LacunaServer
from lacuna.server.checks import icu_message, symfony_plural
from lacuna.server.checks.placeholder_syntax import DEFAULT
from lacuna.server.config import ServerConfig

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "l10n_files")
#: The files rules were chosen on, and the files kept out of that (see the folder's README).
SETS = (("tuning", HERE), ("held-out", os.path.join(HERE, "heldout")))
SET_NOTES = {"tuning": "the checks' rules and thresholds were chosen looking at these",
             "held-out": "added afterwards and not looked at while choosing"}
#: Clean units checked by hand and found defective: unit id, tab, what is wrong.
REAL_DEFECTS = os.path.join(HERE, "real_defects.tsv")
FORMATS = {"xlf", "xliff", "po", "csv", "tmx"}
#: Languages the CSV files do not name.
CSV_LANGUAGES = {"magento.ja_JP.csv": "ja", "magento.zh_CN.csv": "zh", "magento.ja_JP.offset15.csv": "ja"}
RIGHT = {
    "drop_placeholder": {"placeholder_missing"}, "alter_placeholder": {"placeholder_changed"},
    "drop_tag": {"tag_missing"}, "swap_tag": {"tag_nesting"}, "broken_plural": {"plural_forms"},
    "drop_sentence": {"omission"}, "truncation": {"omission", "truncated"}, "changed_number": {"number_mismatch"},
    "untranslated": {"untranslated"},
}
DEFECTS = tuple(RIGHT)
_SENTENCE = re.compile(r"(?:[^.!?。！？]|[.!?](?=\S))+(?:[.!?。！？]+[\"'”」』)]*|$)\s*")
_NUMBER = re.compile(r"(?<![\w.,%$])\d{2,}(?![\w%])")
_WORD = re.compile(r"\w+", re.UNICODE)


def units(path: str) -> list[Record]:
    """The file's records as a job reads them (skipped units left out)."""
    name = os.path.basename(path)
    options = ReadOptions(src_lang="en", tgt_lang=CSV_LANGUAGES.get(name), base=HERE)
    return [r for r in read_file(path, options) if isinstance(r, Record)]


def _edit(rec: Record, start: int, end: int, new: str) -> Record:
    """`rec` with translation[start:end] replaced; target codes after the edit shifted."""
    text = rec.translation[:start] + new + rec.translation[end:]
    shift = len(new) - (end - start)
    codes = []
    for c in rec.target_codes:
        if c["end"] <= start:
            codes.append(c)
        elif c["start"] >= end:
            codes.append({**c, "start": c["start"] + shift, "end": c["end"] + shift})
    return replace(rec, translation=text, target_codes=codes)


def _found(rec: Record, side: str):
    text = rec.source if side == "source" else rec.translation
    codes = rec.source_codes if side == "source" else rec.target_codes
    return DEFAULT.find(text, [(c["start"], c["end"]) for c in codes])


def _placeholders(rec: Record):
    """Target placeholders whose key the source has too (the ones a defect can break)."""
    source_keys = {p.key for p in _found(rec, "source") if p.style not in ("html", "entity")}
    return [p for p in _found(rec, "target") if p.style not in ("html", "entity") and p.key in source_keys]


def _tags(rec: Record) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, pair) of the target's tags and codes that the source has too."""
    source = {p.key for p in _found(rec, "source") if p.style == "html"}
    found = [(p.start, p.end, p.kind, p.pair) for p in _found(rec, "target") if p.style == "html" and p.key in source]
    source_codes = {(c["kind"], c["id"]) for c in rec.source_codes}
    found += [(c["start"], c["end"], c["kind"], c["pair"]) for c in rec.target_codes
              if (c["kind"], c["id"]) in source_codes]
    return sorted(found)


def drop_placeholder(rec, rng):
    found = _placeholders(rec)
    if not found:
        return None
    p = rng.choice(found)
    return _edit(rec, p.start, p.end, "")


_ALTER = {"s": "d", "d": "s", "i": "s", "f": "d", "@": "d", "u": "s", "x": "s"}


def alter_placeholder(rec, rng):
    found = [p for p in _placeholders(rec)]
    if not found:
        return None
    p = rng.choice(found)
    text = p.text
    if p.style == "printf" and text[-1] in _ALTER:
        new = text[:-1] + _ALTER[text[-1]]
    elif p.style == "percent_number":
        new = "%" + str(int(text[1:]) + 1)
    elif p.style == "double_brace":
        new = text.replace(p.name, p.name + "_count", 1)
    elif p.style == "icu" and p.name.isdigit():
        new = text.replace(p.name, str(int(p.name) + 1), 1)
    elif p.style in ("icu", "percent_brace", "percent_name", "dollar"):
        new = text.replace(p.name, p.name + "x", 1) if p.name and p.name in text else None
    else:
        new = None
    if not new or new == text:
        return None
    return _edit(rec, p.start, p.end, new)


def drop_tag(rec, rng):
    found = _tags(rec)
    if not found:
        return None
    start, end, _, _ = rng.choice(found)
    return _edit(rec, start, end, "")


def swap_tag(rec, rng):
    found = _tags(rec)
    pairs = []
    for i, (s, e, kind, pair) in enumerate(found):
        if kind == "open":
            close = next((t for t in found[i + 1:] if t[2] == "close" and t[3] == pair), None)
            if close is not None:
                pairs.append(((s, e), (close[0], close[1])))
    if not pairs:
        return None
    (s1, e1), (s2, e2) = rng.choice(pairs)
    text = rec.translation
    opening, closing = text[s1:e1], text[s2:e2]
    swapped = _edit(rec, s2, e2, opening)
    return _edit(swapped, s1, e1, closing)


def broken_plural(rec, rng):
    if rec.labels.get("plural_form") and rec.translation:
        return _edit(rec, 0, len(rec.translation), "")
    if symfony_plural.parse(rec.source):
        forms = symfony_plural.split(rec.translation)
        if len(forms) >= 2:
            cut = forms[-2].end  # the pipe before the last form
            return _edit(rec, cut, len(rec.translation), "")
        return None
    choices = icu_message.parse(rec.translation)
    for choice in choices:
        other = choice.branch("other")
        if other is not None and len(choice.branches) > 1:
            key_start = rec.translation.rfind("other", 0, other.start)
            return _edit(rec, key_start, other.end + 1, "")
    return None


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    return [s for s in spans if len(_WORD.findall(text[s[0]:s[1]])) >= 3 or (s[1] - s[0]) >= 12]


def drop_sentence(rec, rng):
    """One sentence of a translation that has no more sentences than its source (a sentence that
    renders source content, not one the translator added)."""
    spans = _sentences(rec.translation)
    if len(spans) < 2 or len(spans) > len(_sentences(rec.source)) or _tags(rec) or _placeholders(rec):
        return None
    s, e = rng.choice(spans)
    return _edit(rec, s, e, "")


def truncation(rec, rng):
    text = rec.translation
    if len(text) < 40 or _tags(rec) or symfony_plural.parse(rec.source):
        return None
    cut = len(text) // 2
    space = text.rfind(" ", 0, cut)
    if space > len(text) // 3:
        cut = space
    return _edit(rec, cut, len(text), "")


def changed_number(rec, rng):
    source_numbers = {m.group(0) for m in _NUMBER.finditer(rec.source)}
    found = [m for m in _NUMBER.finditer(rec.translation) if m.group(0) in source_numbers]
    if not found:
        return None
    m = rng.choice(found)
    digits = m.group(0)
    new = digits[:-1] + str((int(digits[-1]) + 3) % 10)
    return _edit(rec, m.start(), m.end(), new)


def untranslated(rec, rng):
    if len(_WORD.findall(rec.source)) < 4 or rec.source_codes:
        return None
    return replace(rec, translation=rec.source, target_codes=[])


INJECT = {name: globals()[name] for name in DEFECTS}
NO_CLEAN = False


def score_all(client: Client, records: list[Record], batch: int = 50) -> list:
    out = []
    for i in range(0, len(records), batch):
        segs = [r.to_segment_dict() for r in records[i:i + batch]]
        out.extend(client.score(segs).segments)
    return out


def fails(result) -> bool:
    return bool(result.error) or not result.passed


@dataclass
class FileResult:
    """One file's figures: clean units, the failing ones, and each defect type's catches."""

    name: str
    units: int = 0
    failing: list = field(default_factory=list)  # (record, result, original id)
    errors: int = 0
    caught: dict = field(default_factory=dict)  # defect -> (caught, caught major+, copies)
    missed: list = field(default_factory=list)  # (defect, record, result)

    def real(self, verified: set[str]) -> list:
        return [f for f in self.failing if f[2] in verified]


def run_file(client: Client, path: str, per_defect: int, seed: int) -> FileResult:
    records = units(path)
    out = FileResult(os.path.relpath(path, HERE), len(records))
    rng = random.Random(seed)
    original = [r.id for r in records]
    for n, r in enumerate(records):
        r.id = f"clean:{n}"
    clean = score_all(client, records) if not NO_CLEAN else []
    out.errors = sum(1 for r in clean if r.error)
    out.failing = [(rec, res, oid) for rec, res, oid in zip(records, clean, original) if fails(res)]
    for name in DEFECTS:
        candidates = []
        for rec in records:
            made = INJECT[name](rec, rng)
            if made is not None and made.translation != rec.translation:
                candidates.append(made)
        rng.shuffle(candidates)
        candidates = candidates[:per_defect]
        for n, rec in enumerate(candidates):
            rec.id = f"{name}:{n}"
        results = score_all(client, candidates) if candidates else []
        out.errors += sum(1 for r in results if r.error)
        right = [[f for f in r.flags if f.type in RIGHT[name]] for r in results]
        out.caught[name] = (sum(1 for fl in right if fl),
                            sum(1 for fl in right if any(f.severity in ("major", "critical") for f in fl)),
                            len(candidates))
        out.missed.extend((name, rec, res) for rec, res, fl in zip(candidates, results, right) if not fl)
    return out


def verified_defects() -> dict[str, str]:
    """Unit id -> what is wrong, for the clean units checked by hand and found defective
    (`real_defects.tsv`, listed in the folder's README)."""
    out = {}
    with open(REAL_DEFECTS, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                unit, why = line.rstrip("\n").split("\t", 1)
                out[unit] = why
    return out


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    —"


def print_row(r: FileResult, verified: set[str]) -> None:
    cells = []
    for d in DEFECTS:
        caught, _, count = r.caught[d]
        cells.append(f"{pct(caught, count)} ({count:>3})" if count else f"{'—':>12}")
    false = len(r.failing) - len(r.real(verified))
    clean = f"{pct(len(r.failing), r.units):>8} {pct(false, r.units):>7}" if not NO_CLEAN else f"{'—':>8} {'—':>7}"
    print(f"{r.name:34} {r.units:>5} {clean}  " + " ".join(f"{c:>12}" for c in cells), flush=True)


def print_details(r: FileResult, args, verified: dict[str, str]) -> None:
    for rec, res, oid in r.failing[:args.show_failing]:
        flags = "; ".join(f"{f.type}/{f.severity}: {f.message}" for f in res.flags if f.severity in ("major", "critical"))
        tag = "real defect" if oid in verified else "FALSE ALARM"
        print(f"    [{tag}] {oid}: {rec.source[:90]!r} -> {rec.translation[:90]!r}: {flags[:300]}")
    shown = Counter()
    for name, rec, res in r.missed:
        if name in args.show_missed and shown[name] < args.missed_limit:
            shown[name] += 1
            print(f"    missed {name}: {rec.source[:120]!r} -> {rec.translation[:120]!r}: {[f.type for f in res.flags]}")


def summarize(label: str, results: list[FileResult], verified: set[str]) -> None:
    """Totals of one set of files: clean units failing and each defect type caught."""
    n = sum(r.units for r in results)
    failing = sum(len(r.failing) for r in results)
    real = sum(len(r.real(verified)) for r in results)
    print(f"{label} ({len(results)} files, {n} clean units):")
    if NO_CLEAN:
        print("  clean units: not scored (--no-clean)")
    else:
        print(f"  clean units failing (a major/critical flag): {failing}/{n} = {pct(failing, n).strip()}; "
              f"of which verified real defects {real}; false alarms {failing - real}/{n} = "
              f"{pct(failing - real, n).strip()} (target <= 1%)")
        causes = Counter(f.type for r in results for rec, res, oid in r.failing if oid not in verified
                         for f in res.flags if f.severity in ("major", "critical"))
        print("  false alarms by flag type:", dict(causes.most_common()))
    for d in DEFECTS:
        caught = sum(r.caught[d][0] for r in results)
        major = sum(r.caught[d][1] for r in results)
        count = sum(r.caught[d][2] for r in results)
        target = "98%" if d in ("drop_placeholder", "alter_placeholder", "drop_tag", "swap_tag", "broken_plural") \
            else "95%" if d in ("drop_sentence", "truncation") else "—"
        print(f"  {d:18} caught with the right flag type: {caught}/{count} = {pct(caught, count).strip()}"
              f" (major/critical {pct(major, count).strip()}; target {target})")
    print(f"  server errors: {sum(r.errors for r in results)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-omission", action="store_true", help="checks only (no encoder): omission defects not judged")
    ap.add_argument("--per-defect", type=int, default=40, help="defective copies per file and defect type [40]")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--files", default="", help="only files whose name contains one of these (comma-separated)")
    ap.add_argument("--set", choices=("tuning", "held-out", "all"), default="all", help="which files [all]")
    ap.add_argument("--defects", default="", help="only these defect types (comma-separated; default all)")
    ap.add_argument("--no-clean", action="store_true", help="score only the defective copies (clean shares not printed)")
    ap.add_argument("--show-failing", type=int, default=0, help="print up to N failing clean units per file")
    ap.add_argument("--show-missed", default="", help="comma-separated defect types whose misses to print")
    ap.add_argument("--missed-limit", type=int, default=5, help="misses to print per file and defect type [5]")
    args = ap.parse_args(argv)
    args.show_missed = set(filter(None, args.show_missed.split(",")))
    global NO_CLEAN, DEFECTS
    NO_CLEAN = args.no_clean
    if args.defects:
        DEFECTS = tuple(d for d in args.defects.split(",") if d in RIGHT)
    wanted = [w for w in args.files.split(",") if w]
    verified = verified_defects()
    sets = [(label, folder) for label, folder in SETS if args.set in ("all", label)]
    started = time.perf_counter()
    server = LacunaServer(ServerConfig(port=0, workers=4, omission=not args.no_omission)).start()
    results: dict[str, list[FileResult]] = {}
    try:
        with Client(server.address, timeout=600) as client:
            for label, folder in sets:
                files = sorted(os.path.join(folder, f) for f in os.listdir(folder)
                               if os.path.isfile(os.path.join(folder, f)) and f.split(".")[-1] in FORMATS
                               and (not wanted or any(w in f for w in wanted)))
                print(f"\n== {label} files: {SET_NOTES[label]} ==")
                print(f"{'file':34} {'units':>5} {'fail':>8} {'false':>7}  " + " ".join(f"{d[:12]:>12}" for d in DEFECTS))
                results[label] = []
                for path in files:
                    r = run_file(client, path, args.per_defect, args.seed)
                    results[label].append(r)
                    print_row(r, set(verified))
                    print_details(r, args, verified)
    finally:
        server.stop(grace=None)
    print()
    for label, _ in sets:
        summarize(label, results[label], set(verified))
    if len(sets) > 1:
        summarize("all files", [r for rs in results.values() for r in rs], set(verified))
    print(f"files: {sum(len(rs) for rs in results.values())}; seconds: {time.perf_counter() - started:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
