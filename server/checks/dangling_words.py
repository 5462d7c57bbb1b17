"""Words a complete title or sentence does not end on, by language: articles, prepositions,
conjunctions and possessives that need the words after them (`Comportamiento en`,
`Paramètres de la`, `Просмотреть основную`).

Left out on purpose: words that also end whole messages in a user interface (German and Dutch
separable particles such as `an`, `aus`, `ein`, `op`, `in`; pronouns such as `das`, `het`,
`que`/`что` in questions; `plus` in `en savoir plus`). English sources that end on a function
word themselves (`Sort by`, `Log in with`) are not judged: their translations may end so too.
"""

from __future__ import annotations

import re

from lacuna.languages import Language

_WORDS = {
    "de": "der die den dem des eine einen einem einer eines und oder sowie für von vom zur zum im beim ins mit "
          "zwischen gegen ohne dass wenn weil ob ihre ihren ihrem ihrer ihres seine seinen seinem seiner "
          "meine meinen meinem meiner deine deinen deinem deiner unsere unseren unserem unserer",
    "en": "the a an of to for with from and or but your my its their our into about",
    "es": "el la los las un una unos unas al del de a en con sin por para sobre entre hacia desde hasta "
          "y e o u pero que mi mis tu tus su sus nuestro nuestra nuestros nuestras muy cuyo cuya",
    "fr": "le la les l' un une des du de d' au aux à en dans sur pour par avec sans sous vers chez entre "
          "et ou mais que qu' dont ce cette ces mon ma mes ton ta tes son sa ses notre votre nos vos très",
    "it": "il lo la i gli le un uno una un' del della dei degli delle dello al alla ai agli alle allo "
          "dal dalla nel nella nei nelle sul sulla di da in con su per tra fra e o ma che",
    "pt": "o a os as um uma uns umas do da dos das no na nos nas ao aos à às de em com sem por para "
          "pelo pela pelos pelas sobre entre e ou mas que seu sua seus suas meu minha",
    "nl": "de een van voor met bij naar door tot en of maar uw mijn jouw",
    "ru": "в во на с со к ко по о об обо от до из за для без при через у над под перед между и или а но чтобы",
    "uk": "в у на з із зі до від для без при через про по за під над між і й та або але щоб",
    "pl": "w we na z ze do od dla bez przy przez po o za pod nad między i oraz lub albo ale że aby",
}
DANGLING = {lang: frozenset(words.split()) for lang, words in _WORDS.items()}
#: Russian adjective endings that need a noun after them in a title (`учетная` without `запись`):
#: feminine nominative and accusative, in words of five letters or more.
_ADJECTIVE_ENDINGS = {"ru": ("ая", "яя", "ую", "юю")}
_LAST_WORD = re.compile(r"(\w+'?)\W*$")


def last_word(text: str) -> str:
    """The text's last word, lower-cased (with an elided article's apostrophe: `l'`)."""
    found = _LAST_WORD.search(text.replace("’", "'"))
    return found.group(1).lower() if found else ""


def dangling_end(text: str, lang: Language) -> str:
    """The word the text ends on if it cannot end a phrase in `lang`; "" otherwise (or unknown)."""
    word = last_word(text)
    if word in DANGLING.get(lang.base, ()):
        return word
    if len(word) >= 5 and word.endswith(_ADJECTIVE_ENDINGS.get(lang.base, ())):
        return word
    return ""
