"""Alert rules end to end: a webhook receiver on loopback, a batch job's records and a live server."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest

from lacuna.client import Client
from lacuna.client.client import result_to_json
from lacuna.alerting import RulesError, load_rules, run_job_alerts
from lacuna.server.config import ConfigError


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST; `statuses` are answered in turn (then 200)."""

    def __init__(self, statuses=(), delay: float = 0.0):
        self.posts: list[tuple[str, dict]] = []
        self.attempts = 0
        self.statuses = list(statuses)
        self.delay = delay
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.attempts += 1
                    status = outer.statuses.pop(0) if outer.statuses else 200
                if outer.delay:
                    time.sleep(outer.delay)
                if status == 200:
                    with outer.lock:
                        outer.posts.append((self.path, json.loads(body)))
                try:
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    def wait_for(self, n: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.posts) >= n:
                    break
            time.sleep(0.02)
        with self.lock:
            return list(self.posts)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    made = []

    def _make(**kw) -> Receiver:
        r = Receiver(**kw)
        made.append(r)
        return r

    yield _make
    for r in made:
        r.close()


def write_rules(tmp_path, text: str):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


RULES = """
channels:
  team-slack: {type: slack, url_env: TEST_SLACK_URL, timeout: 2, retries: 3, backoff: 0.05}
  qa-hook: {type: webhook, url_env: TEST_HOOK_URL, timeout: 2, retries: 3, backoff: 0.05}
rules:
  - name: empty-translations
    description: Translations came back empty.
    measure: flag_count
    flag_type: empty
    op: ">="
    threshold: 2
    window: {window}
    group_by: [tgt_lang]
    channels: [team-slack, qa-hook]
  - name: failing-share
    measure: failed_share
    op: ">"
    threshold: 50%
    window: {window}
    min_segments: 4
    where: {labels.project: shop}
    channels: [qa-hook]
"""

GOOD = [
    ("The cat sleeps on the sofa.", "Le chat dort sur le canapé.", "Die Katze schläft auf dem Sofa."),
    ("We close early on Friday.", "Nous fermons tôt vendredi.", "Wir schließen am Freitag früher."),
    ("Thank you for your patience.", "Merci de votre patience.", "Vielen Dank für Ihre Geduld."),
]


def segments(prefix: str, good: int, empty: int, tgt: str = "fr", project: str = "shop") -> list[dict]:
    out = []
    for i in range(good):
        src, fr, de = GOOD[i % len(GOOD)]
        out.append({"id": f"{prefix}-g{i}", "source": src, "translation": fr if tgt == "fr" else de,
                    "src_lang": "en", "tgt_lang": tgt, "labels": {"project": project}})
    for i in range(empty):
        out.append({"id": f"{prefix}-e{i}", "source": "Your parcel is on its way.", "translation": "",
                    "src_lang": "en", "tgt_lang": tgt, "labels": {"project": project}})
    return out


def score_records(client: Client, segs: list[dict]) -> list[dict]:
    """What `lacuna score --output` writes: the result's JSON plus the segment's fields."""
    response = client.score_pb(segs)
    records = []
    for seg, result in zip(segs, response.results):
        rec = result_to_json(result)
        rec.update({k: seg[k] for k in ("src_lang", "tgt_lang", "source", "translation")})
        rec["labels"] = seg.get("labels", {})
        records.append(rec)
    return records


@pytest.fixture
def hooks(receiver, monkeypatch):
    slack, hook = receiver(), receiver()
    monkeypatch.setenv("TEST_SLACK_URL", slack.url + "/slack")
    monkeypatch.setenv("TEST_HOOK_URL", hook.url + "/hook")
    return slack, hook


# -- batch jobs ------------------------------------------------------------------------------

