"""The Python client for the Lacuna service.

    from lacuna.client import Client
    with Client("127.0.0.1:50051") as client:
        result = client.score([{"id": "1", "source": "Hello.", "translation": "Bonjour.",
                                "src_lang": "en", "tgt_lang": "fr"}])
        for seg in result.segments:
            print(seg.id, seg.passed, seg.scores, [f.type for f in seg.flags])

Several servers (`Client(["10.0.0.1:50051", "10.0.0.2:50051"])`) or one DNS
name that resolves to many (`Client("dns:///lacuna.internal:50051")`) share the
load with gRPC's round-robin policy; calls that fail with UNAVAILABLE are
retried with exponential backoff.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping, Sequence

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lacuna.proto import service_pb2, service_pb2_grpc, types_pb2

SERVICE = "lacuna.v1.Lacuna"


# -- typed results -------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Flag:
    type: str
    severity: str
    confidence: float
    message: str
    detector: str
    source_span: Span | None = None
    target_span: Span | None = None


@dataclass(frozen=True)
class SegmentError:
    code: str
    field: str
    message: str


@dataclass(frozen=True)
class SegmentResult:
    id: str
    scores: dict[str, float]
    flags: list[Flag]
    passed: bool
    error: SegmentError | None = None

    @classmethod
    def from_pb(cls, pb: types_pb2.SegmentResult) -> "SegmentResult":
        flags = [
            Flag(f.type, f.severity, f.confidence, f.message, f.detector,
                 Span(f.source_span.start, f.source_span.end) if f.HasField("source_span") else None,
                 Span(f.target_span.start, f.target_span.end) if f.HasField("target_span") else None)
            for f in pb.flags
        ]
        error = SegmentError(pb.error.code, pb.error.field, pb.error.message) if pb.HasField("error") else None
        return cls(pb.id, dict(pb.scores), flags, pb.passed, error)


@dataclass(frozen=True)
class CorpusScore:
    metric: str
    score: float
    signature: str
    segments: int
    src_lang: str
    tgt_lang: str

    @classmethod
    def from_pb(cls, pb: types_pb2.CorpusScore) -> "CorpusScore":
        return cls(pb.metric, pb.score, pb.signature, pb.segments, pb.src_lang, pb.tgt_lang)


@dataclass
class ScoreResult:
    segments: list[SegmentResult]
    corpus: list[CorpusScore] = field(default_factory=list)
    request_id: str = ""

    def __getitem__(self, seg_id: str) -> SegmentResult:
        for seg in self.segments:
            if seg.id == seg_id:
                return seg
        raise KeyError(seg_id)


class LacunaError(Exception):
    """A failed call: the gRPC status code, the server's message and the field at fault."""

    def __init__(self, code: grpc.StatusCode, message: str, field: str = ""):
        super().__init__(f"{code.name}: {message}")
        self.code, self.message, self.field = code, message, field

    @classmethod
    def from_rpc_error(cls, err: grpc.RpcError) -> "LacunaError":
        field_name = ""
        try:
            status = rpc_status.from_call(err)
        except Exception:
            status = None
        if status is not None:
            for detail in status.details:
                bad = error_details_pb2.BadRequest()
                if detail.Unpack(bad) and bad.field_violations:
                    field_name = bad.field_violations[0].field
        return cls(err.code(), err.details() or "", field_name)


# -- building requests ---------------------------------------------------------------------

def to_segment(item: types_pb2.Segment | Mapping) -> types_pb2.Segment:
    """A `lacuna.v1.Segment` from a message or a dict with the same field names."""
    if isinstance(item, types_pb2.Segment):
        return item
    seg = types_pb2.Segment(
        id=str(item.get("id", "")), source=item.get("source") or "", translation=item.get("translation") or "",
        src_lang=item.get("src_lang") or "", tgt_lang=item.get("tgt_lang") or "",
    )
    if item.get("reference") is not None:
        seg.reference = item["reference"]
    for k, v in (item.get("labels") or {}).items():
        seg.labels[str(k)] = str(v)
    for side in ("source_codes", "target_codes"):
        for code in item.get(side) or ():
            getattr(seg, side).add(**code)
    if item.get("max_length"):
        seg.max_length = int(item["max_length"])
    return seg


def to_options(metrics: Sequence[str] | None = None,
               thresholds: Mapping[str, float] | None = None, *, placeholder_styles: Sequence[str] = (),
               placeholder_patterns: Sequence[str] = (), max_length: int = 0) -> types_pb2.ScoreOptions:
    return types_pb2.ScoreOptions(metrics=list(metrics or ()), thresholds=dict(thresholds or {}),
                                  placeholder_styles=list(placeholder_styles),
                                  placeholder_patterns=list(placeholder_patterns), max_length=max_length)


