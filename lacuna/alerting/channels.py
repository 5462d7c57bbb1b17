"""What each channel type receives: Slack Block Kit messages and a generic JSON body."""

from __future__ import annotations

from lacuna.alerting.alert import Alert

SLACK_TEXT_LIMIT = 2900  # Slack rejects section text over 3000 characters
SNIPPET = 160


def _slack_escape(text: str) -> str:
    """Slack mrkdwn needs &, < and > escaped; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _snippet(text: str, limit: int = SNIPPET) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(alert: Alert) -> dict:
    """An incoming-webhook message: header, summary, the worst segments, a pointer to the report."""
    e = _slack_escape
    title = f":rotating_light: {alert.rule}" + (f" · {alert.job}" if alert.job else "")
    summary = (f"*{e(alert.measure)}* is *{e(alert.value_text)}* ({e(alert.op)} {e(alert.threshold_text)}) "
               f"over {e(alert.window)}")
    if alert.description:
        summary += f"\n{e(alert.description)}"
    if alert.counts:
        summary += "\n*Counted:* " + ", ".join(f"{e(k)} {v}" for k, v in alert.counts.items())
    fields = [
        {"type": "mrkdwn", "text": f"*Where*\n{e(alert.group_text)}"},
        {"type": "mrkdwn", "text": f"*Segments*\n{alert.segments}"},
        {"type": "mrkdwn", "text": f"*From*\n{e(alert.origin)}"},
        {"type": "mrkdwn", "text": f"*Fired*\n{e(alert.fired_at)}"},
    ]
    if alert.job:
        fields.insert(0, {"type": "mrkdwn", "text": f"*Job*\n{e(alert.job)}"})
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": _snippet(title, 150), "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": summary[:SLACK_TEXT_LIMIT]}},
        {"type": "section", "fields": fields},
    ]
    if alert.worst:
        blocks.append({"type": "divider"})
        lines = []
        for seg in alert.worst:
            flags = ", ".join(f"{f['type']} ({f['severity']})" for f in seg.get("flags", [])) or seg.get("error", "")
            lines.append(f"*{e(seg['id'])}* · {e(seg['lang_pair'])} · {e(flags)}\n"
                         f"> {e(_snippet(seg['source']))}\n> → {e(_snippet(seg['translation']))}")
        text = "*Worst segments*\n" + "\n".join(lines)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_TEXT_LIMIT]}})
    pointers = []
    if alert.report:
        if alert.report_is_url:
            pointers.append(f"<{alert.report}|Open the report>")
        else:  # no --report-url: only the machine that ran the job has the file
            pointers.append(f"Report file on the machine that ran the job: `{e(alert.report)}` "
                            f"(give --report-url to link a published copy)")
    if alert.link:
        pointers.append(f"<{alert.link}|More>" if alert.link.startswith(("http://", "https://")) else e(alert.link))
    if pointers:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(pointers)}]})
    return {"text": alert.summary(), "blocks": blocks}


def webhook_payload(alert: Alert) -> dict:
    """A generic JSON webhook body: the alert's fields, versioned."""
    return {"kind": "lacuna.alert", "version": 1, **alert.to_dict()}


PAYLOADS = {"slack": slack_payload, "webhook": webhook_payload}
