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
import random
import socket
import time
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping, Sequence

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lacuna.proto import service_pb2, service_pb2_grpc, types_pb2

SERVICE = "lacuna.v1.Lacuna"
#: Times a unary call refused by a busy server (RESOURCE_EXHAUSTED with a retry hint) is sent again.
BUSY_RETRIES = 8


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
    #: Other segments the flag is about (inconsistent_translation).
    related_ids: tuple[str, ...] = ()


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
    replica: str = ""  # which server replica (or Ray actor) scored it

    @classmethod
    def from_pb(cls, pb: types_pb2.SegmentResult) -> "SegmentResult":
        flags = [
            Flag(f.type, f.severity, f.confidence, f.message, f.detector,
                 Span(f.source_span.start, f.source_span.end) if f.HasField("source_span") else None,
                 Span(f.target_span.start, f.target_span.end) if f.HasField("target_span") else None,
                 tuple(f.related_ids))
            for f in pb.flags
        ]
        error = SegmentError(pb.error.code, pb.error.field, pb.error.message) if pb.HasField("error") else None
        return cls(pb.id, dict(pb.scores), flags, pb.passed, error, pb.replica)


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

    def __init__(self, code: grpc.StatusCode, message: str, field: str = "", retry_after: float | None = None):
        super().__init__(f"{code.name}: {message}")
        self.code, self.message, self.field = code, message, field
        #: Seconds the server asked the client to wait before retrying (a full queue), if any.
        self.retry_after = retry_after

    @classmethod
    def from_rpc_error(cls, err: grpc.RpcError) -> "LacunaError":
        field_name = ""
        retry_after = None
        try:
            status = rpc_status.from_call(err)
        except Exception:
            status = None
        if status is not None:
            for detail in status.details:
                bad = error_details_pb2.BadRequest()
                retry = error_details_pb2.RetryInfo()
                if detail.Unpack(bad) and bad.field_violations:
                    field_name = bad.field_violations[0].field
                elif detail.Unpack(retry):
                    retry_after = retry.retry_delay.ToMilliseconds() / 1000.0
        return cls(err.code(), err.details() or "", field_name, retry_after)


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
    if item.get("max_bytes"):
        seg.max_bytes = int(item["max_bytes"])
    if item.get("storage_encoding"):
        seg.storage_encoding = str(item["storage_encoding"])
    return seg


def to_options(metrics: Sequence[str] | None = None,
               thresholds: Mapping[str, float] | None = None,
               extra: types_pb2.ScoreOptions | None = None, *, placeholder_styles: Sequence[str] = (),
               placeholder_patterns: Sequence[str] = (), max_length: int = 0) -> types_pb2.ScoreOptions:
    """Request options; `extra` adds other fields (glossary, glossary_entries, consistency); the
    keywords are the localization options (placeholder syntaxes to check, a length limit)."""
    options = types_pb2.ScoreOptions(metrics=list(metrics or ()), thresholds=dict(thresholds or {}),
                                     placeholder_styles=list(placeholder_styles),
                                     placeholder_patterns=list(placeholder_patterns), max_length=max_length)
    if extra is not None:
        options.MergeFrom(extra)
    return options


def result_to_json(result: types_pb2.SegmentResult) -> dict:
    """The protobuf JSON form of a segment result (snake_case names, every field present)."""
    return json_format.MessageToDict(result, preserving_proto_field_name=True,
                                     including_default_value_fields=True)


# -- channels ------------------------------------------------------------------------------

