"""The length-ratio check, through a real server on loopback."""

import pytest

from lacuna.client import Client

SOURCE = ("The summit ended on Friday with a joint statement on maritime security, "
          "trade and the protection of undersea cables in the region.")


def score(server, translation, tgt="de", source=SOURCE, src="en"):
    with Client(server.address, timeout=30) as client:
        return client.score([{"id": "l1", "source": source, "translation": translation,
                              "src_lang": src, "tgt_lang": tgt}]).segments[0]


def flags_of(result):
    return [f for f in result.flags if f.type == "length_ratio"]


@pytest.mark.parametrize("translation,tgt", [
    ("Der Gipfel endete am Freitag mit einer gemeinsamen Erklärung zur maritimen Sicherheit, "
     "zum Handel und zum Schutz von Unterseekabeln in der Region.", "de"),
    # Japanese needs about half the characters of English
    ("首脳会議は金曜日、海上安全保障、貿易、地域の海底ケーブル保護に関する共同声明を出して閉幕した。", "ja"),
    ("峰会于周五闭幕，发表了关于海上安全、贸易和保护该地区海底电缆的联合声明。", "zh-Hans"),
])
def test_normal_lengths_are_not_flagged(start_server, translation, tgt):
    assert flags_of(score(start_server(omission=False), translation, tgt)) == []


def test_short_strings_are_not_flagged(start_server):
    server = start_server(omission=False)
    assert flags_of(score(server, "Speichern", source="Save")) == []
    assert flags_of(score(server, "保存", tgt="ja", source="Save")) == []


def test_far_too_short_translation_is_major(start_server):
    result = score(start_server(omission=False), "Der Gipfel endete.")
    found = flags_of(result)
    assert len(found) == 1 and found[0].severity == "major", result.flags
    assert "shorter" in found[0].message and "en->de" in found[0].message
    assert result.passed is False


def test_somewhat_short_translation_is_minor(start_server):
    result = score(start_server(omission=False),
                   "Der Gipfel endete am Freitag mit einer Erklärung.")
    found = flags_of(result)
    assert [f.severity for f in found] == ["minor"], result.flags
    assert result.passed is True  # minor flags do not fail a segment


def test_length_fine_for_german_is_too_long_for_japanese(start_server):
    # Japanese needs about half the characters English or German do.
    long_ja = "首脳会議は金曜日に閉幕した。" * 12
    assert flags_of(score(start_server(omission=False), long_ja[:len(SOURCE)], tgt="de")) == []
    found = flags_of(score(start_server(omission=False), long_ja, tgt="ja"))
    assert len(found) == 1 and "longer" in found[0].message, found


def test_far_too_long_translation_is_flagged(start_server):
    result = score(start_server(omission=False),
                   "Ja, und außerdem teilen wir Ihnen mit, dass Ihr Konto gesperrt wurde und Sie sich "
                   "umgehend an den Kundendienst wenden müssen.", source="Yes")
    found = flags_of(result)
    assert len(found) == 1 and found[0].severity == "major" and "longer" in found[0].message
