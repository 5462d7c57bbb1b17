"""Sending alerts: HTTP POST with a timeout and retries, inline or from a background thread."""

from __future__ import annotations

import json
import queue
from collections import deque
import random
import threading
import time
import urllib.error
import urllib.request

import structlog

from lacuna.alerting.alert import Alert, Delivery
from lacuna.alerting.channels import PAYLOADS
from lacuna.alerting.rules import Channel, RuleSet

log = structlog.get_logger("lacuna.alerting")

RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
USER_AGENT = "lacuna-alerts/1"


def post_json(url: str, payload: dict, timeout: float = 5.0, retries: int = 3, backoff: float = 0.5,
              stop: threading.Event | None = None) -> tuple[bool, int, int | None, str]:
    """POST `payload`; retry on timeouts, connection errors, 408/429/5xx. Returns (ok, attempts, status, error)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    status: int | None = None
    error = ""
    attempts = 0
    for attempt in range(retries + 1):
        attempts = attempt + 1
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json", "User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
                response.read()
            return True, attempts, status, ""
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code}"
            if exc.code not in RETRY_STATUSES:
                break
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            status = None
            reason = getattr(exc, "reason", exc)
            error = f"{type(reason).__name__}: {reason}"
        if attempt < retries:
            delay = backoff * (2 ** attempt) * (0.8 + 0.4 * random.random())
            if stop is not None:
                if stop.wait(delay):
                    break
            else:
                time.sleep(delay)
    return False, attempts, status, error


def deliver(alert: Alert, channels: dict[str, Channel], stop: threading.Event | None = None) -> list[Delivery]:
    """Send one alert to each of its channels; never raises."""
    results = []
    for name in alert.channels:
        channel = channels[name]
        url = channel.url()
        if url is None:
            d = Delivery(name, False, 0, None, f"environment variable {channel.url_env} is not set")
        else:
            try:
                payload = PAYLOADS[channel.type](alert)
                ok, attempts, status, error = post_json(url, payload, channel.timeout, channel.retries,
                                                        channel.backoff, stop)
                d = Delivery(name, ok, attempts, status, error)
            except Exception as exc:  # a broken channel must not take the caller down
                d = Delivery(name, False, 0, None, f"{type(exc).__name__}: {exc}")
        (log.info if d.ok else log.warning)("alert_delivery", rule=alert.rule, group=alert.group, channel=name,
                                            ok=d.ok, attempts=d.attempts, status=d.status, error=d.error or None)
        results.append(d)
    alert.deliveries.extend(results)
    return results


class BackgroundSender:
    """Delivers alerts from a daemon thread so that scoring never waits for a webhook.

    `submit` never blocks: when the queue is full the alert is dropped and logged.
    `close(timeout)` delivers what is queued until the timeout, then gives up.
    """

    def __init__(self, ruleset: RuleSet, max_queue: int = 1000):
        self.channels = dict(ruleset.channels)
        self._queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self._stop = threading.Event()
        self.sent: deque[Alert] = deque(maxlen=1000)  # the most recent deliveries
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="lacuna-alerts", daemon=True)
        self._thread.start()

    def submit(self, alert: Alert) -> bool:
        if self._closed:
            log.error("alert_dropped", rule=alert.rule, group=alert.group, reason="server is stopping")
            return False
        try:
            self._queue.put_nowait(alert)
            return True
        except queue.Full:
            log.error("alert_dropped", rule=alert.rule, group=alert.group, reason="delivery queue full")
            return False

    def _run(self) -> None:
        while True:
            alert = self._queue.get()
            if alert is None:
                self._queue.task_done()
                return
            try:
                deliver(alert, self.channels, self._stop)
                self.sent.append(alert)
            finally:
                self._queue.task_done()

    def close(self, timeout: float = 10.0) -> None:
        if self._closed:
            return
        self._closed = True
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        self._stop.set()  # cut retry waits short
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join(max(0.0, deadline - time.monotonic()) + 0.5)
