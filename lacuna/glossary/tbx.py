"""TBX termbases (ISO 30042): v2 (`<martif>`, `termEntry/langSet/tig|ntig`) and v3
(`<tbx>`, `conceptEntry/langSec/termSec`), namespaced or not.

Each concept becomes one entry per ordered pair of its languages: the source
language's usable terms trigger it, the target language's preferred and admitted
terms are approved, and its deprecated, superseded or otherwise not-allowed terms
are forbidden. A term's status is read from `termNote type="administrativeStatus"`
(or `normativeAuthorization`); its part of speech from `termNote type="partOfSpeech"`.
The file is parsed without resolving entities or touching the network.
"""

from __future__ import annotations

from lacuna.glossary import GlossaryEntry, GlossaryError, language_base

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONCEPTS = ("termEntry", "conceptEntry")
LANGUAGES = ("langSet", "langSec")
TERM_GROUPS = ("tig", "termGrp", "termSec")
FORBIDDEN_WORDS = ("deprecated", "superseded", "forbidden", "notrecommended", "not-recommended", "obsolete")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, names: tuple[str, ...]):
    return [c for c in element if _local(c.tag) in names]


def _term_groups(lang_set):
    """The tig/termGrp/termSec elements of a langSet, through ntig wrappers."""
    found = []
    for child in lang_set:
        name = _local(child.tag)
        if name in TERM_GROUPS:
            found.append(child)
        elif name == "ntig":
            found.extend(_children(child, ("termGrp",)))
    return found


def _read_term(group) -> tuple[str, bool, str] | None:
    """(term, forbidden, part of speech) of one term group."""
    text, forbidden, pos = "", False, ""
    for child in group.iter():
        name = _local(child.tag)
        if name == "term":
            text = "".join(child.itertext()).strip()
        elif name == "termNote":
            kind = (child.get("type") or "").strip()
            value = "".join(child.itertext()).strip().lower()
            if kind in ("administrativeStatus", "normativeAuthorization"):
                forbidden = any(w in value for w in FORBIDDEN_WORDS)
            elif kind == "partOfSpeech":
                pos = value
    return (text, forbidden, pos) if text else None


def read_tbx(path: str) -> list[GlossaryEntry]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(path, parser).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise GlossaryError(f"{path}: cannot read as TBX: {exc}") from None
    if _local(root.tag) not in ("martif", "tbx"):
        raise GlossaryError(f"{path}: not a TBX file (root element <{_local(root.tag)}>, expected <martif> or <tbx>)")
    entries: list[GlossaryEntry] = []
    for n, concept in enumerate((e for e in root.iter() if _local(e.tag) in CONCEPTS), 1):
        where = f"{path}: concept {concept.get('id') or n} (line {concept.sourceline})"
        by_language: dict[str, list[tuple[str, bool, str]]] = {}
        for lang_set in _children(concept, LANGUAGES):
            lang = language_base(lang_set.get(XML_LANG) or lang_set.get("lang") or "", where)
            if lang is None:
                raise GlossaryError(f"{where}: a <{_local(lang_set.tag)}> without xml:lang")
            terms = [t for t in (_read_term(g) for g in _term_groups(lang_set)) if t]
            by_language.setdefault(lang, []).extend(terms)
        entries.extend(_concept_entries(by_language))
    return entries


def _concept_entries(by_language: dict[str, list[tuple[str, bool, str]]]) -> list[GlossaryEntry]:
    out = []
    for src, src_terms in by_language.items():
        triggers = tuple(dict.fromkeys(t for t, bad, _ in src_terms if not bad))
        if not triggers:
            continue
        pos = next((p for t, bad, p in src_terms if not bad and p), "")
        for tgt, tgt_terms in by_language.items():
            if tgt == src:
                continue
            approved = tuple(dict.fromkeys(t for t, bad, _ in tgt_terms if not bad))
            forbidden = tuple(dict.fromkeys(t for t, bad, _ in tgt_terms if bad))
            if approved or forbidden:
                out.append(GlossaryEntry(triggers, approved, forbidden, src, tgt, pos))
    return out
