"""Terminology check on real localization files: errors caught, clean units flagged, terms per second.

Data (all MIT, see bench/terms_data/README.md and bench/devsets/README.md): django-allauth's PO
files and Symfony Validator's XLIFF files in de, fr, ja, zh, and the Excalidraw / Uptime Kuma UI
strings (de, fr, es, ja, zh, ko), read with the batch client's own readers.

1. A glossary is built from the files, per language pair, by a rule independent of the matcher
   (no stemming): an English content word or two-word phrase seen in at least MIN_SUPPORT units
   becomes an entry when one target word group (words sharing their first six letters, or a
   character n-gram in ja/zh/ko) is in at least PRECISION of its units' translations and in few
   others; its target term is that group's most frequent form. Half the entries also get a
   forbidden variant: a word of the target language never seen in those translations. A
   do-not-translate list takes source names with a capital inside or all capitals (`URL`,
   `Excalidraw`) kept unchanged in nearly every translation.
2. Term errors are injected into units whose translation has the entry's term (found by the
   same independent rule): the term replaced by the forbidden variant, or by an unrelated word;
   a do-not-translate name lower-cased.
3. Every clean and injected unit is scored by a real server on loopback (checks only, no
   encoder), with the glossary sent in the request as `lacuna score --glossary` does.

Prints: glossary size; injected errors caught (a `terminology`, `forbidden_term` or
`do_not_translate` flag on the injected term's source span; target >= 98%); clean units flagged
(target <= 1%); and terms checked per second by the check itself, in process.

    python bench/bench_terms.py [--limit N]
"""

from __future__ import annotations

import argparse
import pathlib
import random
import re
import sys
import time
from collections import Counter, defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "bench" / "terms_data").glob("*/*.*[a-z]")) + [ROOT / "bench" / "devsets" / "data" / "ui_strings.jsonl"]
MIN_SUPPORT = 5
PRECISION = 0.97
SPECIFICITY = 0.3
TERM_FLAGS = ("terminology", "forbidden_term", "do_not_translate")
CHAR_LANGS = ("ja", "zh", "ko")
STOP = set("""about above after again against all also always among another any are aren because been before
being below between both but can cannot could did does doing done down during each either else enough even
every few for from further had has have having here hers herself him himself his how however into its itself
just least less like many may might more most much must myself need neither never none nor not now off once
only other others otherwise our ours ourselves out over own please same shall she should since some such than
that the their theirs them themselves then there these they this those though through thus too under until
upon very was were what whatever when where whether which while who whom whose why will with within without
would you your yours yourself yourselves value this that with""".split())
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
#: Placeholders and markup ({{ limit }}, %(name)s, %s, {0}, <a href="...">): no glossary term is in them.
PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}|%\([^)]*\)[sd]|%[sd]|\{[^}]*\}|<[^>]*>")


def unmarked(text: str) -> str:
    """`text` with its placeholders blanked out, offsets kept."""
    return PLACEHOLDER.sub(lambda m: " " * len(m.group()), text)
TGT_WORD = re.compile(r"\w+")


def load_units(limit: int) -> list:
    from lacuna.client.formats import ReadOptions, Record, read_file

    units = []
    for path in FILES:
        for rec in read_file(str(path), ReadOptions(src_lang="en")):
            if isinstance(rec, Record) and rec.source.strip() and rec.translation.strip():
                rec.tgt_lang = rec.tgt_lang.split("-")[0].split("_")[0].lower()
                units.append(rec)
    if limit:
        random.Random(16).shuffle(units)
        units = units[:limit]
    return units


# -- building the glossary (the target side independent of the matcher) ------------------

def source_terms(text: str) -> dict[str, tuple[str, tuple[int, int]]]:
    """Content words and two-word phrases of an English source, keyed by their English stems (as
    a terminologist counts `monitor` and `monitors` as one term): key -> (surface, span)."""
    from lacuna.server.terminology.matching import word_key

    found = [(m.group().lower().strip("'-"), m.span()) for m in WORD.finditer(unmarked(text))]
    content = [(w, span) if len(w) >= 4 and w not in STOP else None for w, span in found]
    out: dict[str, tuple[str, tuple[int, int]]] = {}
    for item in content:
        if item:
            out.setdefault(word_key(item[0], "en"), item)
    for a, b in zip(content, content[1:]):
        if a and b:
            out.setdefault(f"{word_key(a[0], 'en')} {word_key(b[0], 'en')}",
                           (f"{a[0]} {b[0]}", (a[1][0], b[1][1])))
    return out


