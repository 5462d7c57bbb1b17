"""Evaluates rules over windows of observations, one alert per condition per window.

Each (rule, group) pair keeps a window with running sums, so adding a segment and
checking the condition cost O(1). A condition fires once per window and group:
after it fires, it stays quiet until a whole window of new data has passed
(`window: 500 segments` -> 500 more segments; `15m` -> 15 minutes), even when it
clears and holds again in between, so a measure that hovers at its threshold
while concurrent requests feed it posts one message, not one per crossing.
`window: job` rules are evaluated once, at the end of a batch job.

The segments an alert names are the worst of those that counted towards it, in
the shared worst-first order (`lacuna.worst_order`); a `mean_score` rule names
its lowest (or, for an upper limit, highest) scores.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Callable, Iterable

import structlog

from lacuna.alerting.alert import Alert
from lacuna.alerting.observation import Observation
from lacuna.alerting.report_url import link_for
from lacuna.alerting.rules import Rule, RuleSet
from lacuna.severity import severity_rank

log = structlog.get_logger("lacuna.alerting")

WORST_KEPT = 3
CANDIDATES_KEPT = 200
TIME_BUCKETS = 300  # time windows keep at most this many buckets of sums
MAX_GROUPS = 10_000  # groups tracked per rule (group_by on a label with endless values)


def contribution(rule: Rule, obs: Observation) -> tuple[float, float]:
    """(numerator, denominator) this segment adds to the rule's measure."""
    if rule.measure == "flag_count":
        floor = severity_rank(rule.min_severity)
        n = sum(1 for t, sev, _ in obs.flags
                if (rule.flag_type is None or t == rule.flag_type) and severity_rank(sev) >= floor)
        return float(n), 1.0
    if rule.measure == "failed_share":
        return (0.0 if obs.passed else 1.0), 1.0
    if rule.measure == "error_share":
        return (1.0 if obs.error else 0.0), 1.0
    value = obs.scores.get(rule.score)  # mean_score
    if value is None or math.isnan(value):
        return 0.0, 0.0
    return float(value), 1.0


def counted_flags(rule: Rule, obs: Observation) -> Counter | None:
    """The flags ("type/severity") behind this segment's contribution, for the alert's counts."""
    if not obs.flags and not obs.error:
        return None  # most segments: nothing to count
    if rule.measure == "flag_count":
        floor = severity_rank(rule.min_severity)
        found = Counter(f"{t}/{sev}" for t, sev, _ in obs.flags
                        if (rule.flag_type is None or t == rule.flag_type) and severity_rank(sev) >= floor)
    elif rule.measure == "failed_share" and not obs.passed:
        found = Counter(f"{t}/{sev}" for t, sev, _ in obs.flags)
    elif rule.measure == "error_share" and obs.error:
        found = Counter({"not scored": 1})
    else:
        return None
    return found or None


def measure_value(rule: Rule, num: float, den: float) -> float:
    return num if rule.measure == "flag_count" else num / den


@dataclass
class _WindowState:
    """Running sums over one (rule, group) window, and whether its alert has fired."""

    rule: Rule
    entries: deque = field(default_factory=deque)  # [time or seq, num, den, Counter of flags or None]
    num: float = 0.0
    den: float = 0.0
    seen: int = 0  # segments ever added (count windows)
    firing: bool = False
    fired_mark: float = 0.0  # time or `seen` when it fired
    candidates: deque = field(default_factory=lambda: deque(maxlen=CANDIDATES_KEPT))
    counts: Counter = field(default_factory=Counter)  # the counted flags in the window

    def add(self, now: float, num: float, den: float, obs: Observation) -> None:
        self.seen += 1
        self.num += num
        self.den += den
        flags = counted_flags(self.rule, obs)
        if flags:
            self.counts.update(flags)
        w = self.rule.window
        if w.kind == "time":
            width = max(1.0, w.size / TIME_BUCKETS)
            bucket = math.floor(now / width) * width
            if self.entries and self.entries[-1][0] == bucket:
                last = self.entries[-1]
                last[1] += num
                last[2] += den
                if flags:
                    last[3] = flags + last[3] if last[3] else Counter(flags)
            else:
                self.entries.append([bucket, num, den, flags])
        elif w.kind == "count":
            self.entries.append([self.seen, num, den, flags])
        if den and (num or self.rule.measure == "mean_score"):
            self.candidates.append((now, self.seen, num, obs))
        self.evict(now)

    def evict(self, now: float) -> None:
        w = self.rule.window
        while self.entries:
            mark = self.entries[0][0]
            stale = (w.kind == "time" and mark <= now - w.size) or (w.kind == "count" and mark <= self.seen - w.size)
            if not stale:
                break
            _, num, den, flags = self.entries.popleft()
            self.num -= num
            self.den -= den
            if flags:
                self.counts.subtract(flags)
        if not self.entries and w.kind != "job":
            self.num = self.den = 0.0  # no float drift once empty
            self.counts.clear()

    def ready(self) -> bool:
        w = self.rule.window
        if w.kind == "count" and self.seen < w.size:
            return False  # a count window is judged once it is full
        return self.den >= self.rule.min_segments and self.den > 0

    def rolled(self, now: float) -> bool:
        w = self.rule.window
        if w.kind == "time":
            return now - self.fired_mark >= w.size
        if w.kind == "count":
            return self.seen - self.fired_mark >= w.size
        return False

    def worst(self, now: float) -> list[Observation]:
        w = self.rule.window
        live = [c for c in self.candidates
                if (w.kind != "time" or c[0] > now - w.size) and (w.kind != "count" or c[1] > self.seen - w.size)]
        if self.rule.measure == "mean_score":
            low_is_bad = self.rule.op in ("<", "<=")
            live.sort(key=lambda c: c[3].scores.get(self.rule.score, 0.0), reverse=not low_is_bad)
        else:
            live.sort(key=lambda c: (c[3].worst_key(), c[1]))
        return [c[3] for c in live[:WORST_KEPT]]


