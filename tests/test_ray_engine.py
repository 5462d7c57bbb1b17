"""`lacuna score --engine ray` on a local Ray with 2 CPUs, shared by this module: the same
answers as the server path, resume after a SIGKILL with nothing lost or scored twice,
and Parquet in and out."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import ray

from lacuna.client import results_parquet
from lacuna.client.batch import main


# (id, source, translation, reference, src, tgt) -- written for these tests.
JOB = [
    ("door", "Please close the door behind you.", "Bitte schließen Sie die Tür hinter sich.",
     "Bitte schließe die Tür hinter dir.", "en", "de"),
    ("apples", "She bought 12 apples at the market.", "Sie kaufte 15 Äpfel auf dem Markt.",
     "Sie kaufte 12 Äpfel auf dem Markt.", "en", "de"),
    ("copy", "The report is due on Friday morning.", "The report is due on Friday morning.", None, "en", "de"),
    ("dropped", "The museum opens at nine. Tickets are sold at the entrance. Children under six enter free "
                "of charge on every day of the week.",
     "Das Museum öffnet um neun. Eintrittskarten werden am Eingang verkauft.", None, "en", "de"),
    ("save", "Press Save to keep your changes. Unsaved work is lost when you close the window.",
     "変更を保持するには「保存」を押してください。", None, "en", "ja"),
    ("garden", "The garden behind the house is full of roses.", "Le jardin derrière la maison est plein de roses.",
     "Le jardin derrière la maison est rempli de roses.", "en", "fr"),
    ("empty", "Nothing was translated here.", "", None, "en", "de"),
    ("badlang", "A segment with a language nobody knows.", "Ein Segment.", None, "en", "xx"),
]


def write_job(path, rows=JOB) -> str:
    with open(path, "w", encoding="utf-8") as f:
        for seg_id, source, translation, reference, src, tgt in rows:
            obj = {"id": seg_id, "source": source, "translation": translation, "src_lang": src, "tgt_lang": tgt,
                   "labels": {"project": "ray-test"}}
            if reference is not None:
                obj["reference"] = reference
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return str(path)


def many(n: int) -> list[tuple]:
    return [(f"seg{i:03d}", f"Line {i} of the long job reads well.", f"Zeile {i} des langen Auftrags liest sich gut.",
             f"Zeile {i} des langen Auftrags liest sich gut.", "en", "de") for i in range(n)]


def read_jsonl(path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray (2 CPUs) for the whole module: starting Ray is the slow part."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=300 * 1024 * 1024)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def _comparable(rec: dict) -> dict:
    """A record without where it was scored; an error's `segments[N]` is the position in the
    call that carried it, which differs between the paths (a stream message, a block)."""
    out = {k: v for k, v in rec.items() if k != "replica"}
    if out.get("error"):
        out["error"] = {k: re.sub(r"segments\[\d+\]", "segments[N]", v) for k, v in out["error"].items()}
    return out


def assert_same_results(server_recs: list[dict], ray_recs: list[dict]) -> None:
    """Same ids, flags, pass/fail and errors; scores and confidences within 1e-6."""
    by_id = {r["id"]: r for r in server_recs}
    assert sorted(by_id) == sorted(r["id"] for r in ray_recs)
    for rec in ray_recs:
        want = _comparable(by_id[rec["id"]])
        got = _comparable(rec)
        assert set(got["scores"]) == set(want["scores"]), rec["id"]
        for name, value in want["scores"].items():
            assert got["scores"][name] == pytest.approx(value, abs=1e-6), (rec["id"], name)
        assert len(got["flags"]) == len(want["flags"]), (rec["id"], got["flags"], want["flags"])
        for g, w in zip(got["flags"], want["flags"]):
            assert g["confidence"] == pytest.approx(w["confidence"], abs=1e-6)
            assert {**g, "confidence": 0} == {**w, "confidence": 0}, rec["id"]
        rest = {k for k in want if k not in ("scores", "flags")}
        assert {k: got[k] for k in rest} == {k: want[k] for k in rest}, rec["id"]


def test_ray_engine_gives_the_server_paths_answers(local_ray, base_server, tmp_path):
    job = write_job(tmp_path / "job.jsonl")
    server_out, ray_out = tmp_path / "server.jsonl", tmp_path / "ray.jsonl"
    assert main([job, "--server", base_server.address, "-o", str(server_out), "-q"]) == 0
    summary = tmp_path / "summary.json"
    code = main([job, "--engine", "ray", "--ray-actors", "1", "--block-size", "3", "-o", str(ray_out), "-q",
                 "--summary", str(summary)])
    assert code == 0
    server_recs, ray_recs = read_jsonl(server_out), read_jsonl(ray_out)
    assert len(ray_recs) == len(JOB)
    assert_same_results(server_recs, ray_recs)
    flagged = {r["id"]: {f["type"] for f in r["flags"]} for r in ray_recs}
    assert "omission" in flagged["dropped"] and "number_mismatch" in flagged["apples"]
    assert "untranslated" in flagged["copy"]
    assert next(r for r in ray_recs if r["id"] == "badlang")["error"]["code"] == "INVALID_ARGUMENT"
    # where each was scored: the server's replica name, or the Ray actor
    assert {r["replica"] for r in server_recs} == {base_server.replica}
    assert all(r["replica"].startswith("ray:") for r in ray_recs)
    run = json.loads(summary.read_text())["run"]
    assert run["engine"] == "ray" and run["scored"] == len(JOB) and run["blocks"] == 3
    (actor,) = run["actor_stats"].values()
    assert actor["segments"] == len(JOB) and actor["peak_rss_mb"] > 100
    assert json.loads(summary.read_text())["signature_conflicts"] == []


def test_actors_that_resolve_a_setting_differently_are_a_signature_conflict():
    """One configuration, two machines: `auto` resolves to bf16 on one and fp32 on the other, so the
    job's omission scores come two ways, and the summary says so (a metric not requested does not)."""
    from lacuna.client.signatures import conflict_messages
    from lacuna.ray_engine import signature_conflicts

    def caps(precision: str) -> str:
        return json.dumps({"omission": [f"omission|word-alignment:yes|token-precision:{precision}|weights:ab"],
                           "bleu": ["nrefs:1|tok:13a|version:2.4.0", "nrefs:1|tok:zh|version:2.4.0"],
                           "addition": [f"addition|token-precision:{precision}"]})

    assert signature_conflicts([caps("bf16"), caps("bf16")], ["omission", "bleu"]) == []
    (conflict,) = signature_conflicts([caps("bf16"), caps("fp32")], ["omission", "bleu"])
    assert conflict["metric"] == "omission" and len(conflict["signatures"]) == 2  # bleu's two tokenizers agree
    assert "token-precision:fp32" in conflict_messages([conflict])[0]