def target_keys(text: str, lang: str) -> dict[str, str]:
    """Word groups (key -> a surface form) of a translation."""
    text = unmarked(text)
    if lang in CHAR_LANGS:
        out = {}
        for run in TGT_WORD.findall(text.lower()):
            for n in range(2, 7):
                for i in range(len(run) - n + 1):
                    out[run[i:i + n]] = run[i:i + n]
        return out
    return {_key(w): w for w in TGT_WORD.findall(text) if len(w) >= 3 and not w.isdigit()}


def _key(word: str) -> str:
    """A word group: the first six letters, accents ignored (`passwort`, `Passwörter`); shorter words
    as they are."""
    import unicodedata

    w = plain(word)
    return w[:6] if len(w) >= 7 else w


def plain(text: str) -> str:
    """Case-folded, accents dropped."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def build_glossary(units: list, rng: random.Random):
    from lacuna.glossary import GlossaryEntry

    by_lang = defaultdict(list)
    for u in units:
        by_lang[u.tgt_lang].append(u)
    entries, meta = [], {}
    for lang, group in sorted(by_lang.items()):
        src_index, tgt_index, forms = defaultdict(set), defaultdict(set), defaultdict(Counter)
        src_forms = defaultdict(Counter)
        for i, u in enumerate(group):
            for t, (surface, _) in source_terms(u.source).items():
                src_index[t].add(i)
                src_forms[t][surface] += 1
            for k, form in target_keys(u.translation, lang).items():
                tgt_index[k].add(i)
                forms[k][form] += 1
        vocabulary = [k for k, ids in tgt_index.items() if len(ids) >= 3 and len(k) >= 4 and
                      (lang in CHAR_LANGS or len(forms[k].most_common(1)[0][0]) >= 5)]
        for term, ids in src_index.items():
            if len(ids) < MIN_SUPPORT:
                continue
            counts = Counter(k for i in ids for k in target_keys(group[i].translation, lang))
            best = None
            for k, n in counts.items():
                precision, specificity = n / len(ids), n / len(tgt_index[k])
                if precision >= PRECISION and specificity >= SPECIFICITY:
                    score = (precision, specificity, len(k))
                    if best is None or score > best[0]:
                        best = (score, k)
            if best is None:
                continue
            key = best[1]
            surface = forms[key].most_common(1)[0][0]  # the form translators wrote most
            forbidden = ()
            if rng.random() < 0.5:
                seen = " ".join(plain(group[i].translation) for i in ids)
                options = [k for k in vocabulary if k not in seen and k[:4] not in seen]
                if options:
                    pick = rng.choice(options)
                    forbidden = (forms[pick].most_common(1)[0][0],)
            source = src_forms[term].most_common(1)[0][0]
            entries.append(GlossaryEntry((source,), (surface,), forbidden, "en", lang))
            meta[(lang, source)] = (term, key)
        entries.extend(_dnt_entries(group))
    return entries, meta


def _dnt_entries(group) -> list:
    """Names: acronyms, words with a capital inside, and capitalised words never written in
    lower case in any source, kept unchanged in at least 95% of their units' translations."""
    from lacuna.glossary import GlossaryEntry

    lower_words = {w for u in group for w in re.findall(r"\b[a-z][a-z0-9]*\b", u.source)}
    seen, kept = Counter(), Counter()
    for u in group:
        for name in set(re.findall(r"\b[A-Za-z]*[A-Z][A-Za-z0-9]*\b", u.source)):
            if sum(c.isupper() for c in name) >= 2 or (name[0].islower() and name.lower() != name) \
                    or (name[0].isupper() and not u.source.startswith(name) and len(name) >= 5):
                seen[name] += 1
                kept[name] += name in u.translation
    names = [n for n, c in seen.items() if c >= 3 and kept[n] / c >= 0.95 and n.lower() not in lower_words]
    return [GlossaryEntry((n,), (), (), "en", group[0].tgt_lang, case_sensitive=True, do_not_translate=True)
            for n in names]