def test_job_that_should_alert_sends_each_alert_once(start_server, hooks, tmp_path):
    slack, hook = hooks
    server = start_server(omission=False)
    with Client(server.address) as client:
        records = score_records(client, segments("fr", good=1, empty=4, tgt="fr")
                                + segments("de", good=3, empty=1, tgt="de"))
    rules = write_rules(tmp_path, RULES.replace("{window}", "job"))
    alerts = run_job_alerts(rules, records, report_path="out/report.html", job_name="nightly")

    # fr: 4 empty flags (>= 2); de: 1 (< 2). Project shop: 5 of 9 segments failed (55.6% > 50%).
    fired = sorted((a.rule, tuple(a.group.items())) for a in alerts)
    assert fired == [("empty-translations", (("tgt_lang", "fr"),)), ("failing-share", ())]
    assert all(d.ok for a in alerts for d in a.deliveries)

    slack_posts, hook_posts = slack.posts, hook.posts
    assert len(slack_posts) == 1 and len(hook_posts) == 2
    path, message = slack_posts[0]
    assert path == "/slack"
    assert "empty-translations" in message["text"]
    text = json.dumps(message["blocks"], ensure_ascii=False)
    assert "out/report.html" in text and "fr-e0" in text and "batch job nightly" in text
    bodies = {body["rule"]: body for _, body in hook_posts}
    assert bodies["empty-translations"]["value"] == 4 and bodies["empty-translations"]["group"] == {"tgt_lang": "fr"}
    assert bodies["failing-share"]["value"] == pytest.approx(5 / 9, abs=1e-5)
    assert bodies["failing-share"]["kind"] == "lacuna.alert"
    assert [s["id"] for s in bodies["empty-translations"]["worst"]] == ["fr-e0", "fr-e1", "fr-e2"]  # the three worst


def test_clean_job_sends_nothing(start_server, hooks, tmp_path):
    slack, hook = hooks
    server = start_server(omission=False)
    with Client(server.address) as client:
        records = score_records(client, segments("fr", good=6, empty=1, tgt="fr"))
    alerts = run_job_alerts(write_rules(tmp_path, RULES.replace("{window}", "job")), records)
    assert alerts == []
    assert slack.posts == [] and hook.posts == []


def test_count_window_alerts_once_per_window(hooks, tmp_path):
    slack, hook = hooks
    # 12 empty translations in a row; window of 4 segments, threshold 2 flags: the condition
    # holds from the 4th segment on, so it fires at 4, 8 and 12 (once per window), not 9 times.
    records = [{"id": f"s{i}", "src_lang": "en", "tgt_lang": "fr", "source": "Hi.", "translation": "",
                "passed": False, "flags": [{"type": "empty", "severity": "critical", "message": "empty"}]}
               for i in range(12)]
    rules = write_rules(tmp_path, RULES.replace("{window}", "4 segments"))
    alerts = [a for a in run_job_alerts(rules, records) if a.rule == "empty-translations"]
    assert [a.value for a in alerts] == [4, 4, 4]
    assert len(hook.wait_for(3)) == 3

    # Clears and re-arms: 4 clean segments, then 2 empty ones: one new alert.
    clean = [{"id": f"c{i}", "src_lang": "en", "tgt_lang": "fr", "passed": True, "flags": []} for i in range(4)]
    alerts = [a for a in run_job_alerts(rules, records[:4] + clean + records[:2]) if a.rule == "empty-translations"]
    assert len(alerts) == 2


def test_records_without_optional_keys_are_accepted(hooks, tmp_path):
    records = [{"id": "a"}, {"id": "b", "error": {"code": "INTERNAL", "message": "boom"}}, {}]
    rules = write_rules(tmp_path, """
channels: {hook: {type: webhook, url_env: TEST_HOOK_URL}}
rules:
  - {name: errors, measure: error_share, op: ">=", threshold: 30%, channels: [hook]}
""")
    alerts = run_job_alerts(rules, records)
    assert [(a.rule, a.value_text) for a in alerts] == [("errors", "33.3%")]


def test_failing_receiver_is_retried(receiver, monkeypatch, tmp_path):
    flaky = receiver(statuses=[500, 503])
    monkeypatch.setenv("TEST_HOOK_URL", flaky.url)
    monkeypatch.setenv("TEST_SLACK_URL", flaky.url)
    rules = write_rules(tmp_path, """
channels: {hook: {type: webhook, url_env: TEST_HOOK_URL, retries: 3, backoff: 0.01}}
rules:
  - {name: any-flag, measure: flag_count, op: ">=", threshold: 1, channels: [hook]}
""")
    records = [{"id": "x", "flags": [{"type": "empty", "severity": "critical"}], "passed": False}]
    [alert] = run_job_alerts(rules, records)
    assert [(d.ok, d.attempts, d.status) for d in alert.deliveries] == [(True, 3, 200)]
    assert flaky.attempts == 3 and len(flaky.posts) == 1

    down = receiver(statuses=[500] * 10)
    monkeypatch.setenv("TEST_HOOK_URL", down.url)
    [alert] = run_job_alerts(rules, records)
    assert [(d.ok, d.attempts, d.error) for d in alert.deliveries] == [(False, 4, "HTTP 500")]


# -- the server ------------------------------------------------------------------------------

