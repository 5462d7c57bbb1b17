"""Maps the server's dataclasses onto the lacuna.v1 protobuf messages."""

from __future__ import annotations

from lacuna.proto import service_pb2, types_pb2
from lacuna.server.model import CorpusScoreData, FlagData, MetricSpec, SegmentOutcome


def flag_to_pb(flag: FlagData) -> types_pb2.Flag:
    pb = types_pb2.Flag(type=flag.type, severity=flag.severity, confidence=flag.confidence,
                        message=flag.message, detector=flag.detector)
    if flag.source_span is not None:
        pb.source_span.start, pb.source_span.end = flag.source_span
    if flag.target_span is not None:
        pb.target_span.start, pb.target_span.end = flag.target_span
    pb.related_ids.extend(flag.related_ids)
    return pb


def outcome_to_pb(outcome: SegmentOutcome) -> types_pb2.SegmentResult:
    pb = types_pb2.SegmentResult(id=outcome.id, passed=outcome.passed)
    if outcome.error_code:
        pb.error.code, pb.error.field, pb.error.message = (
            outcome.error_code, outcome.error_field, outcome.error_message)
        return pb
    for name, value in outcome.scores.items():
        pb.scores[name] = float(value)
    pb.flags.extend(flag_to_pb(f) for f in outcome.flags)
    return pb


def error_result(seg_id: str, code: str, field: str, message: str) -> types_pb2.SegmentResult:
    pb = types_pb2.SegmentResult(id=seg_id, passed=False)
    pb.error.code, pb.error.field, pb.error.message = code, field, message
    return pb


def corpus_to_pb(score: CorpusScoreData) -> types_pb2.CorpusScore:
    return types_pb2.CorpusScore(metric=score.metric, score=float(score.score), signature=score.signature,
                                 segments=score.segments, src_lang=score.src_lang, tgt_lang=score.tgt_lang)


def metric_to_pb(spec: MetricSpec) -> service_pb2.MetricInfo:
    return service_pb2.MetricInfo(name=spec.name, description=spec.description,
                                  requires_reference=spec.requires_reference,
                                  higher_is_better=spec.higher_is_better, default=spec.default,
                                  signatures=list(spec.signatures))
