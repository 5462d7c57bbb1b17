"""The Prometheus endpoint of a live server shows the traffic the test sent."""

from __future__ import annotations

import socket
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from lacuna.client import Client, LacunaError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} from http://127.0.0.1:PORT/metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.status == 200
        text = response.read().decode("utf-8")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


SEGMENTS = [
    {"id": "ok1", "source": "The cat sleeps on the sofa.", "translation": "Le chat dort sur le canapé.",
     "src_lang": "en", "tgt_lang": "fr", "reference": "Le chat dort sur le canapé."},
    {"id": "empty", "source": "Your parcel is on its way.", "translation": "", "src_lang": "en", "tgt_lang": "fr"},
    {"id": "num", "source": "The order ships 25 boxes.", "translation": "Die Bestellung versendet 52 Kisten.",
     "src_lang": "en", "tgt_lang": "de"},
]


def test_metrics_endpoint_counts_the_traffic(start_server):
    port = free_port()
    server = start_server(metrics_port=port, omission=False)
    with Client(server.address) as client:
        client.score(SEGMENTS)
        client.score(SEGMENTS[:1])
        list(client.score_stream_pb([SEGMENTS[1:2], SEGMENTS[2:]]))
        with pytest.raises(LacunaError):
            client.score([{**SEGMENTS[0], "tgt_lang": "not a language"}])

    samples = scrape(port)
    assert value(samples, "lacuna_requests_total", method="Score", code="OK") == 2
    assert value(samples, "lacuna_requests_total", method="Score", code="INVALID_ARGUMENT") == 1
    assert value(samples, "lacuna_requests_total", method="ScoreStream", code="OK") == 1
    assert value(samples, "lacuna_request_duration_seconds_count", method="Score") == 3
    assert value(samples, "lacuna_request_duration_seconds_bucket", method="Score", le="+Inf") == 3

    assert value(samples, "lacuna_segments_scored_total", src_lang="en", tgt_lang="fr") == 4
    assert value(samples, "lacuna_segments_scored_total", src_lang="en", tgt_lang="de") == 2
    assert value(samples, "lacuna_segments_passed_total", src_lang="en", tgt_lang="fr") == 2
    assert value(samples, "lacuna_segments_passed_total", src_lang="en", tgt_lang="de") == 0
    assert value(samples, "lacuna_flags_total", type="empty", severity="critical", src_lang="en", tgt_lang="fr") == 2
    assert value(samples, "lacuna_flags_total", type="number_mismatch", severity="major",
                 src_lang="en", tgt_lang="de") == 2
    assert value(samples, "lacuna_segment_score_count", metric="chrf", src_lang="en", tgt_lang="fr") == 2
    assert value(samples, "lacuna_segment_score_sum", metric="chrf", src_lang="en", tgt_lang="fr") == pytest.approx(200)

    # Model state: what this server offers and what it was started without.
    assert value(samples, "lacuna_metric_available", metric="bleu") == 1
    assert value(samples, "lacuna_metric_available", metric="omission") == 0
    assert value(samples, "lacuna_metric_available", metric="comet") == 0
    scorers = {dict(labels)["scorer"] for (name, labels) in samples if name == "lacuna_scorer_loaded"}
    assert scorers == {s.name for s in server.pipeline.scorers}


def test_metrics_port_closes_with_the_server(start_server):
    port = free_port()
    server = start_server(metrics_port=port, omission=False)
    assert scrape(port)
    server.stop(grace=None)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2)
