"""One vocabulary for server, client, report and alerts: the client never imports the server,
every reader picks the same sacrebleu tokenizer, "worst" means one order everywhere, metric
directions agree with the capabilities, and a job answered by servers with different
signatures is flagged."""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys

import pytest

from lacuna.client import Client
from lacuna.client.batch import main as score_main
from lacuna.client.client import result_to_json
from lacuna.client.report import main as report_main
from lacuna.client.report import summarize
from lacuna.client.summary import SummaryBuilder
from lacuna.metric_direction import higher_is_better

ROOT = pathlib.Path(__file__).resolve().parents[1]


# -- the client does not import the server ---------------------------------------------------

def _imports_of(path: pathlib.Path) -> set[str]:
    """Every module named by an import statement anywhere in the file (function bodies too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_client_module_names_the_server_package():
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in _imports_of(p) if n.startswith("lacuna.server"))
                 for p in sorted((ROOT / "client").rglob("*.py"))}
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}
    assert _imports_of(ROOT / "client" / "report" / "summary.py")  # the scan reads real imports


BLOCKED_IMPORT = r"""
import importlib, importlib.abc, pkgutil, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "lacuna.server" or name.startswith("lacuna.server."):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, Block())
import lacuna.client
for info in pkgutil.walk_packages(lacuna.client.__path__, "lacuna.client."):
    importlib.import_module(info.name)
import lacuna.alerting
assert not [m for m in sys.modules if m.startswith("lacuna.server")]
print("imported", len([m for m in sys.modules if m.startswith("lacuna.client")]))
"""


def test_client_imports_with_the_server_package_blocked(tmp_path):
    done = subprocess.run([sys.executable, "-c", BLOCKED_IMPORT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.split()[-1]) > 10


# -- one tokenizer, also when its extra is missing ---------------------------------------------

@pytest.fixture
def no_mecab(monkeypatch):
    """sacrebleu as it is without its [ja] extra: building the ja-mecab tokenizer fails."""
    import sacrebleu.tokenizers.tokenizer_ja_mecab as ja_mecab

    from lacuna import reference_metrics

    monkeypatch.setattr(ja_mecab, "MeCab", None)
    reference_metrics.tokenizer_usable.cache_clear()
    monkeypatch.setattr(reference_metrics, "_sets", {})
    yield
    reference_metrics.tokenizer_usable.cache_clear()


JA = [{"id": f"ja{i}", "source": s, "translation": t, "reference": r, "src_lang": "en", "tgt_lang": "ja"}
      for i, (s, t, r) in enumerate([
          ("The library opens at nine.", "図書館は九時に開きます。", "図書館は9時に開館します。"),
          ("Return books within two weeks.", "本は二週間以内に返してください。", "本は2週間以内に返却してください。"),
      ])]


def test_report_and_summary_use_the_servers_tokenizer_when_mecab_is_missing(no_mecab, start_server):
    server = start_server(omission=False, workers=2)
    with Client(server.address) as client:
        response = client.score_pb(JA, ["bleu", "chrf", "ter"])
    assert not any(seg.HasField("error") for seg in response.results)
    served = {c.metric: (round(c.score, 6), c.signature) for c in response.corpus_scores}
    assert "tok:char" in served["bleu"][1]  # the fallback, named in the signature

    records = []
    for seg, result in zip(JA, response.results):
        rec = result_to_json(result)
        rec.update(src_lang="en", tgt_lang="ja", source=seg["source"], translation=seg["translation"],
                   reference=seg["reference"])
        records.append(rec)
    [pair] = summarize(records).pairs
    reported = {s.metric: (round(s.value, 6), s.note) for s in pair.scores if s.how == "corpus"}
    assert reported == served

    builder = SummaryBuilder()
    for rec in records:
        builder.add(rec)
    summary_corpus = builder.summary()["pairs"][0]["corpus"]
    assert {m: summary_corpus[m]["signature"] for m in served} == {m: sig for m, (_, sig) in served.items()}


# -- one worst-first order -------------------------------------------------------------------

def _flag(kind: str, severity: str, confidence: float) -> dict:
    return {"type": kind, "severity": severity, "confidence": confidence, "message": kind}


RANKED = [  # orders on which the three former rankings disagreed
    {"id": "three-major", "passed": False, "scores": {"chrf": 60.0},
     "flags": [_flag("omission", "major", 0.6), _flag("number_mismatch", "major", 0.9),
               _flag("addition", "major", 0.5)]},
    {"id": "one-critical", "passed": False, "scores": {"chrf": 80.0}, "flags": [_flag("empty", "critical", 1.0)]},
    {"id": "major-low-chrf", "passed": False, "scores": {"chrf": 12.0}, "flags": [_flag("omission", "major", 0.7)]},
    {"id": "major-high-chrf", "passed": False, "scores": {"chrf": 70.0}, "flags": [_flag("omission", "major", 0.7)]},
    {"id": "minor", "passed": True, "scores": {"chrf": 90.0}, "flags": [_flag("length_ratio", "minor", 0.4)]},
    {"id": "clean", "passed": True, "scores": {"chrf": 95.0}, "flags": []},
]


def test_summary_report_and_alert_name_the_same_worst_segments(tmp_path):
    from lacuna.alerting import evaluate_job, parse_rules

    records = [{**r, "src_lang": "en", "tgt_lang": "fr", "source": "s", "translation": "t"} for r in RANKED]
    expected = ["one-critical", "three-major", "major-low-chrf", "major-high-chrf", "minor"]

    builder = SummaryBuilder(exact_corpus=False)
    for rec in reversed(records):
        builder.add(rec)
    assert [w["id"] for w in builder.summary()["worst_segments"]] == expected
    assert [row["id"] for row in summarize(records).rows] == expected
    rules = parse_rules({"channels": {"h": {"type": "webhook", "url_env": "UNSET_HOOK"}},
                         "rules": [{"name": "any", "measure": "flag_count", "op": ">=", "threshold": 1,
                                    "channels": ["h"]}]})
    [alert] = evaluate_job(rules, records)
    assert [w["id"] for w in alert.worst] == expected[:3]


# -- metric direction ----------------------------------------------------------------------

def test_capabilities_directions_match_the_shared_table(checks_server):
    with Client(checks_server.address) as client:
        caps = client.capabilities()
    offered = {m.name: m.higher_is_better for m in caps.metrics}
    assert {"bleu", "chrf", "ter"} <= set(offered)
    assert offered == {name: higher_is_better(name) for name in offered}


# -- servers with different signatures -----------------------------------------------------

class _RenamedSet:
    """A sacrebleu metric set that reports another version in its signatures."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def signature(self, metric: str, sentence: bool = False) -> str:
        return self._inner.signature(metric, sentence).replace("version:", "version:0.0.0-other-")