def test_server_alerts_once_for_bad_traffic_and_never_for_good(start_server, hooks, tmp_path):
    slack, hook = hooks
    rules = write_rules(tmp_path, RULES.replace("{window}", "15m"))
    server = start_server(alert_rules=str(rules), omission=False)
    with Client(server.address) as client:
        client.score(segments("r1", good=2, empty=1) + segments("r1de", good=3, empty=0, tgt="de"))
        time.sleep(0.3)
        assert slack.posts == [] and hook.posts == []  # one empty flag: below the threshold
        client.score(segments("r2", good=0, empty=2))  # fr now has 3 empty flags, 3/8 failing
        client.score(segments("r3", good=0, empty=2))  # still firing: no second alert
        list(client.score_stream_pb([segments("r4", good=0, empty=1), segments("r5", good=3, empty=0, tgt="de")]))
    slack.wait_for(1)
    server.stop(grace=None)  # flushes the delivery queue
    assert len(slack.posts) == 1
    (_, message), = slack.posts
    assert "empty-translations" in message["text"] and "tgt_lang=fr" in message["text"]
    rules_fired = sorted(body["rule"] for _, body in hook.posts)
    # failing-share (shop, 15m): 1/6, 3/8, 5/10 (not > 50%), then 6/11 after r4 -> fires once.
    assert rules_fired == ["empty-translations", "failing-share"]
    by_rule = {body["rule"]: body for _, body in hook.posts}
    assert by_rule["empty-translations"]["value"] == 2  # fired as the second empty flag arrived
    assert by_rule["failing-share"]["value"] == pytest.approx(6 / 11, abs=1e-5)
    assert by_rule["empty-translations"]["origin"] == "lacuna-server"


def test_slow_receiver_never_blocks_scoring(start_server, receiver, monkeypatch, tmp_path):
    slow = receiver(delay=1.5)
    monkeypatch.setenv("TEST_HOOK_URL", slow.url)
    rules = write_rules(tmp_path, """
channels: {hook: {type: webhook, url_env: TEST_HOOK_URL, timeout: 0.3, retries: 1, backoff: 0.05}}
rules:
  - {name: any-empty, measure: flag_count, flag_type: empty, op: ">=", threshold: 1, window: 10 segments,
     channels: [hook]}
""")
    server = start_server(alert_rules=str(rules), omission=False)
    alerts = server.observers[0]
    with Client(server.address) as client:
        client.score(segments("warm", good=9, empty=0))  # loads the language detector; no alert
        started = time.perf_counter()
        for i in range(4):  # each call fires an alert (a new 10-segment window each time)
            client.score(segments(f"s{i}", good=9, empty=1))
        elapsed = time.perf_counter() - started
        delivered = len(alerts.sender.sent)
    # Delivering 4 alerts to this receiver takes 4 x 2 attempts x 0.3 s; scoring did not wait for it.
    assert len(alerts.fired) == 4
    assert delivered < 4 and elapsed < 2.0, (delivered, elapsed)
    server.stop(grace=None)
    assert slow.attempts >= 2  # the first alert was tried, timed out and retried


# -- the rules file --------------------------------------------------------------------------

@pytest.mark.parametrize("rule, key, words", [
    ("{name: r1, measure: flag_count, op: '>=', threshold: 2, colour: red, channels: [hook]}", "colour", "unknown key"),
    ("{name: r1, measure: median, op: '>=', threshold: 2, channels: [hook]}", "measure", "flag_count"),
    ("{name: r1, measure: flag_count, op: '=>', threshold: 2, channels: [hook]}", "op", ">="),
    ("{name: r1, measure: failed_share, op: '>', threshold: lots, channels: [hook]}", "threshold", "5%"),
    ("{name: r1, measure: flag_count, op: '>', threshold: 1, window: 15 parsecs, channels: [hook]}", "window", "15m"),
    ("{name: r1, measure: flag_count, op: '>', threshold: 1, channels: [pager]}", "channels", "pager"),
    ("{name: r1, measure: mean_score, op: '<', threshold: 0.5, channels: [hook]}", "score", "comet"),
    ("{name: r1, measure: flag_count, op: '>', threshold: 1, group_by: [country], channels: [hook]}",
     "group_by", "labels.NAME"),
    ("{name: r1, measure: flag_count, min_severity: huge, op: '>', threshold: 1, channels: [hook]}",
     "min_severity", "critical"),
])
def test_bad_rules_name_file_rule_and_key(tmp_path, rule, key, words):
    path = write_rules(tmp_path, "channels: {hook: {type: webhook, url_env: HOOK}}\nrules:\n  - " + rule + "\n")
    with pytest.raises(RulesError) as info:
        load_rules(path)
    message = str(info.value)
    assert str(path) in message and "rule 'r1'" in message and f": {key}:" in message and words in message


