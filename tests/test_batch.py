"""`lacuna score` end to end against real servers on loopback: the results file, the
summary, exit codes, resume after SIGKILL, two servers sharing the load."""

from __future__ import annotations

import csv
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import types

import pytest
from sacrebleu.metrics import BLEU, CHRF

from lacuna.client.batch import main

RESULT_KEYS = {"id", "scores", "flags", "passed", "src_lang", "tgt_lang", "source_file", "source",
               "translation", "labels"}

# (id, source, translation, reference) -- English to German, written for these tests.
CLEAN = [
    ("door", "Please close the door behind you.", "Bitte schließen Sie die Tür hinter sich.",
     "Bitte schließe die Tür hinter dir."),
    ("lamp", "The lamp in the hall is broken.", "Die Lampe im Flur ist kaputt.", "Die Lampe im Flur ist defekt."),
    ("tea", "We drink tea every afternoon.", "Wir trinken jeden Nachmittag Tee.",
     "Wir trinken jeden Nachmittag Tee."),
    ("map", "The old map shows a hidden lake.", "Die alte Karte zeigt einen versteckten See.",
     "Die alte Landkarte zeigt einen verborgenen See."),
]
NUMBERS = ("apples", "She bought 12 apples at the market.", "Sie kaufte 15 Äpfel auf dem Markt.",
           "Sie kaufte 12 Äpfel auf dem Markt.")


