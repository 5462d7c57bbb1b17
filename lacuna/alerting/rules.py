"""The alert-rules file: loading and validation.

    channels:
      translators-slack: {type: slack, url_env: SLACK_WEBHOOK_URL}
      qa-hook: {type: webhook, url_env: QA_WEBHOOK_URL, timeout: 5, retries: 3}
    rules:
      - name: omissions
        measure: flag_count          # flag_count | failed_share | error_share | mean_score
        flag_type: omission          # flag_count: which flags (any when absent)
        min_severity: major          # flag_count: minor (default), major or critical
        op: ">="                     # > >= < <=
        threshold: 3                 # a number; shares also take "5%"
        window: 500 segments         # job (default) | 15m | 2h | 500 segments
        group_by: [tgt_lang]         # src_lang, tgt_lang, lang_pair, labels.NAME
        where: {labels.project: web} # the same keys; a value or a list of values
        min_segments: 50             # evaluate only over at least this many segments
        channels: [translators-slack]

Every problem is reported as `FILE: rule NAME: KEY: what is wrong`.
"""

from __future__ import annotations

import os
import pathlib
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import yaml

from lacuna.severity import SEVERITY_RANK

MEASURES = {
    "flag_count": "flags",
    "failed_share": "share of segments that did not pass",
    "error_share": "share of segments that could not be scored",
    "mean_score": "mean score",
}
OPS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
CHANNEL_TYPES = ("slack", "webhook")
RULE_KEYS = {"name", "description", "measure", "flag_type", "min_severity", "score", "op", "threshold", "window",
             "group_by", "where", "min_segments", "channels", "link"}
