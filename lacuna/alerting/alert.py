"""A fired alert: which rule, for which group, the value that broke the threshold, the flags
behind it, the three worst segments and where the report is."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Delivery:
    channel: str
    ok: bool
    attempts: int
    status: int | None = None
    error: str = ""


@dataclass
class Alert:
    rule: str
    description: str
    measure: str  # e.g. "omission flags (major or worse)"
    group: dict[str, str]
    value: float
    value_text: str
    op: str
    threshold: float
    threshold_text: str
    window: str  # e.g. "the last 500 segments"
    segments: int  # segments in the window that the measure counted
    worst: list[dict]
    channels: tuple[str, ...]
    origin: str  # "batch job NAME" or "lacuna-server"
    fired_at: str  # ISO 8601, UTC
    report: str | None = None  # the report: a URL the team can open, or a path on the machine that ran the job
    link: str | None = None
    job: str | None = None  # the batch job's name (or the group's labels.job)
    counts: dict[str, int] = field(default_factory=dict)  # "type/severity" -> flags behind the measure
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def group_text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.group.items()) if self.group else "all segments"

    def summary(self) -> str:
        return (f"{self.rule}: {self.measure} {self.value_text} {self.op} {self.threshold_text} "
                f"over {self.window} ({self.group_text}; {self.segments} segments) in {self.origin}")

    @property
    def report_is_url(self) -> bool:
        return bool(self.report) and self.report.startswith(("http://", "https://"))

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("deliveries")
        out["channels"] = list(self.channels)
        out["summary"] = self.summary()
        return out