def test_job_over_servers_with_different_signatures_is_flagged(tmp_path, capsys):
    from dataclasses import replace

    from lacuna.server.app import LacunaServer
    from lacuna.server.checks import ChecksScorer
    from lacuna.server.config import ServerConfig
    from lacuna.server.metrics.reference import ReferenceMetrics
    from lacuna.server.pipeline import Pipeline

    class OtherSacrebleu(ReferenceMetrics):
        def metric_set(self, lang):
            return _RenamedSet(super().metric_set(lang))

    config = replace(ServerConfig(port=0, workers=2), omission=False)
    servers = [LacunaServer(config).start(),
               LacunaServer(config, Pipeline([ChecksScorer(), OtherSacrebleu()])).start()]
    try:
        job = tmp_path / "job.jsonl"
        job.write_text("".join(json.dumps({"id": f"s{i}", "source": "The gate opens at noon.",
                                           "translation": "Le portail ouvre à midi.",
                                           "reference": "La porte ouvre à midi.", "src_lang": "en",
                                           "tgt_lang": "fr"}) + "\n" for i in range(40)), encoding="utf-8")
        summary, html, results = tmp_path / "summary.json", tmp_path / "report.html", tmp_path / "out.jsonl"
        code = score_main([str(job), "--server", servers[0].address, "--server", servers[1].address,
                           "--metrics", "chrf", "--batch-size", "1", "--batches-per-call", "1", "--streams", "4",
                           "--summary", str(summary), "--html", str(html), "--output", str(results), "--quiet"])
    finally:
        for s in servers:
            s.stop(grace=None)
    assert code == 0
    out = capsys.readouterr().out
    written = json.loads(summary.read_text(encoding="utf-8"))
    assert written["run"]["higher_is_better"] == {"chrf": True}  # from the capabilities
    conflicts = written["signature_conflicts"]
    assert [(c["metric"], c["src_lang"], c["tgt_lang"], len(c["signatures"])) for c in conflicts] == \
        [("chrf", "en", "fr", 2)]
    assert "WARNING chrf en->fr: results come from servers with different signatures" in out
    assert "different signatures" in html.read_text(encoding="utf-8")
    again = tmp_path / "again.html"
    assert report_main([str(results), "-o", str(again), "--summary", str(summary)]) == 0
    assert "chrf en-&gt;fr: results come from servers with different signatures" in again.read_text(encoding="utf-8")