def test_killed_ray_job_resumes_without_losing_or_repeating(local_ray, tmp_path):
    rows = many(48)
    job = write_job(tmp_path / "job.jsonl", rows)
    out = tmp_path / "out.jsonl"
    args = [job, "--engine", "ray", "--ray-address", local_ray, "--pipeline-args=--no-omission",
            "--block-size", "4", "--ray-actors", "2", "-o", str(out), "-q"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "lacuna.client.cli", "score", *args, "--ray-block-delay", "0.7"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.read_text(encoding="utf-8").count("\n") >= 8:
                break
            time.sleep(0.1)
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    before = read_jsonl(out) if out.read_text(encoding="utf-8").endswith("\n") else read_jsonl(out)[:-1]
    assert 8 <= len(before) < len(rows)

    summary = tmp_path / "summary.json"
    assert main([*args, "--summary", str(summary)]) == 0
    after = read_jsonl(out)
    ids = [r["id"] for r in after]
    assert sorted(ids) == sorted(r[0] for r in rows)  # nothing lost, nothing twice
    assert [r["id"] for r in after[:len(before)]] == [r["id"] for r in before]  # kept, not rewritten
    run = json.loads(summary.read_text())["run"]
    assert run["resumed"] == len(before) and run["scored"] == len(rows) - len(before)
    assert json.loads(summary.read_text())["segments"] == len(rows)


def test_parquet_directories_in_and_out(local_ray, tmp_path):
    rows = many(10)
    rows[9] = (*rows[9][:2], "Zeile 99 des langen Auftrags liest sich gut.", *rows[9][3:])  # a number_mismatch
    inputs = tmp_path / "inputs.parquet"
    inputs.mkdir()
    for part, chunk in enumerate((rows[:6], rows[6:])):
        table = pa.table({"id": [r[0] for r in chunk], "source": [r[1] for r in chunk],
                          "translation": [r[2] for r in chunk], "reference": [r[3] for r in chunk],
                          "src_lang": ["en"] * len(chunk), "tgt_lang": ["de"] * len(chunk),
                          "labels": pa.array([[("project", "pq")]] * len(chunk), pa.map_(pa.string(), pa.string()))})
        pq.write_table(table, inputs / f"part-{part}.parquet")
    out = tmp_path / "results.parquet"
    args = [str(inputs), "--engine", "ray", "--pipeline-args=--no-omission", "--block-size", "4",
            "-o", str(out), "-q"]
    report = tmp_path / "report.html"
    assert main([*args, "--html", str(report)]) == 0
    assert "seg009" in report.read_text(encoding="utf-8")  # the flagged segment, from the Ray results
    records = list(results_parquet.read_records(str(out)))
    assert sorted(r["id"] for r in records) == [r[0] for r in rows]
    assert all(r["labels"] == {"project": "pq"} and r["source_file"].endswith(".parquet") for r in records)
    table = pq.read_table(str(out))
    assert table.num_rows == 10 and table.column("bleu").null_count == 0
    assert table.column("passed").to_pylist().count(False) == 1
    summary = tmp_path / "summary.json"
    assert main([*args, "--summary", str(summary)]) == 0  # rerun: all there, nothing scored again
    assert json.loads(summary.read_text())["run"]["scored"] == 0
    assert len(list(results_parquet.read_records(str(out)))) == 10


def test_bad_engine_options_are_usage_errors(tmp_path, capsys):
    job = write_job(tmp_path / "job.jsonl", many(2))
    assert main([job, "--engine", "ray", "--ray-address", "ray://head:10001"]) == 2
    assert "Ray Client" in capsys.readouterr().err
    assert main([job, "--engine", "ray", "--pipeline-args=--max-chars -1"]) == 2
    assert "--max-chars" in capsys.readouterr().err
    assert main([job, "--engine", "ray", "--block-size", "0"]) == 2
    assert main([job, "--engine", "ray", "--server", "127.0.0.1:50051"]) == 2
    assert "--engine ray scores without one" in capsys.readouterr().err
