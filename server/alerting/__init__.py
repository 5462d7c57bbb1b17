"""Alert rules over scored segments: a batch job's results or the server's rolling windows.

    run_job_alerts("rules.yaml", records, report_path="report.html", job_name="weekly")
    lacuna-server --alert-rules rules.yaml     # ServerAlerts.from_file(path), an Observer

See `lacuna.server.alerting.rules` for the file format.
"""

from lacuna.server.alerting.alert import Alert, Delivery
from lacuna.server.alerting.engine import AlertEngine
from lacuna.server.alerting.job import evaluate_job, run_job_alerts
from lacuna.server.alerting.rules import RulesError, RuleSet, load_rules, parse_rules
from lacuna.server.alerting.server_alerts import ServerAlerts

__all__ = ["Alert", "AlertEngine", "Delivery", "RuleSet", "RulesError", "ServerAlerts", "evaluate_job",
           "load_rules", "parse_rules", "run_job_alerts"]
