"""Readers for the files localization pipelines produce, one module per format.

Every reader turns a file into `Record`s (one source/translation pair each) and
reports what it cannot read as `InputProblem`s that name the file and the line or
unit, so the caller can stop (exit 2) or, with --skip-invalid, warn and go on.

Languages: the most specific value wins. A record's own language fields (JSONL
keys, TSV/CSV columns, TMX <tuv xml:lang>) come first, then the --src-lang /
--tgt-lang flags, then what the file declares for all its units (XLIFF
source-language/target-language or srcLang/trgLang, the TMX header srclang, the
PO Language header).

Ids are `NAME:UNIT`, where NAME is the file's path relative to the job's base folder (the
folder holding all of a job's inputs; for one file, its name): the same job run from another
folder, or with the files named another way, gets the same ids and resumes.

Units the file itself says are not ready (XLIFF `state` new/needs-*, `translate="no"`, PO fuzzy
and obsolete entries, the gettext header, translator credits and keyword lists) are not
scored: a reader yields a `Skipped` for each, counted in the summary (`--include-unready`
scores them), and so are units whose source is a message key, not text (`title.homepage`:
`message_keys`). What is odd but readable (a duplicate unit id, a CSV without a header) is read,
with an `InputWarning`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Iterator

FORMATS = ("jsonl", "tsv", "csv", "xliff", "tmx", "po", "parquet")

EXTENSIONS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".tsv": "tsv", ".tab": "tsv",
    ".csv": "csv",
    ".xlf": "xliff", ".xliff": "xliff", ".xlf2": "xliff", ".sdlxliff": "xliff", ".mxliff": "xliff",
    ".tmx": "tmx",
    ".po": "po", ".pot": "po",
    ".parquet": "parquet", ".pq": "parquet",
}


@dataclass
class Record:
    """One segment to score, with where it came from."""

    id: str
    source: str
    translation: str
    src_lang: str
    tgt_lang: str
    source_file: str
    location: str  # "line 12", "unit 'greet'": for messages
    reference: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    #: Inline codes (`lacuna.v1.InlineCode` as dicts) of the source and the translation.
    source_codes: list[dict] = field(default_factory=list)
    target_codes: list[dict] = field(default_factory=list)
    #: Longest allowed translation in characters (XLIFF maxwidth, size-unit="char").
    max_length: int | None = None
    #: Most bytes the translation may take when stored (XLIFF 2 slr:storageRestriction, XLIFF
    #: 1.2 maxbytes), in `storage_encoding`.
    max_bytes: int | None = None
    storage_encoding: str = ""
    unit_id: str = ""  # the unit's own id in its file (XLIFF unit, TMX tuid, JSONL/CSV id), if it has one
    line: int | None = None  # the line the unit starts on, where the format has lines

    def to_segment_dict(self) -> dict:
        seg = {"id": self.id, "source": self.source, "translation": self.translation,
               "src_lang": self.src_lang, "tgt_lang": self.tgt_lang, "labels": self.labels}
        if self.reference is not None:
            seg["reference"] = self.reference
        if self.source_codes:
            seg["source_codes"] = self.source_codes
        if self.target_codes:
            seg["target_codes"] = self.target_codes
        if self.max_length:
            seg["max_length"] = self.max_length
        if self.max_bytes:
            seg["max_bytes"] = self.max_bytes
            if self.storage_encoding:
                seg["storage_encoding"] = self.storage_encoding
        return seg


@dataclass(frozen=True)
class Skipped:
    """A unit the file marks as not for review (not ready, not translatable, a header)."""

    file: str
    location: str
    reason: str  # "state=new", "fuzzy", "obsolete", "translate=no", "header", "credits", ...


@dataclass(frozen=True)
class InputWarning:
    """Something odd that was read anyway (a duplicate id, a CSV without a header)."""

    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class InputProblem:
    """A file, line or unit that cannot be scored."""

    file: str
    location: str  # "" when the whole file is at fault
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"


@dataclass
class ReadOptions:
    """What the command line says about reading inputs."""

    format: str | None = None  # None = by extension
    src_lang: str | None = None
    tgt_lang: str | None = None
    id_column: str = "id"
    source_column: str = "source"
    translation_column: str = "translation"
    reference_column: str = "reference"
    src_lang_column: str = "src_lang"
    tgt_lang_column: str = "tgt_lang"
    labels: dict[str, str] = field(default_factory=dict)  # added to every record
    include_untranslated: bool = False
    include_unready: bool = False  # score what the file marks not ready (see Skipped)
    base: str | None = None  # ids are relative to this folder (default: the file's own folder)


def id_name(path: str, base: str | None) -> str:
    """The file's name in ids: relative to `base` (default: the file's folder), `/`-separated."""
    folder = base if base is not None else os.path.dirname(os.path.abspath(path))
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
    return rel.replace(os.sep, "/")


class UniqueIds:
    """Makes unit ids unique within a file: a repeated id gets `#2`, `#3`, ... and a warning."""

    def __init__(self, path: str):
        self.path = path
        self.seen: dict[str, int] = {}

    def __call__(self, seg_id: str, location: str) -> tuple[str, InputWarning | None]:
        n = self.seen.get(seg_id, 0) + 1
        self.seen[seg_id] = n
        if n == 1:
            return seg_id, None
        return f"{seg_id}#{n}", InputWarning(self.path, location, f"duplicate id {seg_id!r}: read as {seg_id}#{n}")


def normalize_tag(tag: str | None) -> str:
    """`pt_BR` -> `pt-BR`; file formats disagree on the separator."""
    return (tag or "").strip().replace("_", "-")


def pick_language(record_value: str | None, flag: str | None, file_value: str | None) -> str:
    """The most specific language tag that is given: record, then flag, then file."""
    for value in (record_value, flag, file_value):
        tag = normalize_tag(value)
        if tag:
            return tag
    return ""


def detect_format(path: str, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise ValueError(f"unknown --format {explicit!r} (known: {', '.join(FORMATS)})")
        return explicit
    ext = os.path.splitext(path)[1].lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    raise ValueError(f"{path}: cannot tell the format from the extension {ext or '(none)'!r}; "
                     f"give --format ({', '.join(FORMATS)})")


def missing_language_problem(record: Record) -> InputProblem | None:
    for name in ("src_lang", "tgt_lang"):
        if not getattr(record, name):
            flag = "--src-lang" if name == "src_lang" else "--tgt-lang"
            return InputProblem(record.source_file, record.location,
                                f"no {name}: the file does not say; give {flag}")
    return None


def _reader(fmt: str) -> Callable[[str, ReadOptions], Iterator[Record | InputProblem]]:
    if fmt == "jsonl":
        from lacuna.client.formats.jsonl import read_jsonl
        return read_jsonl
    if fmt in ("tsv", "csv"):
        from lacuna.client.formats.delimited import read_delimited
        return lambda path, options: read_delimited(path, options, "\t" if fmt == "tsv" else ",")
    if fmt == "xliff":
        from lacuna.client.formats.xliff import read_xliff
        return read_xliff
    if fmt == "tmx":
        from lacuna.client.formats.tmx import read_tmx
        return read_tmx
    if fmt == "po":
        from lacuna.client.formats.po import read_po
        return read_po
    if fmt == "parquet":
        from lacuna.client.formats.parquet import read_parquet
        return read_parquet
    raise ValueError(f"unknown format {fmt!r}")


def read_file(path: str, options: ReadOptions) -> Iterator[Record | InputProblem | Skipped | InputWarning]:
    """Records and problems of one file, in file order. Languages are filled and checked here.

    Ids and `source_file` use the path as given, normalised (`./a/../job.po` -> `job.po`),
    so a rerun that names the file the same way resumes the same ids."""
    path = os.path.normpath(path)
    try:
        fmt = detect_format(path, options.format)
    except ValueError as exc:
        yield InputProblem(path, "", str(exc).removeprefix(f"{path}: "))
        return
    if not os.path.isfile(path):
        problem = "no such file" if not os.path.exists(path) else "not a regular file"
        if os.path.isdir(path):
            problem = "a directory with no file of a known format (" + ", ".join(sorted(EXTENSIONS)) + ")"
        yield InputProblem(path, "", problem)
        return
    from lacuna.client.formats.message_keys import KEY_SOURCE, is_key_source, key_warning

    warned = False
    try:
        for item in _reader(fmt)(path, options):
            if isinstance(item, Record):
                if is_key_source(item.source, item.translation):
                    if not warned:
                        warned = True
                        yield InputWarning(path, "", key_warning(item.source.strip()))
                    yield Skipped(path, item.location, KEY_SOURCE)
                    continue
                if options.labels:
                    item.labels = {**options.labels, **item.labels}
                problem = missing_language_problem(item)
                yield problem if problem is not None else item
            else:
                yield item
    except (OSError, UnicodeDecodeError) as exc:
        yield InputProblem(path, "", f"cannot read: {exc}")