def test_bad_channels_and_yaml(tmp_path):
    path = write_rules(tmp_path, "channels: {hook: {type: webhook, url: 'https://x'}}\nrules: []\n")
    with pytest.raises(RulesError, match=r"channel 'hook': url: unknown key"):
        load_rules(path)
    path = write_rules(tmp_path, "channels: {hook: {type: webhook}}\nrules: []\n")
    with pytest.raises(RulesError, match=r"channel 'hook': url_env: .*environment variable"):
        load_rules(path)
    path = write_rules(tmp_path, "rules: [name: x\n")
    with pytest.raises(RulesError, match=r"not valid YAML at line"):
        load_rules(path)
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")


def test_server_refuses_bad_rules_and_missing_secrets(start_server, tmp_path, monkeypatch):
    bad = write_rules(tmp_path, "channels: {}\nrules:\n  - {name: x, measure: nope}\n")
    with pytest.raises(ConfigError, match=r"--alert-rules: .*rules.yaml: rule 'x': measure"):
        start_server(alert_rules=str(bad), omission=False)
    monkeypatch.delenv("TEST_HOOK_URL", raising=False)
    rules = tmp_path / "secret.yaml"
    rules.write_text("channels: {hook: {type: webhook, url_env: TEST_HOOK_URL}}\n"
                     "rules: [{name: x, measure: flag_count, op: '>', threshold: 1, window: 5m, channels: [hook]}]\n")
    with pytest.raises(ConfigError, match="TEST_HOOK_URL is not set"):
        start_server(alert_rules=str(rules), omission=False)


def test_example_rules_file_is_valid():
    from tests.conftest import REPO

    ruleset = load_rules(REPO / "examples" / "alert-rules.yaml")
    assert {r.window.kind for r in ruleset.rules} == {"job", "time", "count"}


def test_mean_score_per_language_pair(hooks, tmp_path):
    _, hook = hooks
    rules = write_rules(tmp_path, """
channels: {hook: {type: webhook, url_env: TEST_HOOK_URL}}
rules:
  - {name: low-chrf, measure: mean_score, score: chrf, op: "<", threshold: 50, min_segments: 3,
     group_by: [lang_pair], channels: [hook]}
""")
    chrf = {"fr": [20, 35, 62, 41], "de": [80, 75, 30, 90], "ja": [10, 12]}  # ja: too few segments
    records = [{"id": f"{tgt}{i}", "src_lang": "en", "tgt_lang": tgt, "passed": True, "flags": [],
                "scores": {"chrf": v}} for tgt, values in chrf.items() for i, v in enumerate(values)]
    records.append({"id": "fr-noscore", "src_lang": "en", "tgt_lang": "fr", "passed": True, "scores": {}})
    [alert] = run_job_alerts(rules, records)
    assert alert.group == {"lang_pair": "en-fr"} and alert.value == pytest.approx(39.5) and alert.segments == 4
    assert [s["id"] for s in alert.worst] == ["fr0", "fr1", "fr3"]  # the three lowest, lowest first
    assert [body["value_text"] for _, body in hook.posts] == ["39.5"]


def test_time_window_fires_once_until_it_clears_or_rolls(tmp_path):
    from lacuna.alerting import AlertEngine
    from lacuna.alerting.observation import Observation

    rules = load_rules(write_rules(tmp_path, """
channels: {hook: {type: webhook, url_env: UNUSED}}
rules:
  - {name: omissions, measure: flag_count, flag_type: omission, op: ">=", threshold: 2, window: 10m,
     channels: [hook]}
"""))
    engine = AlertEngine(rules, mode="server", clock=lambda: 0.0)
    bad = Observation(id="b", src_lang="en", tgt_lang="fr", passed=False, error=False,
                      flags=(("omission", "major", "m"),))
    good = Observation(id="g", src_lang="en", tgt_lang="fr", passed=True, error=False)
    fired = []
    for minute, obs in [(0, bad), (1, bad), (2, bad), (5, bad), (9, good),  # fires at 1, then holds
                        (10.5, bad), (10.9, good),  # still >= 2 in the last 10m, < 10m since it fired
                        (11.5, bad),  # over 10 minutes since it fired: the window rolled, fires again
                        (25, good), (26, bad), (27, bad)]:  # cleared (old flags left), then fires again
        fired += [(minute, a.value) for a in engine.feed([obs], now=minute * 60)]
    assert fired == [(1, 2), (11.5, 4), (27, 2)]