class AlertEngine:
    """Feeds observations through every rule; returns the alerts that fire.

    mode "batch": every rule applies; `job` windows are judged by `finish()`.
    mode "server": rules with `window: job` are skipped (the server has no job).
    """

    def __init__(self, ruleset: RuleSet, mode: str = "server", origin: str = "lacuna-server",
                 report: str | None = None, clock: Callable[[], float] = time.monotonic, job: str | None = None):
        self.ruleset = ruleset
        self.mode = mode
        self.origin = origin
        self.report = report  # a URL (each alert links its group's view) or a local path
        self.job = job
        self.clock = clock
        self.rules = [r for r in ruleset.rules if mode == "batch" or r.window.kind != "job"]
        skipped = [r.name for r in ruleset.rules if r not in self.rules]
        if skipped:
            log.warning("alert_rules_skipped", rules=skipped,
                        reason="window: job applies to batch jobs; the server needs a rolling window")
        self._states: dict[tuple[str, tuple[str, ...]], _WindowState] = {}
        self._lock = threading.Lock()
        self._groups: dict[str, int] = {}
        self._full: set[str] = set()

    def _state(self, rule: Rule, key: tuple[str, ...]) -> _WindowState | None:
        state = self._states.get((rule.name, key))
        if state is None:
            if self._groups.get(rule.name, 0) >= MAX_GROUPS:
                if rule.name not in self._full:
                    self._full.add(rule.name)
                    log.warning("alert_groups_full", rule=rule.name, limit=MAX_GROUPS,
                                hint="group_by a key with fewer values")
                return None
            self._groups[rule.name] = self._groups.get(rule.name, 0) + 1
            state = self._states[(rule.name, key)] = _WindowState(rule)
        return state

    @staticmethod
    def _matches(rule: Rule, obs: Observation) -> bool:
        return all(obs.field(k) in values for k, values in rule.where.items())

    def feed(self, observations: Iterable[Observation], now: float | None = None) -> list[Alert]:
        now = self.clock() if now is None else now
        fired: list[Alert] = []
        with self._lock:
            for obs in observations:
                for rule in self.rules:
                    if not self._matches(rule, obs):
                        continue
                    key = tuple(obs.field(k) for k in rule.group_by)
                    state = self._state(rule, key)
                    if state is None:
                        continue
                    num, den = contribution(rule, obs)
                    state.add(now, num, den, obs)
                    if rule.window.kind != "job":
                        alert = self._judge(state, key, now)
                        if alert:
                            fired.append(alert)
        return fired

    def finish(self, now: float | None = None) -> list[Alert]:
        """Judge the `window: job` rules (batch mode, after the last segment)."""
        now = self.clock() if now is None else now
        fired = []
        with self._lock:
            for (name, key), state in self._states.items():
                if state.rule.window.kind == "job":
                    alert = self._judge(state, key, now)
                    if alert:
                        fired.append(alert)
        return fired

    def _judge(self, state: _WindowState, key: tuple[str, ...], now: float) -> Alert | None:
        rule = state.rule
        if not state.ready():
            return None
        value = measure_value(rule, state.num, state.den)
        if not rule.breached(value):
            return None
        if state.firing and not state.rolled(now):
            return None  # fired in this window already
        state.firing = True
        state.fired_mark = now if rule.window.kind == "time" else state.seen
        group = dict(zip(rule.group_by, key))
        return Alert(
            rule=rule.name, description=rule.description, measure=rule.describe_measure(),
            group=group, value=round(value, 6), value_text=rule.format_value(value),
            op=rule.op, threshold=rule.threshold, threshold_text=rule.format_value(rule.threshold),
            window=rule.window.describe(), segments=int(state.den), worst=[o.summary() for o in state.worst(now)],
            channels=rule.channels, origin=self.origin,
            fired_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            report=link_for(self.report, group), link=rule.link, job=self.job or group.get("labels.job"),
            counts={k: int(v) for k, v in state.counts.most_common() if v > 0})
