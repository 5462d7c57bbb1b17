"""Alert rules over scored segments: a batch job's results or the server's rolling windows.

    run_job_alerts("rules.yaml", records, report_path="report.html", job_name="weekly")
    lacuna-server --alert-rules rules.yaml     # lacuna.server.alerting.ServerAlerts

Shared by the batch client and the server. See `lacuna.alerting.rules` for the file format.
"""

from lacuna.alerting.alert import Alert, Delivery
from lacuna.alerting.engine import AlertEngine
from lacuna.alerting.job import evaluate_job, run_job_alerts
from lacuna.alerting.rules import RulesError, RuleSet, load_rules, parse_rules

__all__ = ["Alert", "AlertEngine", "Delivery", "RuleSet", "RulesError", "evaluate_job", "load_rules",
           "parse_rules", "run_job_alerts"]
