"""Language tags: parse and check the BCP-47 tags segments carry.

Lacuna accepts BCP-47 tags (`en`, `ja`, `zh-Hans`, `pt-BR`, `sr-Latn-RS`) and,
for convenience with FLORES/NLLB data, `eng_Latn`-style codes. The primary
language subtag must be a known ISO 639-1 code, or an ISO 639-3 code from the
table below; anything else is an unknown language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# ISO 639-1 two-letter codes (the full standard list).
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
    ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa
    pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th
    ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)

# ISO 639-3 codes -> ISO 639-1 where one exists (None: no two-letter code).
# Covers the languages of the embedded encoder (XLM-R's 100), FLORES-200's
# common codes, and a few widely used languages without a two-letter code.
ISO_639_3: dict[str, str | None] = {
    "afr": "af", "amh": "am", "ara": "ar", "arb": "ar", "asm": "as", "aze": "az", "azj": "az",
    "bel": "be", "bul": "bg", "ben": "bn", "bre": "br", "bos": "bs", "cat": "ca", "ces": "cs",
    "cym": "cy", "dan": "da", "deu": "de", "ell": "el", "eng": "en", "epo": "eo", "spa": "es",
    "est": "et", "eus": "eu", "fas": "fa", "pes": "fa", "fin": "fi", "fra": "fr", "fry": "fy",
    "gle": "ga", "gla": "gd", "glg": "gl", "guj": "gu", "hau": "ha", "heb": "he", "hin": "hi",
    "hrv": "hr", "hun": "hu", "hye": "hy", "ind": "id", "isl": "is", "ita": "it", "jpn": "ja",
    "jav": "jv", "kat": "ka", "kaz": "kk", "khm": "km", "kan": "kn", "kor": "ko", "kas": "ks",
    "kur": "ku", "kir": "ky", "lat": "la", "lao": "lo", "lit": "lt", "lav": "lv", "lvs": "lv",
    "mlg": "mg", "plt": "mg", "mkd": "mk", "mal": "ml", "mon": "mn", "khk": "mn", "mar": "mr",
    "msa": "ms", "zsm": "ms", "mya": "my", "nep": "ne", "npi": "ne", "nld": "nl", "nob": "nb",
    "nno": "nn", "nor": "no", "orm": "om", "gaz": "om", "ori": "or", "ory": "or", "pan": "pa",
    "pol": "pl", "pus": "ps", "pbt": "ps", "por": "pt", "ron": "ro", "rus": "ru", "san": "sa",
    "snd": "sd", "sin": "si", "slk": "sk", "slv": "sl", "som": "so", "sqi": "sq", "als": "sq",
    "srp": "sr", "sun": "su", "swe": "sv", "swa": "sw", "swh": "sw", "tam": "ta", "tel": "te",
    "tha": "th", "tgl": "tl", "tur": "tr", "uig": "ug", "ukr": "uk", "urd": "ur", "uzb": "uz",
    "uzn": "uz", "vie": "vi", "xho": "xh", "yid": "yi", "ydd": "yi", "yor": "yo", "zho": "zh",
    "zul": "zu", "lug": "lg", "sna": "sn", "sot": "st", "tsn": "tn", "tso": "ts", "mri": "mi",
    "ibo": "ig", "kin": "rw", "wol": "wo", "tat": "tt", "tgk": "tg", "tuk": "tk", "mlt": "mt",
    "ltz": "lb", "nya": "ny",
    # No ISO 639-1 code.
    "mni": None, "fil": None, "yue": None, "ceb": None, "haw": None, "hmn": None, "kok": None,
    "mai": None, "sat": None, "doi": None, "brx": None, "ast": None, "nso": None, "fur": None,
    "scn": None, "szl": None, "ace": None, "ban": None, "bjn": None, "bug": None, "min": None,
    "shn": None, "tpi": None, "kab": None, "kea": None, "pag": None, "war": None, "ilo": None,
}

_SCRIPT = re.compile(r"^[A-Za-z]{4}$")
_REGION = re.compile(r"^([A-Za-z]{2}|[0-9]{3})$")
_FLORES = re.compile(r"^([a-z]{3})_([A-Z][a-z]{3})$")


class UnknownLanguage(ValueError):
    """A tag that is malformed or names no known language."""


@dataclass(frozen=True)
class Language:
    """A parsed language tag.

    `base` is the primary subtag in its shortest form (`en` for `eng_Latn`),
    `tag` the canonical BCP-47 form (`zh-Hans`, `pt-BR`).
    """

    base: str
    script: str | None = None
    region: str | None = None

    @property
    def tag(self) -> str:
        return "-".join(p for p in (self.base, self.script, self.region) if p)

    def __str__(self) -> str:
        return self.tag


def _canonical_base(code: str) -> str:
    code = code.lower()
    if len(code) == 2 and code in ISO_639_1:
        return code
    if len(code) == 3 and code in ISO_639_3:
        return ISO_639_3[code] or code
    raise UnknownLanguage(f"unknown language code {code!r}")


@lru_cache(maxsize=4096)
def parse(tag: str) -> Language:
    """Parse a BCP-47 (or FLORES `eng_Latn`) tag; raise UnknownLanguage if it is not one."""
    if not isinstance(tag, str) or not tag.strip():
        raise UnknownLanguage("language tag is empty")
    tag = tag.strip()
    m = _FLORES.match(tag)
    if m:
        return Language(_canonical_base(m.group(1)), m.group(2))
    parts = tag.replace("_", "-").split("-")
    if any(not (p.isascii() and p.isalnum()) or len(p) > 8 for p in parts):
        raise UnknownLanguage(f"malformed language tag {tag!r}")
    base = _canonical_base(parts[0]) if parts[0].isalpha() and len(parts[0]) in (2, 3) else None
    if base is None:
        raise UnknownLanguage(f"malformed language tag {tag!r}")
    script = region = None
    for part in parts[1:]:
        if script is None and region is None and _SCRIPT.match(part):
            script = part.title()
        elif region is None and _REGION.match(part):
            region = part.upper()
        elif len(part) >= 5 or len(part) == 1 or (len(part) == 4 and part[0].isdigit()):
            break  # variants, extensions (`-u-ca-gregory`) and private use (`-x-...`): accepted, not kept
        else:
            raise UnknownLanguage(f"malformed language tag {tag!r}")
    return Language(base, script, region)


def writes_without_spaces(lang: Language) -> bool:
    """Languages written without spaces between words (for tokenizers and splitters)."""
    return lang.base in ("ja", "zh", "th", "lo", "km", "my", "yue", "bo", "dz")
