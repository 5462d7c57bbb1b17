"""Sources that are pieces of a sentence other strings complete (`sentence_fragment`), through a
real server on loopback: the omission detector's flags on such a piece are minor, a whole
sentence keeps its major flag."""

from lacuna.client.client import Client
from lacuna.languages import parse
from lacuna.server.checks.sentence_fragment import ends_open, starts_inside

#: The translation renders only "by entering your email address" (the omission model's probability
#: about 0.8: the piece is well past the flag bar, so the test is about severity, not about a
#: borderline pair).
PIECE = ("You can reactivate your account at any time by entering your email address in the",
         "メールアドレスを入力することで、")
WHOLE = ("You can reactivate your account at any time. Enter your email address in the form.",
         "メールアドレスをフォームに入力してください。")


def test_omission_flags_on_a_piece_are_minor_and_on_a_sentence_major(base_server):
    with Client(base_server.address, timeout=120) as client:
        piece, whole = client.score([
            {"id": "piece", "source": PIECE[0], "translation": PIECE[1], "src_lang": "en", "tgt_lang": "ja"},
            {"id": "whole", "source": WHOLE[0], "translation": WHOLE[1], "src_lang": "en", "tgt_lang": "ja"},
        ]).segments
    assert [f for f in piece.flags if f.type == "omission"], piece.flags  # still reported ...
    assert all(f.severity == "minor" for f in piece.flags), piece.flags  # ... for a person to look at
    assert piece.passed
    assert [f.severity for f in whole.flags if f.type == "omission"] == ["major"], whole.flags


def test_what_reads_as_a_piece():
    en = parse("en")
    assert ends_open("If the error persists please", en)
    assert ends_open("Get your identifier. It is free and only takes a minute, so", en)
    assert ends_open("as outlined above and described in further detail in", en)
    assert not ends_open("Sign in", en) and not ends_open("Sort by", en)  # whole short labels
    assert not ends_open("Add your works (articles, books, etc.)", en)
    assert not ends_open("Save the file.", en)
    assert starts_inside("please visit the online help centre")
    assert not starts_inside("please wait") and not starts_inside("iPhone settings and more.")
