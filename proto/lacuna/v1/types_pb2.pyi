from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Span(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: int
    end: int
    def __init__(self, start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class Segment(_message.Message):
    __slots__ = ("id", "source", "translation", "reference", "src_lang", "tgt_lang", "labels", "source_codes", "target_codes", "max_length", "max_bytes", "storage_encoding")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TRANSLATION_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SRC_LANG_FIELD_NUMBER: _ClassVar[int]
    TGT_LANG_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_CODES_FIELD_NUMBER: _ClassVar[int]
    TARGET_CODES_FIELD_NUMBER: _ClassVar[int]
    MAX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    STORAGE_ENCODING_FIELD_NUMBER: _ClassVar[int]
    id: str
    source: str
    translation: str
    reference: str
    src_lang: str
    tgt_lang: str
    labels: _containers.ScalarMap[str, str]
    source_codes: _containers.RepeatedCompositeFieldContainer[InlineCode]
    target_codes: _containers.RepeatedCompositeFieldContainer[InlineCode]
    max_length: int
    max_bytes: int
    storage_encoding: str
    def __init__(self, id: _Optional[str] = ..., source: _Optional[str] = ..., translation: _Optional[str] = ..., reference: _Optional[str] = ..., src_lang: _Optional[str] = ..., tgt_lang: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., source_codes: _Optional[_Iterable[_Union[InlineCode, _Mapping]]] = ..., target_codes: _Optional[_Iterable[_Union[InlineCode, _Mapping]]] = ..., max_length: _Optional[int] = ..., max_bytes: _Optional[int] = ..., storage_encoding: _Optional[str] = ...) -> None: ...

class InlineCode(_message.Message):
    __slots__ = ("id", "kind", "start", "end", "element", "pair")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_FIELD_NUMBER: _ClassVar[int]
    PAIR_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    start: int
    end: int
    element: str
    pair: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., element: _Optional[str] = ..., pair: _Optional[str] = ...) -> None: ...

class Flag(_message.Message):
    __slots__ = ("type", "severity", "source_span", "target_span", "confidence", "message", "detector", "related_ids")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SPAN_FIELD_NUMBER: _ClassVar[int]
    TARGET_SPAN_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DETECTOR_FIELD_NUMBER: _ClassVar[int]
    RELATED_IDS_FIELD_NUMBER: _ClassVar[int]
    type: str
    severity: str
    source_span: Span
    target_span: Span
    confidence: float
    message: str
    detector: str
    related_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, type: _Optional[str] = ..., severity: _Optional[str] = ..., source_span: _Optional[_Union[Span, _Mapping]] = ..., target_span: _Optional[_Union[Span, _Mapping]] = ..., confidence: _Optional[float] = ..., message: _Optional[str] = ..., detector: _Optional[str] = ..., related_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class SegmentError(_message.Message):
    __slots__ = ("code", "field", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    field: str
    message: str
    def __init__(self, code: _Optional[str] = ..., field: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class SegmentResult(_message.Message):
    __slots__ = ("id", "scores", "flags", "passed", "error", "replica")
    class ScoresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REPLICA_FIELD_NUMBER: _ClassVar[int]
    id: str
    scores: _containers.ScalarMap[str, float]
    flags: _containers.RepeatedCompositeFieldContainer[Flag]
    passed: bool
    error: SegmentError
    replica: str
    def __init__(self, id: _Optional[str] = ..., scores: _Optional[_Mapping[str, float]] = ..., flags: _Optional[_Iterable[_Union[Flag, _Mapping]]] = ..., passed: bool = ..., error: _Optional[_Union[SegmentError, _Mapping]] = ..., replica: _Optional[str] = ...) -> None: ...

class CorpusScore(_message.Message):
    __slots__ = ("metric", "score", "signature", "segments", "src_lang", "tgt_lang")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    SRC_LANG_FIELD_NUMBER: _ClassVar[int]
    TGT_LANG_FIELD_NUMBER: _ClassVar[int]
    metric: str
    score: float
    signature: str
    segments: int
    src_lang: str
    tgt_lang: str
    def __init__(self, metric: _Optional[str] = ..., score: _Optional[float] = ..., signature: _Optional[str] = ..., segments: _Optional[int] = ..., src_lang: _Optional[str] = ..., tgt_lang: _Optional[str] = ...) -> None: ...

class ScoreOptions(_message.Message):
    __slots__ = ("metrics", "thresholds", "placeholder_styles", "placeholder_patterns", "max_length", "glossary", "glossary_entries", "consistency")
    class ThresholdsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    METRICS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    PLACEHOLDER_STYLES_FIELD_NUMBER: _ClassVar[int]
    PLACEHOLDER_PATTERNS_FIELD_NUMBER: _ClassVar[int]
    MAX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    GLOSSARY_FIELD_NUMBER: _ClassVar[int]
    GLOSSARY_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    metrics: _containers.RepeatedScalarFieldContainer[str]
    thresholds: _containers.ScalarMap[str, float]
    placeholder_styles: _containers.RepeatedScalarFieldContainer[str]
    placeholder_patterns: _containers.RepeatedScalarFieldContainer[str]
    max_length: int
    glossary: str
    glossary_entries: _containers.RepeatedCompositeFieldContainer[GlossaryEntry]
    consistency: bool
    def __init__(self, metrics: _Optional[_Iterable[str]] = ..., thresholds: _Optional[_Mapping[str, float]] = ..., placeholder_styles: _Optional[_Iterable[str]] = ..., placeholder_patterns: _Optional[_Iterable[str]] = ..., max_length: _Optional[int] = ..., glossary: _Optional[str] = ..., glossary_entries: _Optional[_Iterable[_Union[GlossaryEntry, _Mapping]]] = ..., consistency: bool = ...) -> None: ...

class GlossaryEntry(_message.Message):
    __slots__ = ("source_terms", "targets", "forbidden", "src_lang", "tgt_lang", "part_of_speech", "case_sensitive", "do_not_translate")
    SOURCE_TERMS_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    FORBIDDEN_FIELD_NUMBER: _ClassVar[int]
    SRC_LANG_FIELD_NUMBER: _ClassVar[int]
    TGT_LANG_FIELD_NUMBER: _ClassVar[int]
    PART_OF_SPEECH_FIELD_NUMBER: _ClassVar[int]
    CASE_SENSITIVE_FIELD_NUMBER: _ClassVar[int]
    DO_NOT_TRANSLATE_FIELD_NUMBER: _ClassVar[int]
    source_terms: _containers.RepeatedScalarFieldContainer[str]
    targets: _containers.RepeatedScalarFieldContainer[str]
    forbidden: _containers.RepeatedScalarFieldContainer[str]
    src_lang: str
    tgt_lang: str
    part_of_speech: str
    case_sensitive: bool
    do_not_translate: bool
    def __init__(self, source_terms: _Optional[_Iterable[str]] = ..., targets: _Optional[_Iterable[str]] = ..., forbidden: _Optional[_Iterable[str]] = ..., src_lang: _Optional[str] = ..., tgt_lang: _Optional[str] = ..., part_of_speech: _Optional[str] = ..., case_sensitive: bool = ..., do_not_translate: bool = ...) -> None: ...
