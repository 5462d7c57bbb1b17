"""Language tags: what the server accepts, how it canonicalises them, and what it rejects."""

import grpc
import pytest

from lacuna.client import Client, LacunaError
from lacuna.languages import Language, UnknownLanguage, parse, writes_without_spaces


@pytest.mark.parametrize("tag,expected", [
    ("en", Language("en")),
    ("EN", Language("en")),
    ("zh-Hans", Language("zh", "Hans")),
    ("zh-hans-cn", Language("zh", "Hans", "CN")),
    ("pt-BR", Language("pt", None, "BR")),
    ("pt_br", Language("pt", None, "BR")),
    ("sr-Latn-RS", Language("sr", "Latn", "RS")),
    ("es-419", Language("es", None, "419")),
    ("eng_Latn", Language("en", "Latn")),
    ("jpn_Jpan", Language("ja", "Jpan")),
    ("fil", Language("fil")),
    ("de-DE-1996", Language("de", None, "DE")),
])
def test_valid_tags_parse(tag, expected):
    assert parse(tag) == expected


@pytest.mark.parametrize("tag", ["", "  ", "xx", "english", "e", "en-Toolongvariant", "de-DE-ü1234", "123", "en--US", "qqq_Latn"])
def test_invalid_tags_raise(tag):
    with pytest.raises(UnknownLanguage):
        parse(tag)


def test_writes_without_spaces():
    assert writes_without_spaces(parse("ja")) and writes_without_spaces(parse("zh-Hant"))
    assert not writes_without_spaces(parse("ko")) and not writes_without_spaces(parse("de"))


def test_server_accepts_tags_and_reports_canonical_pairs(start_server):
    server = start_server(omission=False)
    segs = [
        {"id": "1", "source": "Good luck with the exam.", "translation": "祝你考试顺利。", "reference": "祝考试顺利。",
         "src_lang": "eng_Latn", "tgt_lang": "zh-hans"},
        {"id": "2", "source": "Good luck with the exam.", "translation": "Boa sorte na prova.",
         "reference": "Boa sorte no exame.", "src_lang": "EN", "tgt_lang": "pt_br"},
    ]
    with Client(server.address, timeout=30) as client:
        result = client.score(segs, metrics=["bleu"])
        pairs = {(c.src_lang, c.tgt_lang) for c in result.corpus}
        assert pairs == {("en-Latn", "zh-Hans"), ("en", "pt-BR")}
        zh = next(c for c in result.corpus if c.tgt_lang == "zh-Hans")
        assert "tok:zh" in zh.signature
        with pytest.raises(LacunaError) as info:
            client.score([dict(segs[0], src_lang="klingon")])
    assert info.value.code == grpc.StatusCode.INVALID_ARGUMENT and info.value.field == "segments[0].src_lang"