CHANNEL_KEYS = {"type", "url_env", "timeout", "retries", "backoff"}
TOP_KEYS = {"channels", "rules", "defaults", "link"}
DEFAULT_KEYS = {"channels", "window", "min_segments", "link"}
_FIELD_KEY = re.compile(r"^(src_lang|tgt_lang|lang_pair|labels\.[A-Za-z0-9_.\-]+)$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)\s*$")
_SEGMENTS = re.compile(r"^\s*(\d+)\s*(segments?)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file, the rule and the key."""


@dataclass(frozen=True)
class Window:
    """`job` (the whole batch job), a duration in seconds, or a number of segments."""

    kind: str  # "job" | "time" | "count"
    size: float = 0

    def describe(self) -> str:
        if self.kind == "job":
            return "the whole job"
        if self.kind == "count":
            return f"the last {int(self.size)} segments"
        seconds = self.size
        for unit, div in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds >= div and seconds % div == 0:
                return f"the last {int(seconds // div)}{unit}"
        return f"the last {seconds:g}s"


@dataclass(frozen=True)
class Channel:
    name: str
    type: str
    url_env: str
    timeout: float = 5.0
    retries: int = 3
    backoff: float = 0.5

    def url(self) -> str | None:
        value = os.environ.get(self.url_env, "").strip()
        return value or None


@dataclass(frozen=True)
class Rule:
    name: str
    measure: str
    op: str
    threshold: float
    window: Window
    channels: tuple[str, ...]
    description: str = ""
    flag_type: str | None = None
    min_severity: str = "minor"
    score: str | None = None
    group_by: tuple[str, ...] = ()
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    min_segments: int = 1
    link: str | None = None

    def breached(self, value: float) -> bool:
        return OPS[self.op](value, self.threshold)

    def describe_measure(self) -> str:
        if self.measure == "flag_count":
            what = f"{self.flag_type} flags" if self.flag_type else "flags"
            return what + (f" ({self.min_severity} or worse)" if self.min_severity != "minor" else "")
        if self.measure == "mean_score":
            return f"mean {self.score}"
        return MEASURES[self.measure]

    def format_value(self, value: float) -> str:
        if self.measure.endswith("_share"):
            return f"{value * 100:.1f}%"
        if self.measure == "flag_count":
            return str(int(value))
        return f"{value:.4g}"


@dataclass(frozen=True)
class RuleSet:
    path: str
    rules: tuple[Rule, ...]
    channels: Mapping[str, Channel]

    def missing_secrets(self) -> list[str]:
        """`channel NAME: environment variable X is not set` for each channel without its URL."""
        return [f"channel {c.name!r}: environment variable {c.url_env} is not set"
                for c in self.channels.values() if c.url() is None]


def parse_window(text: Any) -> Window:
    if isinstance(text, str):
        if text.strip().lower() == "job":
            return Window("job")
        m = _SEGMENTS.match(text)
        if m and int(m.group(1)) > 0:
            return Window("count", int(m.group(1)))
        m = _DURATION.match(text)
        if m and float(m.group(1)) > 0:
            return Window("time", float(m.group(1)) * _UNIT_SECONDS[m.group(2)])
    raise ValueError(f"must be 'job', a duration like '15m', '30s', '2h', or a count like '500 segments', got {text!r}")


def _parse_threshold(value: Any, measure: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%") and measure.endswith("_share"):
            try:
                return float(text[:-1]) / 100
            except ValueError:
                pass
        else:
            try:
                return float(text)
            except ValueError:
                pass
    hint = " or a percentage like '5%'" if measure.endswith("_share") else ""
    raise ValueError(f"must be a number{hint}, got {value!r}")


class _Context:
    def __init__(self, path: str):
        self.path = path

    def error(self, where: str, key: str, message: str) -> RulesError:
        return RulesError(f"{self.path}: {where}: {key}: {message}")


def _check_keys(ctx: _Context, where: str, data: Mapping, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise ctx.error(where, str(key), f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _field_keys(ctx: _Context, where: str, key: str, value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, str) or not _FIELD_KEY.match(item):
            raise ctx.error(where, key, f"{item!r} is not src_lang, tgt_lang, lang_pair or labels.NAME")
        out.append(item)
    return tuple(out)


def _parse_channel(ctx: _Context, name: str, data: Any) -> Channel:
    where = f"channel {name!r}"
    if not isinstance(data, dict):
        raise ctx.error(where, "type", "a channel is a mapping like {type: slack, url_env: SLACK_WEBHOOK_URL}")
    _check_keys(ctx, where, data, CHANNEL_KEYS)
    kind = data.get("type")
    if kind not in CHANNEL_TYPES:
        raise ctx.error(where, "type", f"must be one of {', '.join(CHANNEL_TYPES)}, got {kind!r}")
    url_env = data.get("url_env")
    if not isinstance(url_env, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", url_env):
        raise ctx.error(where, "url_env", "the name of the environment variable holding the webhook URL "
                                          f"(URLs are secrets and never go in the file), got {url_env!r}")
    values = {}
    for key, typ, low in (("timeout", float, 0.01), ("retries", int, 0), ("backoff", float, 0.0)):
        if key in data:
            raw = data[key]
            if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < low or (typ is int and raw != int(raw)):
                raise ctx.error(where, key, f"must be a {'whole ' if typ is int else ''}number >= {low:g}, got {raw!r}")
            values[key] = typ(raw)
    return Channel(name=name, type=kind, url_env=url_env, **values)


def _parse_rule(ctx: _Context, index: int, data: Any, defaults: Mapping, channels: Mapping[str, Channel],
                seen: set[str]) -> Rule:
    if not isinstance(data, dict):
        raise ctx.error(f"rules[{index}]", "name", "each rule is a mapping with at least name, measure, op, threshold")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ctx.error(f"rules[{index}]", "name", "every rule needs a name")
    where = f"rule {name!r}"
    if name in seen:
        raise ctx.error(where, "name", "two rules have this name")
    seen.add(name)
    _check_keys(ctx, where, data, RULE_KEYS)
    measure = data.get("measure")
    if measure not in MEASURES:
        raise ctx.error(where, "measure", f"must be one of {', '.join(MEASURES)}, got {measure!r}")
    op = str(data.get("op", "")).strip()
    if op not in OPS:
        raise ctx.error(where, "op", f"must be one of {' '.join(OPS)} (quote it in YAML), got {data.get('op')!r}")
    if "threshold" not in data:
        raise ctx.error(where, "threshold", "missing")
    try:
        threshold = _parse_threshold(data["threshold"], measure)
    except ValueError as exc:
        raise ctx.error(where, "threshold", str(exc)) from None
    try:
        window = parse_window(data.get("window", defaults.get("window", "job")))
    except ValueError as exc:
        raise ctx.error(where, "window", str(exc)) from None
    flag_type = data.get("flag_type")
    min_severity = data.get("min_severity", "minor")
    score = data.get("score")
    if measure == "flag_count":
        if flag_type is not None and (not isinstance(flag_type, str) or not flag_type):
            raise ctx.error(where, "flag_type", f"a flag type like omission, got {flag_type!r}")
        if min_severity not in SEVERITY_RANK:
            raise ctx.error(where, "min_severity", f"must be minor, major or critical, got {min_severity!r}")
    else:
        for key in ("flag_type", "min_severity"):
            if key in data:
                raise ctx.error(where, key, "only applies to measure: flag_count")
    if measure == "mean_score":
        if not isinstance(score, str) or not score:
            raise ctx.error(where, "score", "measure: mean_score needs the score's name, e.g. score: comet")
    elif "score" in data:
        raise ctx.error(where, "score", "only applies to measure: mean_score")
    min_segments = data.get("min_segments", defaults.get("min_segments", 1))
    if isinstance(min_segments, bool) or not isinstance(min_segments, int) or min_segments < 1:
        raise ctx.error(where, "min_segments", f"must be a whole number >= 1, got {min_segments!r}")
    group_by = _field_keys(ctx, where, "group_by", data["group_by"]) if "group_by" in data else ()
    where_filter: dict[str, tuple[str, ...]] = {}
    if "where" in data:
        if not isinstance(data["where"], dict):
            raise ctx.error(where, "where", "a mapping like {labels.project: web, tgt_lang: [ja, ko]}")
        for key, value in data["where"].items():
            _field_keys(ctx, where, "where", key)
            values = value if isinstance(value, list) else [value]
            if not values or any(isinstance(v, (dict, list)) or v is None for v in values):
                raise ctx.error(where, f"where.{key}", f"a value or a list of values, got {value!r}")
            where_filter[key] = tuple(str(v) for v in values)
    names = data.get("channels", defaults.get("channels"))
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names:
        raise ctx.error(where, "channels", "list the channels to alert (or set defaults.channels)")
    for ch in names:
        if ch not in channels:
            known = ", ".join(sorted(channels)) or "none defined"
            raise ctx.error(where, "channels", f"no channel named {ch!r} (channels: {known})")
    description = data.get("description", "")
    link = data.get("link", defaults.get("link"))
    for key, value in (("description", description), ("link", link)):
        if value is not None and not isinstance(value, str):
            raise ctx.error(where, key, f"must be text, got {value!r}")
    return Rule(name=name, measure=measure, op=op, threshold=threshold, window=window, channels=tuple(names),
                description=description, flag_type=flag_type if measure == "flag_count" else None,
                min_severity=min_severity if measure == "flag_count" else "minor", score=score,
                group_by=group_by, where=where_filter, min_segments=min_segments, link=link)


def parse_rules(data: Any, path: str = "<rules>") -> RuleSet:
    ctx = _Context(path)
    if not isinstance(data, dict):
        raise RulesError(f"{path}: the file must be a mapping with 'channels' and 'rules'")
    _check_keys(ctx, "top level", data, TOP_KEYS)
    raw_channels = data.get("channels") or {}
    if not isinstance(raw_channels, dict):
        raise ctx.error("top level", "channels", "a mapping of channel name -> {type, url_env}")
    channels = {str(name): _parse_channel(ctx, str(name), spec) for name, spec in raw_channels.items()}
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ctx.error("top level", "defaults", "a mapping")
    _check_keys(ctx, "defaults", defaults, DEFAULT_KEYS)
    if "link" in data:
        defaults = {**defaults, "link": data["link"]}
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ctx.error("top level", "rules", "a non-empty list of rules")
    seen: set[str] = set()
    rules = tuple(_parse_rule(ctx, i, r, defaults, channels, seen) for i, r in enumerate(raw_rules))
    return RuleSet(path=path, rules=rules, channels=channels)


def load_rules(path: str | os.PathLike) -> RuleSet:
    """Read and validate a rules file; raises RulesError with file, rule and key on any problem."""
    p = pathlib.Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{p}: cannot read the rules file ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RulesError(f"{p}: not valid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    return parse_rules(data, str(p))
