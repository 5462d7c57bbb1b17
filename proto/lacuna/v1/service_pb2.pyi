from lacuna.proto.lacuna.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScoreRequest(_message.Message):
    __slots__ = ("segments", "options", "request_id")
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    segments: _containers.RepeatedCompositeFieldContainer[_types_pb2.Segment]
    options: _types_pb2.ScoreOptions
    request_id: str
    def __init__(self, segments: _Optional[_Iterable[_Union[_types_pb2.Segment, _Mapping]]] = ..., options: _Optional[_Union[_types_pb2.ScoreOptions, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ScoreResponse(_message.Message):
    __slots__ = ("results", "corpus_scores", "request_id")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    CORPUS_SCORES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[_types_pb2.SegmentResult]
    corpus_scores: _containers.RepeatedCompositeFieldContainer[_types_pb2.CorpusScore]
    request_id: str
    def __init__(self, results: _Optional[_Iterable[_Union[_types_pb2.SegmentResult, _Mapping]]] = ..., corpus_scores: _Optional[_Iterable[_Union[_types_pb2.CorpusScore, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ScoreStreamRequest(_message.Message):
    __slots__ = ("segments", "options")
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    segments: _containers.RepeatedCompositeFieldContainer[_types_pb2.Segment]
    options: _types_pb2.ScoreOptions
    def __init__(self, segments: _Optional[_Iterable[_Union[_types_pb2.Segment, _Mapping]]] = ..., options: _Optional[_Union[_types_pb2.ScoreOptions, _Mapping]] = ...) -> None: ...

class ScoreStreamResponse(_message.Message):
    __slots__ = ("results", "corpus_scores", "final")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    CORPUS_SCORES_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[_types_pb2.SegmentResult]
    corpus_scores: _containers.RepeatedCompositeFieldContainer[_types_pb2.CorpusScore]
    final: bool
    def __init__(self, results: _Optional[_Iterable[_Union[_types_pb2.SegmentResult, _Mapping]]] = ..., corpus_scores: _Optional[_Iterable[_Union[_types_pb2.CorpusScore, _Mapping]]] = ..., final: bool = ...) -> None: ...

class GetCapabilitiesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MetricInfo(_message.Message):
    __slots__ = ("name", "description", "requires_reference", "higher_is_better", "default", "signatures")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    HIGHER_IS_BETTER_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    requires_reference: bool
    higher_is_better: bool
    default: bool
    signatures: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., requires_reference: bool = ..., higher_is_better: bool = ..., default: bool = ..., signatures: _Optional[_Iterable[str]] = ...) -> None: ...

class CheckInfo(_message.Message):
    __slots__ = ("name", "description")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("name", "kind", "path", "device", "loaded")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    LOADED_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    path: str
    device: str
    loaded: bool
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., path: _Optional[str] = ..., device: _Optional[str] = ..., loaded: bool = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ("max_segments_per_request", "max_chars_per_text", "max_message_bytes")
    MAX_SEGMENTS_PER_REQUEST_FIELD_NUMBER: _ClassVar[int]
    MAX_CHARS_PER_TEXT_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    max_segments_per_request: int
    max_chars_per_text: int
    max_message_bytes: int
    def __init__(self, max_segments_per_request: _Optional[int] = ..., max_chars_per_text: _Optional[int] = ..., max_message_bytes: _Optional[int] = ...) -> None: ...

class GetCapabilitiesResponse(_message.Message):
    __slots__ = ("metrics", "checks", "models", "languages", "versions", "limits")
    class VersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    METRICS_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    metrics: _containers.RepeatedCompositeFieldContainer[MetricInfo]
    checks: _containers.RepeatedCompositeFieldContainer[CheckInfo]
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    languages: _containers.RepeatedScalarFieldContainer[str]
    versions: _containers.ScalarMap[str, str]
    limits: Limits
    def __init__(self, metrics: _Optional[_Iterable[_Union[MetricInfo, _Mapping]]] = ..., checks: _Optional[_Iterable[_Union[CheckInfo, _Mapping]]] = ..., models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ..., languages: _Optional[_Iterable[str]] = ..., versions: _Optional[_Mapping[str, str]] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ...) -> None: ...
