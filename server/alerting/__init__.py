"""The server's alerts: `lacuna-server --alert-rules rules.yaml` judges rolling windows over
the traffic it scores. The rules, windows and channels are `lacuna.alerting`, shared with
the batch client."""

from lacuna.alerting import (
    Alert,
    AlertEngine,
    Delivery,
    RuleSet,
    RulesError,
    evaluate_job,
    load_rules,
    parse_rules,
    run_job_alerts,
)
from lacuna.server.alerting.server_alerts import ServerAlerts

__all__ = ["Alert", "AlertEngine", "Delivery", "RuleSet", "RulesError", "ServerAlerts", "evaluate_job",
           "load_rules", "parse_rules", "run_job_alerts"]
