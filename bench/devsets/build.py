"""Build the development sets of bench/devsets/ from fetched public repository snapshots.

The committed files under bench/devsets/data/ were written by this script; run it again only to
rebuild them (or to build the sets that may not be committed, under bench/devsets/built/):

    python bench/devsets/build.py docs  --ntrex /path/to/MicrosoftTranslator+NTREX/repo
    python bench/devsets/build.py ui    --excalidraw /path/to/excalidraw+excalidraw/repo \\
                                        --uptime-kuma /path/to/louislam+uptime-kuma/repo
    python bench/devsets/build.py ui-more --excalidraw ... --uptime-kuma ...   # built/
    python bench/devsets/build.py mqm   --mqm /path/to/google+wmt-mqm-human-evaluation/repo
    python bench/devsets/build.py pathologies --pathologies /path/to/deep-spin+hallucinations-in-nmt/repo
    python bench/devsets/build.py mlqe  --mlqe /path/to/sheffieldnlp+mlqe-pe/repo
    python bench/devsets/build.py mlqe-dev --mlqe /path/to/sheffieldnlp+mlqe-pe/repo   # fitting data
    python bench/devsets/build.py ntrex-more --ntrex /path/to/MicrosoftTranslator+NTREX/repo   # built/
    python bench/devsets/build.py wmt21 --wmt21 /path/to/wmt-conference+wmt21-news-systems/repo  # built/

Each path is a bare git directory (as the `fetch` tool brings it); files are read from its HEAD
with `git show`. See bench/devsets/README.md for sources and licences.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import pathlib
import random
import re
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data"
BUILT = HERE / "built"

NTREX_LANGS = {"en": "src.eng", "ja": "ref.jpn", "de": "ref.deu", "zh": "ref.zho-CN"}
DOC_DIRECTIONS = ("en-ja", "ja-en", "en-de", "de-en", "en-zh", "zh-en")
#: NTREX-128 references in languages the detector was never tuned on (the WMT 2022-2024 languages
#: among NTREX's): evaluation only, built at run time (`ntrex-more`).
NTREX_MORE_LANGS = {"cs": "ref.ces", "ru": "ref.rus", "uk": "ref.ukr", "he": "ref.heb", "is": "ref.isl",
                    "hr": "ref.hrv", "ko": "ref.kor", "hi": "ref.hin", "es": "ref.spa", "pl": "ref.pol"}
NTREX_MORE_DIRECTIONS = ("en-cs", "cs-en", "en-ru", "ru-en", "en-uk", "uk-en", "en-he", "he-en", "en-is",
                         "en-hr", "en-ko", "en-hi", "en-es", "en-pl", "cs-uk")
DROP_SEED = 14
UI_PROJECTS = {  # project: (folder of the locale files, English file, {language: locale file})
    "excalidraw": ("packages/excalidraw/locales", "en.json",
                   {"ja": "ja-JP.json", "zh": "zh-CN.json", "de": "de-DE.json", "fr": "fr-FR.json",
                    "es": "es-ES.json", "ko": "ko-KR.json"}),
    "uptime-kuma": ("src/lang", "en.json",
                    {"ja": "ja.json", "zh": "zh-CN.json", "de": "de-DE.json", "fr": "fr-FR.json",
                     "es": "es-ES.json", "ko": "ko-KR.json"}),
}
#: More locales of the same projects, for languages nobody tuned on (built/, evaluation only).
UI_MORE_LANGS = ("ru", "uk", "cs", "pl", "it", "pt-BR", "tr", "ar", "he", "hi", "th", "vi", "nl", "sv", "el", "zh-TW")
UI_MORE_LOCALES = {
    "excalidraw": {"ru": "ru-RU.json", "uk": "uk-UA.json", "cs": "cs-CZ.json", "pl": "pl-PL.json", "it": "it-IT.json",
                   "pt-BR": "pt-BR.json", "tr": "tr-TR.json", "ar": "ar-SA.json", "he": "he-IL.json", "hi": "hi-IN.json",
                   "th": "th-TH.json", "vi": "vi-VN.json", "nl": "nl-NL.json", "sv": "sv-SE.json", "el": "el-GR.json",
                   "zh-TW": "zh-TW.json"},
    "uptime-kuma": {"ru": "ru-RU.json", "uk": "uk-UA.json", "cs": "cs-CZ.json", "pl": "pl.json", "it": "it-IT.json",
                    "pt-BR": "pt-BR.json", "tr": "tr-TR.json", "ar": "ar.json", "he": "he-IL.json", "hi": "hi.json",
                    "th": "th-TH.json", "vi": "vi-VN.json", "nl": "nl-NL.json", "sv": "sv-SE.json", "el": "el-GR.json",
                    "zh-TW": "zh-TW.json"},
}
UI_SKIP_KEYS = ("languageName",)
PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}|\{[^}]*\}|%\w|<[^>]+>")


def git_show(repo: pathlib.Path, path: str) -> str:
    """A file's text at HEAD of a bare git directory."""
    return subprocess.run(["git", "--git-dir", str(repo), "show", f"HEAD:{path}"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def write_jsonl(path: pathlib.Path, records) -> int:
    """Write records as JSON lines; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n


# --- document-level drops (NTREX-128) -------------------------------------------------------

def ntrex_documents(repo: pathlib.Path, langs: dict[str, str] = NTREX_LANGS) -> list[dict]:
    """NTREX-128's 123 news documents, line-aligned in `langs` (code: file stem; en/ja/de/zh by
    default), split by DOCUMENT_IDS.tsv."""
    doc_ids = git_show(repo, "DOCUMENT_IDS.tsv").splitlines()
    lines = {lang: git_show(repo, f"NTREX-128/newstest2019-{name}.txt").splitlines()
             for lang, name in langs.items()}
    assert all(len(v) == len(doc_ids) for v in lines.values()), "NTREX files are not line-aligned"
    docs: dict[str, dict] = {}
    for i, doc_id in enumerate(doc_ids):
        doc = docs.setdefault(doc_id, {"doc": doc_id, "sentences": {lang: [] for lang in langs}})
        for lang in langs:
            doc["sentences"][lang].append(lines[lang][i].strip())
    return list(docs.values())


def choose_drops(n: int, rng: random.Random) -> list[int]:
    """1 to 4 target sentences to remove from an n-sentence document (never all but one):
    a single sentence, a contiguous run, or scattered sentences."""
    most = max(1, min(4, n - 2))
    k = rng.choice([1, 1, 1, 2, 2, 3, 4])
    k = min(k, most)
    if k > 1 and rng.random() < 0.5:
        start = rng.randrange(0, n - k + 1)
        return list(range(start, start + k))
    return sorted(rng.sample(range(n), k))


def build_docs(ntrex: pathlib.Path) -> None:
    """data/ntrex_docs.jsonl (the aligned documents) and data/ntrex_drops.json (which target
    sentences each direction's dropped copy lacks, drawn with a fixed seed)."""
    n, directions = write_ntrex(DATA, "ntrex", ntrex_documents(ntrex), DOC_DIRECTIONS)
    print(f"ntrex: {n} documents, drops for {directions} directions")


def build_ntrex_more(ntrex: pathlib.Path) -> None:
    """built/ntrex_more_docs.jsonl and built/ntrex_more_drops.json: the same NTREX documents in
    the languages of NTREX_MORE_LANGS, and drops for NTREX_MORE_DIRECTIONS drawn as for the
    committed directions (evaluation only; built at run time to keep the repository small)."""
    BUILT.mkdir(parents=True, exist_ok=True)
    docs = ntrex_documents(ntrex, {"en": NTREX_LANGS["en"], **NTREX_MORE_LANGS})
    n, directions = write_ntrex(BUILT, "ntrex_more", docs, NTREX_MORE_DIRECTIONS)
    print(f"ntrex-more: {n} documents in {len(NTREX_MORE_LANGS)} more languages, drops for {directions} directions")


def write_ntrex(folder: pathlib.Path, stem: str, docs: list[dict], directions) -> tuple[int, int]:
    """<stem>_docs.jsonl and <stem>_drops.json in `folder`: the documents, and for each direction
    and document the target sentences its dropped copy lacks (`choose_drops`, seeded by
    DROP_SEED and the direction). Returns the counts of documents and directions."""
    n = write_jsonl(folder / f"{stem}_docs.jsonl", docs)
    drops = {}
    for direction in directions:
        rng = random.Random(f"{DROP_SEED}:{direction}")
        drops[direction] = {doc["doc"]: choose_drops(len(doc["sentences"]["en"]), rng) for doc in docs}
    (folder / f"{stem}_drops.json").write_text(json.dumps({"seed": DROP_SEED, "drops": drops}, indent=0) + "\n",
                                               encoding="utf-8")
    return n, len(drops)


# --- short UI strings (Excalidraw and Uptime Kuma locales) --------------------------------------------------

def _flatten(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def ui_pairs(repo: pathlib.Path, project: str, locales: dict[str, str] | None = None) -> list[dict]:
    """A project's English UI strings of at most 6 words without placeholders or markup,
    paired with each locale's non-empty translation (`locales`: language -> locale file;
    UI_PROJECTS' by default)."""
    folder, english_file, default_locales = UI_PROJECTS[project]
    locales = default_locales if locales is None else locales
    english = dict(_flatten(json.loads(git_show(repo, f"{folder}/{english_file}"))))
    records = []
    for lang, locale_file in locales.items():
        translated = dict(_flatten(json.loads(git_show(repo, f"{folder}/{locale_file}"))))
        locale = locale_file.removesuffix(".json")
        for key, source in english.items():
            target = translated.get(key)
            if key in UI_SKIP_KEYS or not isinstance(source, str) or not isinstance(target, str):
                continue
            source, target = source.strip(), target.strip()
            if not source or not target or len(source.split()) > 6 or PLACEHOLDER.search(source + target):
                continue
            records.append({"id": f"{project}:{locale}:{key}", "src_lang": "en", "tgt_lang": lang,
                            "source": source, "translation": target})
    return records


def build_ui(repos: dict[str, pathlib.Path]) -> None:
    """data/ui_strings.jsonl from every project's snapshot."""
    records = [r for project, repo in repos.items() for r in ui_pairs(repo, project)]
    n = write_jsonl(DATA / "ui_strings.jsonl", records)
    for project in repos:
        print(f"ui strings {project}: {sum(r['id'].startswith(project + ':') for r in records)}")
    print(f"ui strings: {n}")


def build_ui_more(repos: dict[str, pathlib.Path]) -> None:
    """built/ui_strings_more.jsonl: the same projects' strings in UI_MORE_LANGS (evaluation only;
    built at run time, like the other sets nothing was chosen on)."""
    records = [r for project, repo in repos.items() for r in ui_pairs(repo, project, UI_MORE_LOCALES[project])]
    BUILT.mkdir(parents=True, exist_ok=True)
    n = write_jsonl(BUILT / "ui_strings_more.jsonl", records)
    print(f"ui strings in {len(UI_MORE_LANGS)} more languages: {n}")


# --- human-annotated omissions (Google's MQM re-annotation of the WMT21 TED talks) ----------

def _strip_marks(text: str) -> tuple[str, list[list[int]]]:
    """Remove <v>...</v> marks; the marked spans in code points of the plain text."""
    plain, spans, pos = [], [], 0
    for part in re.split(r"(<v>|</v>)", text):
        if part == "<v>":
            spans.append([pos, pos])
        elif part == "</v>":
            if spans:
                spans[-1][1] = pos
        else:
            plain.append(part)
            pos += len(part)
    return "".join(plain), [s for s in spans if s[1] > s[0]]


def mqm_segments(repo: pathlib.Path, pair: str) -> list[dict]:
    """One record per (system, segment) of mqm_ted_<pair>.tsv: label 1 when a rater marked an
    Accuracy/Omission error, with the marked source spans."""
    text = git_show(repo, f"ted/{pair}/mqm_ted_{pair}.tsv")
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    segments: dict[tuple[str, str], dict] = {}
    for row in reader:
        key = (row["system"], row["seg_id"])
        source, source_spans = _strip_marks(row["source"])
        target, _ = _strip_marks(row["target"])
        seg = segments.setdefault(key, {"id": f"mqm-ted-{pair}:{row['system']}:{row['seg_id']}",
                                        "src_lang": pair[:2], "tgt_lang": pair[2:], "source": source,
                                        "translation": target, "doc": row["doc"], "label": 0,
                                        "omitted_spans": [], "categories": []})
        seg["categories"].append(row["category"])
        if row["category"] == "Accuracy/Omission":
            seg["label"] = 1
            seg["omitted_spans"].extend(s for s in source_spans if s not in seg["omitted_spans"])
    return [s for s in segments.values() if s["source"].strip() and s["translation"].strip()]


def build_mqm(mqm: pathlib.Path) -> None:
    """built/mqm_ted_<pair>.jsonl (not committed: the TED transcripts are CC BY-NC-ND)."""
    for pair in ("ende", "zhen"):
        records = mqm_segments(mqm, pair)
        n = write_jsonl(BUILT / f"mqm_ted_{pair}.jsonl", records)
        print(f"mqm ted {pair}: {n} segments, {sum(r['label'] for r in records)} with an omission")


# --- human-annotated omissions, de-en (Guerreiro et al. 2022, WMT18 de-en NMT output) -------

#: The corpus's pathology columns; a row marked strong- or full-unsupport (a hallucination) is
#: left out: "what does the translation leave out" has no answer for a detached one.
PATHOLOGIES = ("repetitions", "named-entities", "omission", "strong-unsupport", "full-unsupport")
HALLUCINATIONS = ("strong-unsupport", "full-unsupport")


def pathology_rows(csv_text: str) -> list[dict]:
    """One record per annotated translation of data/annotated_corpus.csv that is no
    hallucination: label 1 when the annotators marked an omission (no spans in the corpus)."""
    records = []
    for row in csv.DictReader(io.StringIO(csv_text)):
        marked = [name for name in PATHOLOGIES if row[name].strip() == "1"]
        if any(name in marked for name in HALLUCINATIONS) or not (row["src"].strip() and row["mt"].strip()):
            continue
        records.append({"id": f"nmt-pathologies-de-en:{row['']}", "src_lang": "de", "tgt_lang": "en",
                        "source": row["src"], "translation": row["mt"], "doc": "", "categories": marked,
                        "label": int("omission" in marked), "omitted_spans": []})
    return records


def build_pathologies(repo: pathlib.Path) -> None:
    """built/nmt_pathologies_deen.jsonl (not committed: the repository states no licence)."""
    records = pathology_rows(git_show(repo, "data/annotated_corpus.csv"))
    n = write_jsonl(BUILT / "nmt_pathologies_deen.jsonl", records)
    print(f"nmt pathologies de-en: {n} translations, {sum(r['label'] for r in records)} with an omission")


# --- post-edit-derived omissions (MLQE-PE, WMT 2021 QE test set) ----------------------------

MLQE_PAIRS = {"en-ja": "data/test21/zero-shot/en-ja-test21.tar.gz",
              "en-de": "data/test21/en-de-test21.tar.gz"}
MLQE_MIN_GAPS = 2


def _tar_members(repo: pathlib.Path, path: str) -> dict[str, str]:
    """The text files of a .tar.gz stored in a bare git directory, by base name."""
    import tarfile
    blob = subprocess.run(["git", "--git-dir", str(repo), "show", f"HEAD:{path}"], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        return {pathlib.PurePosixPath(m.name).name: tar.extractfile(m).read().decode("utf-8")
                for m in tar.getmembers() if m.isfile()}


def mlqe_segments(repo: pathlib.Path, pair: str) -> list[dict]:
    """MLQE-PE test21 rows: label 1 when the post-editor inserted words at MLQE_MIN_GAPS or more
    places of the MT (BAD gap tags); the counts of BAD gaps and BAD source words are kept."""
    files = _tar_members(repo, MLQE_PAIRS[pair])
    files.update(_tar_members(repo, MLQE_PAIRS[pair].replace("data/test21/", "data/test21_goldlabels/")))
    sources, targets = files["test21.src"].splitlines(), files["test21.mt"].splitlines()
    counts = {"gaps": defaultdict(int), "source": defaultdict(int)}
    for kind, name in (("gaps", "task2_wordlevel_gaps.tags"), ("source", "task2_wordlevel_src.tags")):
        for line in files[name].splitlines():
            fields = line.split("\t")
            if fields[-1] == "BAD":
                counts[kind][int(fields[3])] += 1
    src, tgt = pair.split("-")
    return [{"id": f"mlqe-pe-{pair}:{i}", "src_lang": src, "tgt_lang": tgt, "source": s.strip(),
             "translation": t.strip(), "label": int(counts["gaps"][i] >= MLQE_MIN_GAPS),
             "bad_gaps": counts["gaps"][i], "bad_source_words": counts["source"][i]}
            for i, (s, t) in enumerate(zip(sources, targets))]


def build_mlqe(mlqe: pathlib.Path) -> None:
    """data/mlqe_pe_test21.jsonl: the en-ja and en-de test21 rows (CC0)."""
    _write_mlqe("mlqe_pe_test21.jsonl", "mlqe-pe", MLQE_PAIRS, lambda pair: mlqe_segments(mlqe, pair))


def _write_mlqe(file: str, prefix: str, pairs, segments) -> None:
    """Write the rows `segments(pair)` of every pair to data/`file`; print the counts."""
    records = [r for pair in pairs for r in segments(pair)]
    n = write_jsonl(DATA / file, records)
    for pair in pairs:
        rows = [r for r in records if r["id"].startswith(f"{prefix}-{pair}:")]
        print(f"{prefix} {pair}: {len(rows)} rows, {sum(r['label'] for r in rows)} labelled 1")
    print(f"{prefix}: {n} rows")


# --- fitting data: MLQE-PE's WMT 2020 post-editing dev splits -------------------------------

MLQE_DEV_PAIRS = ("en-de", "en-zh", "et-en", "ne-en", "ro-en", "ru-en", "si-en")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u3000-\u303f"


def detokenize(text: str, lang: str) -> str:
    """Undo the WMT 2020 files' tokenization well enough for a length ratio: no space before
    closing punctuation or after opening brackets, none between Chinese characters."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ([,.;:!?%)\]}»”])", r"\1", text)
    text = re.sub(r"([(\[{«“]) ", r"\1", text)
    if lang == "zh":
        text = re.sub(f"(?<=[{_CJK}]) (?=[{_CJK}0-9A-Za-z])|(?<=[0-9A-Za-z]) (?=[{_CJK}])", "", text)
    return text


def mlqe_dev_segments(repo: pathlib.Path, pair: str) -> list[dict]:
    """MLQE-PE's post-editing dev split of `pair` (WMT 2020 QE, 1,000 rows): detokenized source
    and MT, label 1 when the post-editor inserted words at MLQE_MIN_GAPS or more places (BAD gap
    tags: the even positions of the `.tags` line), as in the test21 sets."""
    files = _tar_members(repo, f"data/post-editing/dev/{pair}-dev.tar.gz")
    src, tgt = pair.split("-")
    rows = []
    for i, (s, t, tags) in enumerate(zip(files["dev.src"].splitlines(), files["dev.mt"].splitlines(),
                                          files["dev.tags"].splitlines())):
        gaps = sum(1 for k, tag in enumerate(tags.split()) if k % 2 == 0 and tag == "BAD")
        rows.append({"id": f"mlqe-pe-wmt20-{pair}:{i}", "src_lang": src, "tgt_lang": tgt,
                     "source": detokenize(s, src), "translation": detokenize(t, tgt),
                     "label": int(gaps >= MLQE_MIN_GAPS), "bad_gaps": gaps})
    return rows


def build_mlqe_dev(mlqe: pathlib.Path) -> None:
    """data/mlqe_pe_wmt20_dev.jsonl: the dev splits of seven pairs (CC0), for fitting."""
    _write_mlqe("mlqe_pe_wmt20_dev.jsonl", "mlqe-pe-wmt20", MLQE_DEV_PAIRS,
                lambda pair: mlqe_dev_segments(mlqe, pair))


# --- document-level drops from the WMT 2021 news test sets (held out; built/, not committed) ---

WMT21_DIRECTIONS = ("en-ja", "ja-en", "en-de", "en-zh", "zh-en", "de-en")
WMT21_MAX_DOCS = 40  # per direction: a fixed sample, so one direction costs a few minutes in the bench
WMT21_MIN_SEGMENTS, WMT21_MAX_SEGMENTS = 3, 30
WMT21_TRANSLATOR = "A"
#: A Chinese web page's title: the headline, a dash, the site's name ("…-新华网", "… - 湖南日报网 - 华声在线").
ZH_PAGE_TITLE = re.compile(r"[-－–—]\s*\S*(网|网站|在线)\s*$")


def wmt21_xml_documents(xml_text: str, translator: str = WMT21_TRANSLATOR) -> list[dict]:
    """The documents of a newstest2021 XML file with translator `translator`'s reference:
    ``{"doc", "source": [segments], "target": [segments], "paragraphs": [segments per paragraph]}``.
    Paragraphs follow the <p> elements; a document whose one <p> holds every segment has no
    paragraph markup (all of newstest2021), and each segment -- a line of the article -- is then
    its own paragraph. Documents without that reference, or whose reference's paragraphs do not
    match the source's, are left out."""
    docs = []
    for doc in ET.fromstring(xml_text.encode("utf-8")).iter("doc"):
        refs = [r for r in doc.findall("ref") if r.get("translator") == translator]
        if doc.find("src") is None or not refs:
            continue
        src = [[(seg.text or "").strip() for seg in p.iter("seg")] for p in doc.find("src").findall("p")]
        ref = [[(seg.text or "").strip() for seg in p.iter("seg")] for p in refs[0].findall("p")]
        if [len(p) for p in src] != [len(p) for p in ref]:
            continue
        source, target = [s for p in src for s in p], [t for p in ref for t in p]
        paragraphs = [1] * len(source) if len(src) == 1 else [len(p) for p in src]
        docs.append({"doc": doc.get("id"), "source": source, "target": target, "paragraphs": paragraphs})
    return docs


def line_documents(source: list[str], target: list[str], spans: list[tuple[int, int, str]]) -> list[dict]:
    """Documents from line-aligned files and the (start, end, id) line span of each; every
    line (a line of the article) its own paragraph."""
    if len(source) != len(target):
        raise ValueError(f"source and reference are not line-aligned ({len(source)} vs {len(target)} lines)")
    return [{"doc": doc, "source": [s.strip() for s in source[a:b]], "target": [t.strip() for t in target[a:b]],
             "paragraphs": [1] * (b - a)} for a, b, doc in spans]


def mapped_spans(lines: list[str], xml_docs: list[dict]) -> list[tuple[int, int, str]]:
    """The line span of each XML document (by its source segments) in another file holding the
    same documents with a few segments edited: from its first to its last segment found, widened
    over unclaimed lines where its own first or last segments were not found. Documents whose
    segments are not found in order, and lines no document claims, are left out."""
    where = {line.strip(): i for i, line in enumerate(lines)}
    spans = []
    for doc in xml_docs:
        found = [where.get(s) for s in doc["source"]]
        hits = [i for i in found if i is not None]
        if len(hits) < 2 or hits != sorted(hits):
            continue
        lead = next(k for k, i in enumerate(found) if i is not None)
        tail = next(k for k, i in enumerate(reversed(found)) if i is not None)
        spans.append([hits[0], hits[-1] + 1, doc["doc"], lead, tail])
    spans.sort()
    for k, span in enumerate(spans):
        floor = spans[k - 1][1] if k else 0
        ceiling = spans[k + 1][0] if k + 1 < len(spans) else len(lines)
        span[0] = max(floor, span[0] - span[3])
        span[1] = min(ceiling, span[1] + span[4])
    return [(a, b, doc) for a, b, doc, _, _ in spans if all(x[1] <= a or x[0] >= b for x in spans if x[2] != doc)]


def title_spans(lines: list[str], direction: str) -> list[tuple[int, int, str]]:
    """Pages of a Chinese news file: each runs from a line that is a page title (ZH_PAGE_TITLE)
    to the next; lines before the first title are left out."""
    starts = [i for i, line in enumerate(lines) if ZH_PAGE_TITLE.search(line.strip())]
    return [(a, b, f"{direction}-line{a + 1}") for a, b in zip(starts, starts[1:] + [len(lines)])]


def da_document_lengths(csv_text: str) -> list[int]:
    """The documents' lengths, in segments, from WMT21's document-context DA of an into-English
    direction (humaneval/newstest2021-toen/ad-*-good-stnd.csv): a rater scored whole documents
    one after another, so every run of consecutive segment ids one rater scored for one system
    starts at a document's first segment. The ids number the documents sorted by their id, not
    in the order of the test set's files."""
    runs = defaultdict(set)
    for line in csv_text.splitlines()[1:]:
        fields = line.split()
        runs[(fields[0], fields[1], fields[6])].add(int(fields[9]))
    starts = set()
    for ids in runs.values():
        ordered = sorted(ids)
        starts.add(ordered[0])
        starts.update(b for a, b in zip(ordered, ordered[1:]) if b != a + 1)
    first = sorted(starts)
    last = max(i for ids in runs.values() for i in ids)
    return [b - a for a, b in zip(first, first[1:] + [last + 1])]


def forced_spans(lines: list[str], lengths: list[int], direction: str, limit: int = 200_000) -> list[tuple[int, int, str]]:
    """The documents of a file whose boundaries are unknown but whose documents' lengths are
    (`lengths`, in any order): every way to cut the file into documents of exactly those lengths,
    each starting at a headline-shaped line (not ending in a full stop), is enumerated, and the
    documents that every such cut contains are returned. Raises when no cut fits or there are
    more than `limit`."""
    headline = [not line.strip().endswith(".") for line in lines] + [True]
    sizes = sorted(set(lengths))
    start_counts = tuple(Counter(lengths)[k] for k in sizes)
    memo: dict = {}

    def cuts(pos: int, left: tuple) -> list:
        if pos == len(lines):
            return [()] if not any(left) else []
        if (pos, left) not in memo:
            found = []
            for k, size in enumerate(sizes):
                if left[k] and pos + size <= len(lines) and headline[pos + size]:
                    rest = left[:k] + (left[k] - 1,) + left[k + 1:]
                    found += [((pos, pos + size),) + tail for tail in cuts(pos + size, rest)]
                    if len(found) > limit:
                        raise ValueError(f"{direction}: more than {limit} ways to cut the file into documents")
            memo[(pos, left)] = found
        return memo[(pos, left)]

    every = cuts(0, start_counts) if headline[0] else []
    if not every:
        raise ValueError(f"{direction}: no cut into documents of the DA's lengths")
    common = set(every[0]).intersection(*every[1:])
    return [(a, b, f"{direction}-line{a + 1}") for a, b in sorted(common)]


def chunk_document(doc: dict) -> list[dict]:
    """A document of WMT21_MIN_SEGMENTS..WMT21_MAX_SEGMENTS segments as it is; a longer one cut
    at paragraph boundaries into consecutive chunks of about equal size, none above
    WMT21_MAX_SEGMENTS (ids ``<doc>#1``, ``#2``...); chunks and documents below
    WMT21_MIN_SEGMENTS, or a paragraph longer than WMT21_MAX_SEGMENTS, are left out."""
    n = len(doc["source"])
    if n <= WMT21_MAX_SEGMENTS:
        return [doc] if n >= WMT21_MIN_SEGMENTS else []
    share = -(-n // -(-n // WMT21_MAX_SEGMENTS))  # n spread evenly over the fewest chunks that fit
    groups, start, sizes = [], 0, []
    for size in doc["paragraphs"]:
        if sizes and sum(sizes) + size > share:
            groups.append((start, sizes))
            start, sizes = start + sum(sizes), []
        sizes.append(size)
    groups.append((start, sizes))
    return [{"doc": f"{doc['doc']}#{k + 1}", "source": doc["source"][a:a + sum(sizes)],
             "target": doc["target"][a:a + sum(sizes)], "paragraphs": sizes}
            for k, (a, sizes) in enumerate(groups) if WMT21_MIN_SEGMENTS <= sum(sizes) <= WMT21_MAX_SEGMENTS]


def wmt21_records(docs: list[dict], direction: str, max_docs: int = WMT21_MAX_DOCS) -> list[dict]:
    """The records of one direction's set: the documents (chunked), a fixed sample of at most
    `max_docs` of them in file order, each with the target segments its dropped copy lacks
    (`choose_drops`, seed DROP_SEED)."""
    chunks = [c for doc in docs for c in chunk_document(doc) if all(c["source"]) and all(c["target"])]
    rng = random.Random(f"{DROP_SEED}:wmt21:{direction}")
    if max_docs and len(chunks) > max_docs:
        keep = set(rng.sample(range(len(chunks)), max_docs))
        chunks = [c for i, c in enumerate(chunks) if i in keep]
    src, tgt = direction.split("-")
    return [{**c, "doc": c["doc"].replace(":", "_"), "src_lang": src, "tgt_lang": tgt,
             "drop": choose_drops(len(c["source"]), rng)} for c in chunks]


def wmt21_documents(repo: pathlib.Path, direction: str) -> list[dict]:
    """One direction's documents from the snapshot of wmt-conference/wmt21-news-systems: the
    XML where the snapshot has it (en-ja, ja-en); otherwise the line-aligned txt/ files cut into
    documents -- en-de, en-zh by the en-ja XML's English documents (the same articles), zh-en
    by the Chinese pages' titles, de-en by the lengths the DA files give (only the documents every
    consistent cut agrees on)."""
    if direction in ("en-ja", "ja-en"):
        return wmt21_xml_documents(git_show(repo, f"xml/newstest2021.{direction}.all.xml"))
    src, tgt = direction.split("-")
    source = git_show(repo, f"txt/sources/newstest2021.{direction}.src.{src}").splitlines()
    target = git_show(repo, f"txt/references/newstest2021.{direction}.ref.{WMT21_TRANSLATOR}.{tgt}").splitlines()
    if src == "en":
        spans = mapped_spans(source, wmt21_xml_documents(git_show(repo, "xml/newstest2021.en-ja.all.xml")))
    elif src == "zh":
        spans = title_spans(source, direction)
    else:
        csv_text = git_show(repo, f"humaneval/newstest2021-toen/ad-{src}{tgt}-good-stnd.csv")
        spans = forced_spans(source, da_document_lengths(csv_text), direction)
    return line_documents(source, target, spans)


def build_wmt21(repo: pathlib.Path) -> None:
    """built/wmt21_docdrop_<src>-<tgt>.jsonl for every direction (not committed: the test sets'
    terms of redistribution are not stated)."""
    for direction in WMT21_DIRECTIONS:
        docs = wmt21_documents(repo, direction)
        records = wmt21_records(docs, direction)
        write_jsonl(BUILT / f"wmt21_docdrop_{direction}.jsonl", records)
        print(f"wmt21 {direction}: {len(docs)} documents ({sum(len(d['source']) for d in docs)} segments), "
              f"{len(records)} kept ({sum(len(r['source']) for r in records)} segments)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["docs", "ntrex-more", "ui", "ui-more", "mqm", "pathologies", "mlqe", "mlqe-dev", "wmt21"])
    parser.add_argument("--ntrex", type=pathlib.Path, help="bare git dir of MicrosoftTranslator/NTREX")
    parser.add_argument("--excalidraw", type=pathlib.Path, help="bare git dir of excalidraw/excalidraw")
    parser.add_argument("--uptime-kuma", type=pathlib.Path, help="bare git dir of louislam/uptime-kuma")
    parser.add_argument("--mqm", type=pathlib.Path, help="bare git dir of google/wmt-mqm-human-evaluation")
    parser.add_argument("--pathologies", type=pathlib.Path, help="bare git dir of deep-spin/hallucinations-in-nmt")
    parser.add_argument("--mlqe", type=pathlib.Path, help="bare git dir of sheffieldnlp/mlqe-pe")
    parser.add_argument("--wmt21", type=pathlib.Path, help="bare git dir of wmt-conference/wmt21-news-systems")
    args = parser.parse_args(argv)
    if args.what in ("ui", "ui-more"):
        if not (args.excalidraw and args.uptime_kuma):
            parser.error(f"{args.what} needs --excalidraw and --uptime-kuma")
        (build_ui if args.what == "ui" else build_ui_more)({"excalidraw": args.excalidraw, "uptime-kuma": args.uptime_kuma})
        return
    option = {"docs": "ntrex", "ntrex-more": "ntrex", "mqm": "mqm", "pathologies": "pathologies", "mlqe": "mlqe", "mlqe-dev": "mlqe", "wmt21": "wmt21"}[args.what]
    source = getattr(args, option)
    if source is None:
        parser.error(f"{args.what} needs --{option}")
    {"docs": build_docs, "ntrex-more": build_ntrex_more, "mqm": build_mqm, "pathologies": build_pathologies, "mlqe": build_mlqe, "mlqe-dev": build_mlqe_dev,
     "wmt21": build_wmt21}[args.what](source)


if __name__ == "__main__":
    main()