def follows_glossary(unit, entries_by_lang_or_list, meta) -> bool:
    """Whether a unit follows the glossary by the rule the glossary was built with: every entry
    whose source term (by stem) is in the source has its target word group in the translation,
    and every do-not-translate name in the source is in the translation unchanged."""
    lang, folded = unit.tgt_lang, plain(unmarked(unit.translation))
    terms = source_terms(unit.source)
    for e in _entries_of(entries_by_lang_or_list, lang):
        if e.do_not_translate:
            name = e.source_terms[0]
            if re.search(rf"\b{re.escape(name)}\b", unmarked(unit.source)) and name not in unit.translation:
                return False
            continue
        src_key, tgt_key = meta[(lang, e.source_terms[0])]
        if src_key in terms and tgt_key not in folded:
            return False
    return True


_BY_LANG: dict[int, dict] = {}


def _entries_of(entries, lang):
    cache = _BY_LANG.setdefault(id(entries), {})
    if not cache:
        for e in entries:
            cache.setdefault(e.tgt_lang, []).append(e)
    return cache.get(lang, [])


# -- injecting errors ----------------------------------------------------------------------

def inject(units: list, entries: list, meta: dict, rng: random.Random) -> list[tuple]:
    """(unit id, source, translation, lang, kind, span of the source term) for each injected error."""
    by_lang = defaultdict(list)
    for e in entries:
        by_lang[e.tgt_lang].append(e)
    vocabulary = defaultdict(list)
    for u in units:
        vocabulary[u.tgt_lang].extend(w for w in TGT_WORD.findall(u.translation) if len(w) >= 5)
    out = []
    for u in units:
        lang = u.tgt_lang
        terms = source_terms(u.source)
        candidates = []
        for e in by_lang[lang]:
            if e.do_not_translate:
                if re.search(rf"\b{re.escape(e.source_terms[0])}\b", u.source) and e.source_terms[0] in u.translation:
                    candidates.append(e)
            elif meta[(lang, e.source_terms[0])][0] in terms and meta[(lang, e.source_terms[0])][1] in plain(u.translation):
                candidates.append(e)
        if not candidates:
            continue
        e = rng.choice(candidates)
        if e.do_not_translate:
            name = e.source_terms[0]
            span = re.search(rf"\b{re.escape(name)}\b", u.source).span()
            out.append((u.id, u.source, u.translation.replace(name, name.lower()), lang, "do_not_translate", span))
            continue
        src_key, key = meta[(lang, e.source_terms[0])]
        span = terms[src_key][1]
        if e.forbidden and rng.random() < 0.5:
            wrong, kind = e.forbidden[0], "forbidden"
        else:
            words = [w for w in vocabulary[lang] if key not in plain(w) and plain(w)[:4] != key[:4]]
            wrong, kind = (rng.choice(words) if words else "xxxxx"), "replaced"
        out.append((u.id, u.source, _replace(u.translation, key, wrong, lang), lang, kind, span))
    return out


def _replace(text: str, key: str, wrong: str, lang: str) -> str:
    if lang in CHAR_LANGS:
        return re.sub(re.escape(key), wrong, text, flags=re.IGNORECASE)
    return TGT_WORD.sub(lambda m: wrong if key in plain(m.group()) else m.group(), text)


# -- scoring -------------------------------------------------------------------------------

def score_all(segments: list[dict], entries: list) -> dict:
    from lacuna.client import Client
    from lacuna.client.job_checks import entry_to_pb
    from lacuna.proto import types_pb2
    from lacuna.server.app import LacunaServer
    from lacuna.server.config import ServerConfig

    options = types_pb2.ScoreOptions(glossary_entries=[entry_to_pb(e) for e in entries])
    server = LacunaServer(ServerConfig(port=0, workers=4, omission=False, log_level="warning")).start()
    results = {}
    try:
        with Client(server.address, timeout=600) as client:
            for i in range(0, len(segments), 500):
                for r in client.score(segments[i:i + 500], options=options).segments:
                    results[r.id] = r
    finally:
        server.stop(grace=None)
    return results


def _term_flags(result) -> list:
    return [f for f in result.flags if f.type in TERM_FLAGS]


def caught(result, span: tuple[int, int]) -> bool:
    """A term flag on the injected term's occurrence in the source."""
    return any(f.source_span is not None and f.source_span.start < span[1] and span[0] < f.source_span.end
               for f in _term_flags(result))