def _service_config(retries: int) -> str:
    """Round-robin, and gRPC's own retries for the unary methods only: a retried stream would
    replay messages the server already answered, and its retries outlive the call's deadline
    (the batch client retries streams itself; see streaming.py)."""
    return json.dumps({
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [{
            "name": [{"service": SERVICE, "method": "Score"}, {"service": SERVICE, "method": "GetCapabilities"},
                     {"service": "grpc.health.v1.Health"}],
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


class _BearerToken(grpc.UnaryUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds `authorization: Bearer <token>` to every call (works on plaintext loopback too)."""

    def __init__(self, token: str):
        self.header = ("authorization", f"Bearer {token}")

    def _details(self, details):
        metadata = list(details.metadata or []) + [self.header]
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            details.wait_for_ready, getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_stream(self, continuation, details, request_iterator):
        return continuation(self._details(details), request_iterator)


class _CallDetails(grpc.ClientCallDetails):
    def __init__(self, method, timeout, metadata, credentials, wait_for_ready, compression):
        self.method, self.timeout, self.metadata, self.credentials = method, timeout, metadata, credentials
        self.wait_for_ready, self.compression = wait_for_ready, compression


def _read(path: str | None) -> bytes | None:
    if not path:
        return None
    with open(path, "rb") as fh:
        return fh.read()


class Client:
    def __init__(self, target: str | Sequence[str] = "127.0.0.1:50051", *, timeout: float | None = 300.0,
                 retries: int = 4, max_message_bytes: int = 64 * 1024 * 1024, tls_ca: str | None = None,
                 tls_cert: str | None = None, tls_key: str | None = None, token: str | None = None,
                 busy_retries: int = BUSY_RETRIES):
        """`tls_ca` (PEM) turns TLS on and names the CA that signed the server's certificate;
        `tls_cert`/`tls_key` add a client certificate (mutual TLS); `token` is sent as a bearer
        token on every call. A `Score` refused by a busy server (RESOURCE_EXHAUSTED with a retry
        hint) is sent again after the hint, up to `busy_retries` times within `timeout`."""
        self.target = channel_target(target)
        self.timeout = timeout
        self.busy_retries = max(0, busy_retries)
        options = [
            ("grpc.service_config", _service_config(retries)),
            ("grpc.enable_retries", 1),
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
            # find a restarted server within seconds (gRPC's own reconnect backoff grows to 2 min)
            ("grpc.initial_reconnect_backoff_ms", 500),
            ("grpc.min_reconnect_backoff_ms", 500),
            ("grpc.max_reconnect_backoff_ms", 5000),
        ]
        if tls_ca or tls_cert or tls_key:
            if bool(tls_cert) != bool(tls_key):
                raise ValueError("tls_cert and tls_key go together")
            credentials = grpc.ssl_channel_credentials(_read(tls_ca), _read(tls_key), _read(tls_cert))
            self.channel = grpc.secure_channel(self.target, credentials, options=options)
        else:
            self.channel = grpc.insecure_channel(self.target, options=options)
        self._raw_channel = self.channel
        if token:
            self.channel = grpc.intercept_channel(self.channel, _BearerToken(token))
        self.stub = service_pb2_grpc.LacunaStub(self.channel)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._raw_channel.close()

    def wait_ready(self, timeout: float = 10.0) -> None:
        grpc.channel_ready_future(self._raw_channel).result(timeout=timeout)

    def score_pb(self, segments: Iterable, metrics: Sequence[str] | None = None,
                 thresholds: Mapping[str, float] | None = None, request_id: str = "",
                 options: types_pb2.ScoreOptions | None = None) -> service_pb2.ScoreResponse:
        request = service_pb2.ScoreRequest(segments=[to_segment(s) for s in segments],
                                           options=to_options(metrics, thresholds, options), request_id=request_id)
        started = time.monotonic()
        for attempt in range(self.busy_retries + 1):
            timeout = None if self.timeout is None else self.timeout - (time.monotonic() - started)
            try:
                return self.stub.Score(request, timeout=timeout, wait_for_ready=True)
            except grpc.RpcError as err:
                error = LacunaError.from_rpc_error(err)
            # a busy server (full queue: no field, a retry hint) is asked again after the hint
            delay = (error.retry_after or 0.0) * (1 + random.random() / 2)
            busy = error.code == grpc.StatusCode.RESOURCE_EXHAUSTED and not error.field and error.retry_after
            if not busy or attempt == self.busy_retries or (timeout is not None and delay >= timeout):
                raise error
            time.sleep(delay)
        raise AssertionError("unreachable")

    def score(self, segments: Iterable, metrics: Sequence[str] | None = None,
              thresholds: Mapping[str, float] | None = None, request_id: str = "",
              options: types_pb2.ScoreOptions | None = None) -> ScoreResult:
        """Score segments (dicts or `lacuna.v1.Segment`) in one call. `options` adds request options
        such as `ScoreOptions(glossary="acme", consistency=True)` or `placeholder_styles`."""
        response = self.score_pb(segments, metrics, thresholds, request_id, options)
        return ScoreResult([SegmentResult.from_pb(r) for r in response.results],
                           [CorpusScore.from_pb(c) for c in response.corpus_scores], response.request_id)

    def score_stream_pb(self, batches: Iterable[Sequence], metrics: Sequence[str] | None = None,
                        thresholds: Mapping[str, float] | None = None,
                        timeout: float | None = None,
                        options: types_pb2.ScoreOptions | None = None) -> Iterator[service_pb2.ScoreStreamResponse]:
        """Stream batches of segments; yields the server's responses as they come."""
        options = to_options(metrics, thresholds, options)

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