# -- once per window and group, under concurrency; where the alert points -------------------

BURST_RULES = """
channels: {hook: {type: webhook, url_env: TEST_HOOK_URL, timeout: 2, retries: 2, backoff: 0.05}}
rules:
  - {name: failing, measure: failed_share, op: ">", threshold: 50%, window: 15m, group_by: [tgt_lang],
     channels: [hook]}
  - {name: empties, measure: flag_count, flag_type: empty, op: ">=", threshold: 10, window: 19 segments,
     group_by: [tgt_lang], channels: [hook]}
"""


def test_burst_of_concurrent_requests_alerts_once_per_window_and_group(start_server, receiver, monkeypatch,
                                                                       tmp_path):
    """Each request sends, per target language, an empty translation then a good one, so both
    measures cross their thresholds and fall back with every request (the failing share goes
    over 50% and back to 50%; the last 19 segments hold 10 empty flags, then 9). Sixteen such
    requests, six at a time, must give one message per rule and language, not one per crossing."""
    from concurrent.futures import ThreadPoolExecutor

    hook = receiver()
    monkeypatch.setenv("TEST_HOOK_URL", hook.url)
    server = start_server(alert_rules=str(write_rules(tmp_path, BURST_RULES)), omission=False)

    def request(n: int) -> None:
        batch = []
        for tgt, good in (("fr", GOOD[n % 3][1]), ("de", GOOD[n % 3][2])):
            batch.append({"id": f"{tgt}-{n}-empty", "source": GOOD[n % 3][0], "translation": "",
                          "src_lang": "en", "tgt_lang": tgt})
            batch.append({"id": f"{tgt}-{n}-good", "source": GOOD[n % 3][0], "translation": good,
                          "src_lang": "en", "tgt_lang": tgt})
        with Client(server.address) as client:
            client.score(batch)

    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:  # within the server's admission limit (8 worker threads)
        list(pool.map(request, range(16)))
    assert time.monotonic() - started < 60
    hook.wait_for(4)
    server.stop(grace=None)  # flushes the delivery queue
    time.sleep(0.2)
    messages = sorted((body["rule"], body["group"]["tgt_lang"]) for _, body in hook.posts)
    assert messages == [("empties", "de"), ("empties", "fr"), ("failing", "de"), ("failing", "fr")]
    for _, body in hook.posts:
        assert 1 <= len(body["worst"]) <= 3
        assert all(w["id"].endswith("-empty") for w in body["worst"])
        assert body["counts"] in ({"empty/critical": 10}, {"empty/critical": 1})


def test_alert_links_the_published_report_with_job_counts_and_worst(start_server, hooks, tmp_path, capsys):
    from lacuna.client.batch import main as score_main

    slack, hook = hooks
    server = start_server(omission=False)
    job = tmp_path / "job.jsonl"
    rows = ([{"id": f"fr{i}", "source": GOOD[i % 3][0], "translation": "" if i < 4 else GOOD[i % 3][1],
              "src_lang": "en", "tgt_lang": "fr", "labels": {"project": "shop"}} for i in range(6)])
    job.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    rules = write_rules(tmp_path, RULES.replace("{window}", "job"))
    base = [str(job), "--server", server.address, "--alerts", str(rules), "--job-name", "weekly fr",
            "--html", str(tmp_path / "r.html"), "--quiet"]
    assert score_main(base + ["--report-url", "https://reports.example.com/{unknown}/r.html"]) == 2
    assert "unknown field {unknown}" in capsys.readouterr().err
    assert score_main(base + ["--report-url", "https://reports.example.com/{job}/{report}"]) == 0
    [(_, message)] = slack.wait_for(1)
    text = json.dumps(message, ensure_ascii=False)
    url = "https://reports.example.com/weekly%20fr/r.html#tgt=fr"
    assert f"<{url}|Open the report>" in text
    assert "weekly fr" in message["blocks"][0]["text"]["text"] and "*Job*\\nweekly fr" in text
    assert "empty/critical 4" in text
    bodies = {body["rule"]: body for _, body in hook.wait_for(2)}
    empties = bodies["empty-translations"]
    assert empties["job"] == "weekly fr" and empties["counts"] == {"empty/critical": 4}
    assert [w["id"] for w in empties["worst"]] == ["fr0", "fr1", "fr2"]
    assert empties["report"] == url