def throughput(segments: list[dict], entries: list) -> tuple[float, float, int]:
    """(terms checked per second, segments per second, terms checked) of the check in process."""
    from lacuna.glossary import Glossary
    from lacuna.server.terminology.check import check_terms
    from lacuna.server.terminology.store import GlossaryStore

    store, glossary = GlossaryStore(), Glossary(entries, name="bench")
    for s in segments:  # compile every pair first: compiling is once per glossary, not per segment
        store.pair(glossary, "en", s["tgt_lang"])
    started, checked = time.perf_counter(), 0
    for s in segments:
        checked += check_terms(store.pair(glossary, "en", s["tgt_lang"]), s["source"], s["translation"])[1]
    seconds = time.perf_counter() - started
    return checked / seconds, len(segments) / seconds, checked


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="use at most N units (0: all)")
    parser.add_argument("--show", type=int, default=5, help="list this many missed errors and flagged clean units")
    args = parser.parse_args(argv)
    rng = random.Random(16)
    units = load_units(args.limit)
    entries, meta = build_glossary(units, rng)
    injected = inject(units, entries, meta, rng)
    langs = Counter(u.tgt_lang for u in units)
    dnt = sum(e.do_not_translate for e in entries)
    print(f"units: {len(units)} ({', '.join(f'{k} {v}' for k, v in sorted(langs.items()))}) from {len(FILES)} files")
    print(f"glossary: {len(entries) - dnt} term entries ({sum(bool(e.forbidden) for e in entries)} with a forbidden "
          f"variant), {dnt} do-not-translate names")

    clean = [{"id": u.id, "source": u.source, "translation": u.translation, "src_lang": "en",
              "tgt_lang": u.tgt_lang} for u in units]
    bad = [{"id": f"injected:{i}", "source": s, "translation": t, "src_lang": "en", "tgt_lang": lang}
           for i, (_, s, t, lang, _, _) in enumerate(injected)]
    started = time.perf_counter()
    results = score_all(clean + bad, entries)
    served = time.perf_counter() - started

    compliant = {u.id for u in units if follows_glossary(u, entries, meta)}
    flagged = [c for c in clean if _term_flags(results[c["id"]])]
    flagged_clean = [c for c in flagged if c["id"] in compliant]
    flagged_violating = [c for c in flagged if c["id"] not in compliant]
    by_kind, hit_kind, missed = Counter(), Counter(), []
    for b, (_, source, _, lang, kind, span) in zip(bad, injected):
        by_kind[kind] += 1
        found = caught(results[b["id"]], span)
        hit_kind[kind] += found
        if not found:
            missed.append((kind, source[span[0]:span[1]], b))
    total_caught = sum(hit_kind.values())
    print(f"injected term errors: {len(bad)}; caught {total_caught} = {total_caught / max(1, len(bad)):.2%} "
          f"(target >= 98%)")
    for kind in sorted(by_kind):
        print(f"  {kind}: {hit_kind[kind]}/{by_kind[kind]} = {hit_kind[kind] / by_kind[kind]:.2%}")
    for kind, term, b in missed[:args.show]:
        print(f"    missed {kind} {term!r}: {b['source'][:60]!r} -> {b['translation'][:60]!r}")
    per_lang = Counter(c["tgt_lang"] for c in flagged_clean)
    print(f"clean units flagged: {len(flagged_clean)}/{len(compliant)} = "
          f"{len(flagged_clean) / max(1, len(compliant)):.2%} (target <= 1%; units that follow the glossary by "
          f"the rule it was built with); by language: {dict(sorted(per_lang.items()))}")
    violating = len(clean) - len(compliant)
    print(f"original units that do not follow the glossary by that rule (real deviations, or the 3% each entry "
          f"allows): {violating}, of which flagged {len(flagged_violating)}; all original units flagged: "
          f"{len(flagged)}/{len(clean)} = {len(flagged) / len(clean):.2%}")
    for c in flagged_clean[:args.show]:
        f = _term_flags(results[c["id"]])[0]
        print(f"    {c['tgt_lang']}: {c['source'][:60]!r} -> {c['translation'][:60]!r}: {f.message[:90]}")
    terms_s, segs_s, checked = throughput(clean + bad, entries)
    print(f"terms checked: {checked} in {len(clean) + len(bad)} segments; {terms_s:,.0f} terms/s, "
          f"{segs_s:,.0f} segments/s (the check in process, one thread)")
    print(f"through the server (checks only, glossary in the request): {len(results) / served:,.0f} segments/s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
