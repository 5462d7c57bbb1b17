"""Real server processes: SIGTERM drains within the grace, and a batch job survives a server
killed and restarted in the middle of it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time


from lacuna.client import Client, LacunaError
from tests.conftest import REPO
from tests.test_service_limits import document


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, *flags: str) -> subprocess.Popen:
    env = dict(os.environ, LACUNA_LOG_FORMAT="json")
    return subprocess.Popen([sys.executable, "-m", "lacuna.server", "--port", str(port), *flags], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_sigterm_with_work_in_flight_exits_within_the_grace(tmp_path):
    port, grace = free_port(), 2.0
    proc = start(port, "--shutdown-grace", str(grace), "--no-omission-word-alignment")
    outcome: dict = {}
    try:
        with Client(f"127.0.0.1:{port}", timeout=120) as client:
            client.wait_ready(timeout=90)
            client.score([{"id": "warm", "source": "Good night.", "translation": "Gute Nacht.",
                           "src_lang": "en", "tgt_lang": "de"}])

            def long_call():
                try:
                    client.score([{"id": "doc", "source": document(600, 3), "translation": document(600, 4),
                                   "src_lang": "en", "tgt_lang": "en"}], request_id="in-flight")
                    outcome["code"] = "OK"
                except LacunaError as err:
                    outcome["code"] = err.code.name

            caller = threading.Thread(target=long_call)
            caller.start()
            time.sleep(1.5)  # the document is being encoded
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=grace + 20)
            exited = time.monotonic() - sent
            caller.join(1)
    finally:
        stop(proc)
    stderr = proc.stderr.read()
    assert proc.returncode == 0, stderr[-2000:]
    assert exited <= grace + 1.0, (exited, stderr[-3000:])
    assert outcome.get("code") != "OK", outcome  # cancelled (or still waiting for a server that is gone)
    events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    logged = [e for e in events if e.get("request_id") == "in-flight"]
    assert logged and logged[0]["status"] == "CANCELLED", logged  # never OK for abandoned work
    assert [e["event"] for e in events][-1] == "server_stopped"


def test_the_batch_client_survives_a_server_restart_mid_job(tmp_path):
    port = free_port()
    count = 1500
    job = tmp_path / "job.jsonl"
    with job.open("w") as fh:
        for i in range(count):
            fh.write(json.dumps({"id": f"s{i}", "source": f"Line {i} of the manual.", "translation":
                                 f"Zeile {i} des Handbuchs.", "src_lang": "en", "tgt_lang": "de"}) + "\n")
    out = tmp_path / "out.jsonl"
    server = start(port, "--no-omission")
    client = None
    try:
        with Client(f"127.0.0.1:{port}") as probe:
            probe.wait_ready(timeout=60)
        client = subprocess.Popen(
            [sys.executable, "-m", "lacuna.client.cli", "score", str(job), "--server", f"127.0.0.1:{port}",
             "--output", str(out), "--quiet", "--batch-size", "2", "--streams", "1", "--window", "1",
             "--retries", "2", "--reconnect-timeout", "60", "--timeout", "30"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        deadline = time.monotonic() + 60
        while (not out.exists() or len(out.read_text().splitlines()) < 100) and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # no drain: connections reset mid-stream
        server.wait(10)
        time.sleep(2.0)  # longer than the client's few quick retries
        assert client.poll() is None, "the client gave up while the server was down"
        server = start(port, "--no-omission")
        stdout, stderr = client.communicate(timeout=120)
    finally:
        stop(server)
        if client is not None and client.poll() is None:
            client.kill()
    assert client.returncode == 0, stderr[-2000:]
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert len(ids) == count and set(ids) == {f"s{i}" for i in range(count)}  # nothing lost, nothing twice