def result_to_json(result: types_pb2.SegmentResult) -> dict:
    """The protobuf JSON form of a segment result (snake_case names, every field present)."""
    return json_format.MessageToDict(result, preserving_proto_field_name=True,
                                     including_default_value_fields=True)


# -- channels ------------------------------------------------------------------------------

def _service_config(retries: int) -> str:
    return json.dumps({
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [{
            "name": [{"service": SERVICE}, {"service": "grpc.health.v1.Health"}],
            "retryPolicy": {
                "maxAttempts": max(2, min(retries + 1, 5)),
                "initialBackoff": "0.2s", "maxBackoff": "5s", "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        }],
    })


def channel_target(targets: str | Sequence[str]) -> str:
    """One gRPC target for one or many `host:port` addresses.

    A single address or a URI (`dns:///name:port`) is used as given. Several
    addresses are resolved here and joined into an `ipv4:`/`ipv6:` target, so the
    round-robin policy spreads calls over all of them.
    """
    if isinstance(targets, str):
        targets = [t for t in targets.split(",") if t.strip()]
    targets = [t.strip() for t in targets]
    if len(targets) == 1:
        return targets[0]
    v4, v6 = [], []
    for t in targets:
        host, _, port = t.rpartition(":")
        host = host.strip("[]")
        try:
            ip = ipaddress.ip_address(host)
            addrs = [(ip.version, str(ip))]
        except ValueError:
            infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
            addrs = [(6 if info[0] == socket.AF_INET6 else 4, info[4][0]) for info in infos]
        for version, addr in dict.fromkeys(addrs):
            (v6 if version == 6 else v4).append(f"[{addr}]:{port}" if version == 6 else f"{addr}:{port}")
    if v4 and v6:
        raise ValueError("mix of IPv4 and IPv6 servers: give one family")
    return ("ipv4:" + ",".join(v4)) if v4 else ("ipv6:" + ",".join(v6))


class Client:
    def __init__(self, target: str | Sequence[str] = "127.0.0.1:50051", *, timeout: float | None = 300.0,
                 retries: int = 4, max_message_bytes: int = 64 * 1024 * 1024):
        self.target = channel_target(target)
        self.timeout = timeout
        options = [
            ("grpc.service_config", _service_config(retries)),
            ("grpc.enable_retries", 1),
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
        ]
        self.channel = grpc.insecure_channel(self.target, options=options)
        self.stub = service_pb2_grpc.LacunaStub(self.channel)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.channel.close()

    def wait_ready(self, timeout: float = 10.0) -> None:
        grpc.channel_ready_future(self.channel).result(timeout=timeout)

    def score_pb(self, segments: Iterable, metrics: Sequence[str] | None = None,
                 thresholds: Mapping[str, float] | None = None, request_id: str = "",
                 options: types_pb2.ScoreOptions | None = None) -> service_pb2.ScoreResponse:
        """`options`, when given, replaces `metrics` and `thresholds` (placeholder styles, max_length)."""
        request = service_pb2.ScoreRequest(segments=[to_segment(s) for s in segments],
                                           options=options or to_options(metrics, thresholds), request_id=request_id)
        try:
            return self.stub.Score(request, timeout=self.timeout, wait_for_ready=True)
        except grpc.RpcError as err:
            raise LacunaError.from_rpc_error(err) from None

    def score(self, segments: Iterable, metrics: Sequence[str] | None = None,
              thresholds: Mapping[str, float] | None = None, request_id: str = "",
              options: types_pb2.ScoreOptions | None = None) -> ScoreResult:
        """Score segments (dicts or `lacuna.v1.Segment`) in one call."""
        response = self.score_pb(segments, metrics, thresholds, request_id, options)
        return ScoreResult([SegmentResult.from_pb(r) for r in response.results],
                           [CorpusScore.from_pb(c) for c in response.corpus_scores], response.request_id)

    def score_stream_pb(self, batches: Iterable[Sequence], metrics: Sequence[str] | None = None,
                        thresholds: Mapping[str, float] | None = None,
                        timeout: float | None = None) -> Iterator[service_pb2.ScoreStreamResponse]:
        """Stream batches of segments; yields the server's responses as they come."""
        options = to_options(metrics, thresholds)

        def requests():
            first = True
            for batch in batches:
                msg = service_pb2.ScoreStreamRequest(segments=[to_segment(s) for s in batch])
                if first:
                    msg.options.CopyFrom(options)
                    first = False
                yield msg

        try:
            yield from self.stub.ScoreStream(requests(), timeout=timeout, wait_for_ready=True)
        except grpc.RpcError as err:
            raise LacunaError.from_rpc_error(err) from None

    def capabilities(self) -> service_pb2.GetCapabilitiesResponse:
        try:
            return self.stub.GetCapabilities(service_pb2.GetCapabilitiesRequest(), timeout=self.timeout,
                                             wait_for_ready=True)
        except grpc.RpcError as err:
            raise LacunaError.from_rpc_error(err) from None
