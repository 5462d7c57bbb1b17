"""The checks scorer: every check on every segment, and a failing check costs only its own flags."""

from lacuna.client import Client
from lacuna.proto import types_pb2
from lacuna.server.app import LacunaServer
from lacuna.server.checks import Check, ChecksScorer
from lacuna.server.checks.empty import EmptyTranslation
from lacuna.server.config import ServerConfig
from lacuna.server.metrics.reference import ReferenceMetrics
from lacuna.server.model import ScorerOutput
from lacuna.server.pipeline import Pipeline


class Exploding(Check):
    name = "exploding"
    description = "fails on segments whose id starts with 'x'"

    def run(self, segment):
        if segment.id.startswith("x"):
            raise RuntimeError("boom")
        return ScorerOutput()


def test_a_failing_check_keeps_the_other_results():
    pipeline = Pipeline([ChecksScorer([Exploding(), EmptyTranslation()]), ReferenceMetrics()])
    server = LacunaServer(ServerConfig(port=0, omission=False), pipeline=pipeline).start()
    try:
        with Client(server.address, timeout=30) as client:
            result = client.score([
                {"id": "x1", "source": "Good evening.", "translation": "", "reference": "Guten Abend.",
                 "src_lang": "en", "tgt_lang": "de"},
                {"id": "ok", "source": "Good evening.", "translation": "Guten Abend.", "reference": "Guten Abend.",
                 "src_lang": "en", "tgt_lang": "de"},
            ])
            caps = client.capabilities()
            termed = client.score([{"id": "t", "source": "Good evening.", "translation": "Guten Tag.",
                                    "src_lang": "en", "tgt_lang": "de"}],
                                  options=types_pb2.ScoreOptions(glossary_entries=[
                                      types_pb2.GlossaryEntry(source_terms=["evening"], targets=["Abend"])]))
    finally:
        server.stop(grace=None)
    broken, fine = result.segments
    assert broken.error is None and "chrf" in broken.scores
    assert [f.type for f in broken.flags] == ["empty"] and not broken.passed
    assert fine.error is None and fine.passed and round(fine.scores["bleu"], 6) == 100.0
    # the pipeline's checks, then the glossary and consistency checks the service itself runs
    # on every pipeline (lacuna.server.terminology) when a request asks for them
    assert [c.name for c in caps.checks] == ["exploding", "empty", "terminology", "forbidden_term",
                                             "do_not_translate", "inconsistent_translation"]
    assert [f.type for f in termed.segments[0].flags] == ["terminology"]  # described, and run


def test_default_server_runs_all_five_checks_on_each_segment(start_server):
    server = start_server(omission=False)
    source = "Please transfer 2,500 euros to account 4410 before Friday, otherwise the order is cancelled."
    with Client(server.address, timeout=30) as client:
        result = client.score([
            {"id": "1", "source": source, "translation": source, "src_lang": "en", "tgt_lang": "de"},
            {"id": "2", "source": source, "translation": "Bitte überweisen.", "src_lang": "en", "tgt_lang": "de"},
        ])
    copied, cut = result.segments
    assert {f.type for f in copied.flags} == {"untranslated", "wrong_language"}
    assert {f.type for f in cut.flags} == {"number_mismatch", "length_ratio"}
    assert {f.detector for f in cut.flags} == {"numbers", "length_ratio"}


def test_a_100k_character_unspaced_text_is_checked_promptly(start_server):
    """Long runs of word characters once made the e-mail pattern backtrack quadratically (minutes)."""
    import random

    from lacuna.client import Client

    rng = random.Random(7)
    han = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(100_000))
    server = start_server(omission=False)
    with Client(server.address, timeout=30) as c:  # the old pattern took ~55 s here
        res = c.score([{"id": "long", "source": han, "translation": han[:40_000], "src_lang": "zh",
                        "tgt_lang": "en"}])
    assert res["long"].error is None
    assert any(f.type == "length_ratio" for f in res["long"].flags)


def test_mask_verbatim_still_masks_email_addresses():
    from lacuna.server.checks.text import mask_verbatim

    text = "write to anna.b+x@example.co.uk now"
    assert mask_verbatim(text) == "write to " + " " * len("anna.b+x@example.co.uk") + " now"
