"""Alert rules over the traffic a server scores (`lacuna-server --alert-rules rules.yaml`)."""

from __future__ import annotations

import os
from collections import deque
from typing import Sequence

import grpc
import structlog

from lacuna.alerting.delivery import BackgroundSender
from lacuna.alerting.engine import AlertEngine
from lacuna.alerting.observation import Observation
from lacuna.alerting.rules import RulesError, RuleSet, load_rules
from lacuna.server.config import ConfigError

log = structlog.get_logger("lacuna.alerting")


class ServerAlerts:
    """An Observer: rolling windows over scored segments; alerts go out from a background thread."""

    def __init__(self, ruleset: RuleSet, origin: str = "lacuna-server"):
        self.ruleset = ruleset
        self.engine = AlertEngine(ruleset, mode="server", origin=origin)
        self.sender = BackgroundSender(ruleset)
        self.fired: deque = deque(maxlen=1000)  # the most recent alerts, for inspection

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "ServerAlerts":
        """Load and validate the rules; a missing webhook secret stops the server at start, not at the first alert."""
        try:
            ruleset = load_rules(path)
            missing = ruleset.missing_secrets()
            if missing:
                raise RulesError(f"{path}: " + "; ".join(missing))
        except RulesError as exc:
            raise ConfigError(f"--alert-rules: {exc}") from None
        log.info("alert_rules_loaded", path=str(path), rules=[r.name for r in ruleset.rules],
                 channels=sorted(ruleset.channels))
        return cls(ruleset)

    def observe(self, method: str, segments: Sequence, outcomes: Sequence) -> None:
        observations = [Observation.from_segment(s, o) for s, o in zip(segments, outcomes)]
        for alert in self.engine.feed(observations):
            log.warning("alert_fired", rule=alert.rule, group=alert.group, value=alert.value_text,
                        threshold=alert.threshold_text, window=alert.window)
            self.fired.append(alert)
            self.sender.submit(alert)

    def observe_call(self, method: str, code: grpc.StatusCode, seconds: float) -> None:
        pass  # rules look at segments, not calls

    def close(self, timeout: float = 10.0) -> None:
        self.sender.close(timeout)
