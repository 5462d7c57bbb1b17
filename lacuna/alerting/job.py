"""Alerts at the end of a batch job (`lacuna score ... --alerts rules.yaml`)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Mapping

from lacuna.alerting.alert import Alert
from lacuna.alerting.delivery import deliver
from lacuna.alerting.engine import AlertEngine
from lacuna.alerting.observation import Observation
from lacuna.alerting.rules import RuleSet, load_rules


def evaluate_job(ruleset: RuleSet, records: Iterable[Mapping], report_path: str | None = None,
                 job_name: str | None = None, report_url: str | None = None) -> list[Alert]:
    """The alerts a finished job raises, without sending them.

    Records are taken in order: `N segments` windows slide over them; time windows
    and `job` cover the whole job (results files carry no timestamps). `report_url`
    (an expanded --report-url) is where the team opens the report; without it the
    alert names the local report file.
    """
    origin = f"batch job {job_name}" if job_name else "batch job"
    report = report_url
    if report is None and report_path:
        report = str(report_path) if "://" in str(report_path) else os.path.abspath(report_path)
    engine = AlertEngine(ruleset, mode="batch", origin=origin, report=report, clock=lambda: 0.0, job=job_name)
    alerts = engine.feed(Observation.from_record(r) for r in records)
    alerts.extend(engine.finish())
    return alerts


def run_job_alerts(rules_path: str | os.PathLike, records: list[dict], report_path: str | None = None,
                   job_name: str | None = None, report_url: str | None = None) -> list[Alert]:
    """Evaluate the rules over a finished job's records and deliver every alert; returns them,
    each with `.deliveries`. Raises RulesError for a bad rules file; delivery failures are
    recorded (and logged), never raised."""
    ruleset = load_rules(rules_path)
    alerts = evaluate_job(ruleset, records, report_path, job_name, report_url)
    if alerts:
        with ThreadPoolExecutor(max_workers=min(8, len(alerts)), thread_name_prefix="lacuna-alerts") as pool:
            list(pool.map(lambda a: deliver(a, dict(ruleset.channels)), alerts))
    return alerts