class CountingObserver:
    """Counts the segments a server scores; optionally slows every batch down."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.segments = 0
        self.lock = threading.Lock()

    def observe(self, method, segments, outcomes) -> None:
        with self.lock:
            self.segments += len(segments)
        if self.delay:
            time.sleep(self.delay)

    def observe_call(self, method, code, seconds) -> None:
        pass


def write_jsonl(path, rows, src="en", tgt="de", **extra):
    with open(path, "w", encoding="utf-8") as f:
        for seg_id, source, translation, reference in rows:
            obj = {"id": seg_id, "source": source, "translation": translation, "src_lang": src, "tgt_lang": tgt}
            if reference is not None:
                obj["reference"] = reference
            obj.update(extra)
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return str(path)


def read_results(path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def many_rows(n: int) -> list[tuple]:
    return [(f"seg{i:04d}", f"Line {i} of the long job reads well.", f"Zeile {i} des langen Auftrags liest sich gut.",
             f"Zeile {i} des langen Auftrags liest sich gut.") for i in range(n)]


@pytest.fixture
def server(start_server):
    return start_server(omission=False)


def test_jsonl_and_xliff_end_to_end(server, tmp_path, capsys):
    jsonl = write_jsonl(tmp_path / "job.jsonl", CLEAN + [NUMBERS])
    xlf = tmp_path / "menu.xlf"
    xlf.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
        '<file original="menu" source-language="en" target-language="fr" datatype="plaintext"><body>\n'
        '<trans-unit id="save"><source>Save the file</source><target>Enregistrer le fichier</target></trans-unit>\n'
        '</body></file></xliff>\n', encoding="utf-8")
    out, summary_path = tmp_path / "results.jsonl", tmp_path / "summary.json"
    rc = main([jsonl, str(xlf), "--server", server.address, "--metrics", "bleu,chrf", "-o", str(out),
               "--summary", str(summary_path), "--label", "job=demo", "--progress-interval", "0"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    results = read_results(out)
    by_id = {r["id"]: r for r in results}
    assert set(by_id) == {"door", "lamp", "tea", "map", "apples", f"{xlf.name}:save"}
    for rec in results:
        assert RESULT_KEYS <= set(rec), rec
        assert rec["labels"] == {"job": "demo"}
    door = by_id["door"]
    assert (door["src_lang"], door["tgt_lang"], door["source_file"]) == ("en", "de", jsonl)
    assert door["reference"] == CLEAN[0][3] and set(door["scores"]) == {"bleu", "chrf"}
    save = by_id[f"{xlf.name}:save"]
    assert (save["tgt_lang"], save["source"], save["scores"]) == ("fr", "Save the file", {})
    assert "reference" not in save
    apples = by_id["apples"]
    assert not apples["passed"]
    assert any(f["type"] == "number_mismatch" and f["severity"] == "major" for f in apples["flags"])

    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert (summary["segments"], summary["failed"], summary["errors"]) == (6, 1, 0)
    assert summary["flags_by_type"]["number_mismatch"] == 1
    pairs = {(p["src_lang"], p["tgt_lang"]): p for p in summary["pairs"]}
    assert set(pairs) == {("en", "de"), ("en", "fr")}
    rows = CLEAN + [NUMBERS]
    hyps, refs = [r[2] for r in rows], [r[3] for r in rows]
    corpus = pairs[("en", "de")]["corpus"]
    assert corpus["bleu"]["score"] == pytest.approx(BLEU().corpus_score(hyps, [refs]).score, abs=1e-3)
    assert corpus["chrf"]["score"] == pytest.approx(CHRF().corpus_score(hyps, [refs]).score, abs=1e-3)
    assert corpus["bleu"]["segments"] == 5 and corpus["bleu"]["method"] == "corpus"
    assert summary["worst_segments"][0]["id"] == "apples"
    assert summary["run"]["scored"] == 6
    # the text summary on stdout, plain progress lines on stderr (not a terminal)
    assert "segments: 6" in captured.out and "number_mismatch" in captured.out
    assert "scored 6/6 (100.0%)" in captured.err


def test_gates_set_the_exit_code(server, tmp_path, capsys):
    clean = write_jsonl(tmp_path / "clean.jsonl", CLEAN)
    flagged = write_jsonl(tmp_path / "flagged.jsonl", [NUMBERS])
    common = ["--server", server.address, "--metrics", "bleu,chrf", "-q"]
    assert main([clean, *common, "--fail-on", "minor", "--min", "chrf=20"]) == 0
    assert main([flagged, *common, "--fail-on", "major"]) == 1
    assert "GATE FAILED --fail-on major: 1 major" in capsys.readouterr().out
    assert main([flagged, *common, "--fail-on", "critical"]) == 0
    assert main([clean, *common, "--min", "bleu=99.5"]) == 1
    out = capsys.readouterr().out
    assert "GATE FAILED --min bleu=99.5: en->de has bleu" in out
    # --corpus-scores mean: the gate sees the mean of the segment scores
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "s.json"
    assert main([clean, *common, "-o", str(out), "--summary", str(summary_path), "--corpus-scores", "mean"]) == 0
    chrf = json.loads(summary_path.read_text())["pairs"][0]["corpus"]["chrf"]
    segment_chrf = [r["scores"]["chrf"] for r in read_results(out)]
    assert chrf["method"] == "mean" and chrf["score"] == pytest.approx(sum(segment_chrf) / 4, abs=1e-3)
    # a gate on a metric the job does not compute is a usage error
    assert main([clean, *common, "--min", "ter=10"]) == 2
    assert "ter" in capsys.readouterr().err


def test_input_errors_exit_2_or_are_skipped(server, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    good_line = json.dumps({"id": "ok", "source": "Good morning.", "translation": "Guten Morgen.",
                            "src_lang": "en", "tgt_lang": "de"})
    bad.write_text(good_line + "\n{not json\n" + json.dumps({"id": "x", "source": "No translation"}) + "\n",
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = [str(bad), "--server", server.address, "--metrics", "chrf", "-o", str(out), "-q"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{bad}: line 2: not valid JSON" in err and f"{bad}: line 3: missing key 'translation'" in err
    assert not out.exists()  # nothing scored
    assert main(args + ["--skip-invalid"]) == 0
    err = capsys.readouterr().err
    assert err.count("skipped") == 2
    assert [r["id"] for r in read_results(out)] == ["ok"]
    # duplicate ids across files, unknown metric, bad flag value, missing file
    dup = write_jsonl(tmp_path / "dup.jsonl", [("ok", "Hello.", "Hallo.", None)])
    assert main([str(bad), dup, "--server", server.address, "-q", "--skip-invalid"]) == 0
    assert "duplicate id 'ok'" in capsys.readouterr().err
    assert main([dup, "--server", server.address, "--metrics", "blue", "-q"]) == 2
    assert "does not offer 'blue'" in capsys.readouterr().err
    assert main([dup, "--server", server.address, "--min", "chrf"]) == 2
    assert main([str(tmp_path / "absent.tmx"), "--server", server.address]) == 2
    assert "absent.tmx: no such file" in capsys.readouterr().err


def test_unreachable_server_exits_3(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    job = write_jsonl(tmp_path / "job.jsonl", CLEAN)
    assert main([job, "--server", f"127.0.0.1:{port}", "--connect-timeout", "0.5", "-q"]) == 3
    assert "cannot reach the server" in capsys.readouterr().err


def test_segment_errors_are_recorded_and_counted(server, tmp_path, capsys):
    job = write_jsonl(tmp_path / "job.jsonl", CLEAN[:2])
    with open(job, "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "odd", "source": "Hello.", "translation": "Hallo.",
                            "src_lang": "en", "tgt_lang": "qq"}) + "\n")
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "s.json"
    rc = main([job, "--server", server.address, "--metrics", "chrf", "-o", str(out), "--summary",
               str(summary_path), "-q", "--fail-on", "critical"])
    assert rc == 1  # a segment that could not be checked fails a --fail-on gate
    by_id = {r["id"]: r for r in read_results(out)}
    assert set(by_id) == {"door", "lamp", "odd"}
    assert by_id["odd"]["error"]["code"] == "INVALID_ARGUMENT"
    assert by_id["odd"]["error"]["field"].endswith(".tgt_lang")
    assert by_id["odd"]["tgt_lang"] == "qq" and by_id["odd"]["passed"] is False
    summary = json.loads(summary_path.read_text())
    assert summary["errors"] == 1 and summary["errors_by_code"] == {"INVALID_ARGUMENT": 1}


def test_csv_output_and_resume(server, tmp_path, capsys):
    first = write_jsonl(tmp_path / "job.jsonl", CLEAN[:2])
    out, summary_path = tmp_path / "out.csv", tmp_path / "s.json"
    args = ["--server", server.address, "--metrics", "bleu,chrf", "-o", str(out), "--format-out", "csv", "-q",
            "--summary", str(summary_path)]
    assert main([first, *args]) == 0
    write_jsonl(tmp_path / "job.jsonl", CLEAN + [NUMBERS])  # the job grew
    with open(out, "a", encoding="utf-8") as f:  # and the last run was killed mid-row
        f.write('tea,job.jsonl,en,de,true,12.5,"Wir trinken')
    assert main([first, *args]) == 0
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["id"] for r in rows) == sorted(["door", "lamp", "tea", "map", "apples"])
    apples = next(r for r in rows if r["id"] == "apples")
    assert apples["passed"] == "false" and "number_mismatch/major" in apples["flags"]
    assert float(apples["chrf"]) > 0 and apples["reference"] == NUMBERS[3]
    summary = json.loads(summary_path.read_text())
    assert summary["run"]["resumed"] == 2 and summary["run"]["scored"] == 3
    assert summary["segments"] == 5 and summary["failed"] == 1  # resumed rows count in the summary
    # another run with other metrics cannot append to this CSV
    assert main([first, "--server", server.address, "--metrics", "chrf", "-o", str(out), "--format-out", "csv",
                 "-q"]) == 2
    assert "cannot resume" in capsys.readouterr().err


def test_resume_after_sigkill_scores_every_segment_exactly_once(server, tmp_path):
    slow = CountingObserver(delay=0.1)  # 150 batches over 2 streams: at least 7.5 s to finish
    server.service.observers.append(slow)
    total = 600
    job = write_jsonl(tmp_path / "long.jsonl", many_rows(total))
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "lacuna.client", job, "--server", server.address, "--metrics", "chrf",
           "-o", str(out), "--batch-size", "4", "--streams", "2", "--window", "2", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if out.exists() and out.read_bytes().count(b"\n") >= 40:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    done_at_kill = out.read_bytes().count(b"\n")
    assert 40 <= done_at_kill < total  # killed mid-run
    with open(out, "ab") as f:  # as if the kill had cut a line in half
        f.write(b'{"id": "seg0001", "scores": {"ch')
    server.service.observers.remove(slow)
    summary_path = tmp_path / "s.json"
    assert main([job, "--server", server.address, "--metrics", "chrf", "-o", str(out), "-q",
                 "--summary", str(summary_path)]) == 0
    ids = [r["id"] for r in read_results(out)]
    assert len(ids) == total and set(ids) == {f"seg{i:04d}" for i in range(total)}
    summary = json.loads(summary_path.read_text())
    assert summary["run"]["resumed"] == done_at_kill
    assert summary["run"]["scored"] == total - done_at_kill
    assert summary["segments"] == total


def test_two_servers_share_the_load(start_server, tmp_path):
    servers = [start_server(omission=False) for _ in range(2)]
    counters = [CountingObserver() for _ in servers]
    for srv, counter in zip(servers, counters):
        srv.service.observers.append(counter)
    job = write_jsonl(tmp_path / "job.jsonl", many_rows(160))
    out = tmp_path / "out.jsonl"
    rc = main([job, "--server", servers[0].address, "--server", servers[1].address, "--metrics", "chrf",
               "-o", str(out), "-q", "--batch-size", "5", "--streams", "4", "--batches-per-call", "2"])
    assert rc == 0
    assert len(read_results(out)) == 160
    assert all(c.segments > 0 for c in counters), [c.segments for c in counters]
    assert sum(c.segments for c in counters) == 160


def test_report_and_alert_hooks_get_every_record(server, tmp_path, monkeypatch):
    calls = {}
    report = types.ModuleType("lacuna.client.report")
    report.write_report = lambda records, out_path, title=None, **kw: calls.setdefault("report", (records, out_path))
    alerting = types.ModuleType("lacuna.alerting")

    def run_job_alerts(rules_path, records, report_path=None, job_name=None, report_url=None):
        calls["alerts"] = (rules_path, records, report_path, job_name)

    alerting.run_job_alerts = run_job_alerts
    monkeypatch.setitem(sys.modules, "lacuna.client.report", report)
    monkeypatch.setitem(sys.modules, "lacuna.alerting", alerting)
    job = write_jsonl(tmp_path / "job.jsonl", CLEAN[:2])
    out = tmp_path / "nightly.jsonl"
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: []\n", encoding="utf-8")
    html = tmp_path / "r.html"
    assert main([job, "--server", server.address, "--metrics", "chrf", "-o", str(out), "-q",
                 "--html", str(html), "--alerts", str(rules)]) == 0
    records, out_path = calls["report"]
    assert out_path == str(html) and sorted(r["id"] for r in records) == ["door", "lamp"]
    assert calls["alerts"][0] == str(rules) and calls["alerts"][2:] == (str(html), "nightly.jsonl")
    assert all(RESULT_KEYS <= set(r) for r in calls["alerts"][1])
    assert main([job, "--server", server.address, "-q", "--alerts", str(tmp_path / "absent.yaml")]) == 2


def test_a_server_lost_mid_run_is_retried_on_the_other(start_server, tmp_path):
    doomed, survivor = start_server(omission=False), start_server(omission=False)
    counters = [CountingObserver(delay=0.02), CountingObserver(delay=0.02)]
    doomed.service.observers.append(counters[0])
    survivor.service.observers.append(counters[1])

    def stop_when_busy():
        deadline = time.monotonic() + 30
        while counters[0].segments < 40 and time.monotonic() < deadline:
            time.sleep(0.005)
        doomed.stop(grace=None)

    stopper = threading.Thread(target=stop_when_busy)
    stopper.start()
    job = write_jsonl(tmp_path / "job.jsonl", many_rows(300))
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "s.json"
    rc = main([job, "--server", doomed.address, "--server", survivor.address, "--metrics", "chrf", "-o", str(out),
               "-q", "--batch-size", "4", "--summary", str(summary_path)])
    stopper.join()
    assert rc == 0
    ids = [r["id"] for r in read_results(out)]
    assert len(ids) == 300 and len(set(ids)) == 300
    assert 40 <= counters[0].segments < 300 and counters[1].segments > 0
    assert json.loads(summary_path.read_text())["run"]["retried_calls"] >= 1


def test_progress_bar_on_a_terminal_lines_otherwise_nothing_when_quiet(server, tmp_path, capsys):
    import io

    from lacuna.client.progress import BarProgress, LineProgress, QuietProgress, make_progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    bar = make_progress(5, 1, stream=term)
    assert isinstance(bar, BarProgress)
    for _ in range(4):
        bar.update()
    bar.close()
    assert "5/5" in term.getvalue() and "seg/s" in term.getvalue()
    assert isinstance(make_progress(5, quiet=True, stream=term), QuietProgress)
    plain = io.StringIO()
    lines = make_progress(4, stream=plain, interval=0)
    assert isinstance(lines, LineProgress)
    for _ in range(4):
        lines.update()
    lines.close()
    assert plain.getvalue().splitlines()[-1].startswith("scored 4/4 (100.0%)")
    assert "ETA" in plain.getvalue()
    # through the command: --quiet writes nothing to stderr; a threshold adds low_score flags
    job = write_jsonl(tmp_path / "job.jsonl", CLEAN)
    out = tmp_path / "out.csv"
    assert main([job, "--server", server.address, "--metrics", "chrf", "--threshold", "chrf=99", "-o", str(out),
                 "-q"]) == 0
    assert capsys.readouterr().err == ""
    with open(out, encoding="utf-8", newline="") as f:  # .csv output -> CSV without --format-out
        rows = list(csv.DictReader(f))
    assert {r["id"]: "low_score/major" in r["flags"] for r in rows} == {
        "door": True, "lamp": True, "tea": False, "map": True}
    assert main([job, "--server", server.address, "--threshold", "chrff=3", "-q"]) == 2
    assert "--threshold: the server does not offer 'chrff'" in capsys.readouterr().err


def test_per_call_deadline(server, tmp_path, capsys):
    server.service.observers.append(CountingObserver(delay=1.0))
    job = write_jsonl(tmp_path / "job.jsonl", CLEAN)
    out = tmp_path / "out.jsonl"
    assert main([job, "--server", server.address, "--metrics", "chrf", "-o", str(out), "-q",
                 "--timeout", "0.3", "--retries", "0"]) == 3
    err = capsys.readouterr().err
    assert "DEADLINE_EXCEEDED" in err and "rerun to resume" in err


def test_an_overloaded_server_is_retried_with_backoff(server, tmp_path, monkeypatch):
    from lacuna.server.pipeline import Overloaded

    score = server.pipeline.score
    refusals = []

    def refuse_twice(*args, **kwargs):
        if len(refusals) < 2:
            refusals.append(1)
            raise Overloaded("queue full (test)")
        return score(*args, **kwargs)

    monkeypatch.setattr(server.pipeline, "score", refuse_twice)
    job = write_jsonl(tmp_path / "job.jsonl", many_rows(40))
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "s.json"
    assert main([job, "--server", server.address, "--metrics", "chrf", "-o", str(out), "-q", "--batch-size", "4",
                 "--streams", "1", "--summary", str(summary_path)]) == 0
    assert len(refusals) == 2
    ids = [r["id"] for r in read_results(out)]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert json.loads(summary_path.read_text())["run"]["retried_calls"] == 2


def test_two_runs_cannot_write_the_same_output(server, tmp_path, capsys):
    from lacuna.client.results import OutputLock

    job = write_jsonl(tmp_path / "job.jsonl", CLEAN)
    out = tmp_path / "out.jsonl"
    held = OutputLock(str(out)).acquire()  # as if another run were writing it
    try:
        assert main([job, "--server", server.address, "--metrics", "chrf", "-o", str(out), "-q"]) == 2
        assert "another lacuna score is writing it" in capsys.readouterr().err
    finally:
        held.release()
    assert main([job, "--server", server.address, "--metrics", "chrf", "-o", str(out), "-q"]) == 0
    assert main([job, "--server", server.address, "--metrics", "chrf", "-o", str(out), "-q", "--fresh"]) == 0
    assert sorted(r["id"] for r in read_results(out)) == ["door", "lamp", "map", "tea"]


def test_resume_never_truncates_a_file_it_did_not_write(server, tmp_path, capsys):
    job = write_jsonl(tmp_path / "job.jsonl", CLEAN)
    jsonl_out, csv_out = tmp_path / "out.jsonl", tmp_path / "out.csv"
    common = [job, "--server", server.address, "--metrics", "chrf", "-q"]
    assert main([*common, "-o", str(jsonl_out)]) == 0
    assert main([*common, "-o", str(csv_out)]) == 0
    before = {p: p.read_bytes() for p in (jsonl_out, csv_out)}
    # the other format's file, an edited CSV, a JSONL file with a broken line in the middle
    assert main([*common, "-o", str(jsonl_out), "--format-out", "csv"]) == 2
    assert main([*common, "-o", str(csv_out), "--format-out", "jsonl"]) == 2
    edited = csv_out.read_text(encoding="utf-8").splitlines(keepends=True)
    edited[1] = edited[1].replace(",", ";", 1)
    csv_out.write_text("".join(edited), encoding="utf-8")
    assert main([*common, "-o", str(csv_out)]) == 2
    lines = jsonl_out.read_text(encoding="utf-8").splitlines(keepends=True)
    jsonl_out.write_text(lines[0] + "garbage\n" + "".join(lines[1:]), encoding="utf-8")
    assert main([*common, "-o", str(jsonl_out)]) == 2
    err = capsys.readouterr().err
    assert "line 2 is not a results record" in err and "row 2 is not as lacuna score wrote it" in err
    assert len(jsonl_out.read_bytes()) == len(before[jsonl_out]) + len(b"garbage\n")
    assert csv_out.read_text(encoding="utf-8") == "".join(edited)


def test_tsv_tmx_and_po_through_the_server(server, tmp_path):
    tsv = tmp_path / "strings.tsv"
    tsv.write_text("key\ten\tja\tref\n"
                   "k1\tThe train leaves at nine.\t電車は九時に出ます。\t電車は九時に出発します。\n"
                   "k2\tOpen the window.\t窓を開けてください。\t窓を開けて。\n", encoding="utf-8")
    tmx = tmp_path / "memory.tmx"
    tmx.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t" '
                   'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" '
                   'datatype="plaintext"/><body>\n<tu tuid="bird"><tuv xml:lang="en"><seg>A bird sings.</seg></tuv>'
                   '<tuv xml:lang="es"><seg>Un pájaro canta.</seg></tuv></tu>\n</body></tmx>\n', encoding="utf-8")
    po = tmp_path / "ui.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: it\\n"\n"X-Source-Language: en\\n"\n\n'
                  'msgid "Good night"\nmsgstr "Buona notte"\n', encoding="utf-8")
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "s.json"
    rc = main([str(tsv), "--src-lang", "en", "--tgt-lang", "ja", "--id-column", "key", "--source-column", "en",
               "--translation-column", "ja", "--reference-column", "ref", "--server", server.address,
               "--metrics", "bleu,chrf", "-o", str(out), "--summary", str(summary_path), "-q"])
    assert rc == 0
    rc = main([str(tmx), str(po), "--server", server.address, "--metrics", "chrf", "-o", str(tmp_path / "o2.jsonl"),
               "-q"])
    assert rc == 0
    by_id = {r["id"]: r for r in read_results(out)}
    assert set(by_id) == {"k1", "k2"} and by_id["k1"]["tgt_lang"] == "ja"
    assert by_id["k1"]["reference"] == "電車は九時に出発します。" and "bleu" in by_id["k1"]["scores"]
    bleu = json.loads(summary_path.read_text())["pairs"][0]["corpus"]["bleu"]
    assert "tok:ja-mecab" in bleu["signature"] and bleu["segments"] == 2
    others = {r["id"]: r for r in read_results(tmp_path / "o2.jsonl")}
    assert {(i, r["src_lang"], r["tgt_lang"]) for i, r in others.items()} == {
        (f"{tmx.name}:bird", "en", "es"), (f"{po.name}:6", "en", "it")}
    assert all("error" not in r and r["passed"] for r in others.values())
    assert all("chrf" not in r["scores"] for r in others.values())  # no references: no chrF
