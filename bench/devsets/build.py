"""Build the development sets of bench/devsets/ from fetched public repository snapshots.

The committed files under bench/devsets/data/ were written by this script; run it again only to
rebuild them (or to build the sets that may not be committed, under bench/devsets/built/):

    python bench/devsets/build.py docs  --ntrex /path/to/MicrosoftTranslator+NTREX/repo
    python bench/devsets/build.py ui    --excalidraw /path/to/excalidraw+excalidraw/repo \\
                                        --uptime-kuma /path/to/louislam+uptime-kuma/repo
    python bench/devsets/build.py mqm   --mqm /path/to/google+wmt-mqm-human-evaluation/repo
    python bench/devsets/build.py mlqe  --mlqe /path/to/sheffieldnlp+mlqe-pe/repo
    python bench/devsets/build.py mlqe-dev --mlqe /path/to/sheffieldnlp+mlqe-pe/repo   # fitting data

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
from collections import defaultdict

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data"
BUILT = HERE / "built"

NTREX_LANGS = {"en": "src.eng", "ja": "ref.jpn", "de": "ref.deu", "zh": "ref.zho-CN"}
DOC_DIRECTIONS = ("en-ja", "ja-en", "en-de", "de-en", "en-zh", "zh-en")
DROP_SEED = 14
UI_PROJECTS = {  # project: (folder of the locale files, English file, {language: locale file})
    "excalidraw": ("packages/excalidraw/locales", "en.json",
                   {"ja": "ja-JP.json", "zh": "zh-CN.json", "de": "de-DE.json", "fr": "fr-FR.json",
                    "es": "es-ES.json", "ko": "ko-KR.json"}),
    "uptime-kuma": ("src/lang", "en.json",
                    {"ja": "ja.json", "zh": "zh-CN.json", "de": "de-DE.json", "fr": "fr-FR.json",
                     "es": "es-ES.json", "ko": "ko-KR.json"}),
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

def ntrex_documents(repo: pathlib.Path) -> list[dict]:
    """NTREX-128's 123 news documents, line-aligned in en/ja/de/zh, split by DOCUMENT_IDS.tsv."""
    doc_ids = git_show(repo, "DOCUMENT_IDS.tsv").splitlines()
    lines = {lang: git_show(repo, f"NTREX-128/newstest2019-{name}.txt").splitlines()
             for lang, name in NTREX_LANGS.items()}
    assert all(len(v) == len(doc_ids) for v in lines.values()), "NTREX files are not line-aligned"
    docs: dict[str, dict] = {}
    for i, doc_id in enumerate(doc_ids):
        doc = docs.setdefault(doc_id, {"doc": doc_id, "sentences": {lang: [] for lang in NTREX_LANGS}})
        for lang in NTREX_LANGS:
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
    docs = ntrex_documents(ntrex)
    n = write_jsonl(DATA / "ntrex_docs.jsonl", docs)
    drops = {}
    for direction in DOC_DIRECTIONS:
        rng = random.Random(f"{DROP_SEED}:{direction}")
        drops[direction] = {doc["doc"]: choose_drops(len(doc["sentences"]["en"]), rng) for doc in docs}
    (DATA / "ntrex_drops.json").write_text(json.dumps({"seed": DROP_SEED, "drops": drops}, indent=0) + "\n",
                                           encoding="utf-8")
    print(f"ntrex: {n} documents, drops for {len(drops)} directions")


# --- short UI strings (Excalidraw and Uptime Kuma locales) --------------------------------------------------

def _flatten(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def ui_pairs(repo: pathlib.Path, project: str) -> list[dict]:
    """A project's English UI strings of at most 6 words without placeholders or markup,
    paired with each locale's non-empty translation."""
    folder, english_file, locales = UI_PROJECTS[project]
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
    records = [r for pair in MLQE_PAIRS for r in mlqe_segments(mlqe, pair)]
    n = write_jsonl(DATA / "mlqe_pe_test21.jsonl", records)
    for pair in MLQE_PAIRS:
        rows = [r for r in records if r["id"].startswith(f"mlqe-pe-{pair}:")]
        print(f"mlqe-pe {pair}: {len(rows)} rows, {sum(r['label'] for r in rows)} labelled 1")
    print(f"mlqe-pe: {n} rows")


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
    records = [r for pair in MLQE_DEV_PAIRS for r in mlqe_dev_segments(mlqe, pair)]
    n = write_jsonl(DATA / "mlqe_pe_wmt20_dev.jsonl", records)
    for pair in MLQE_DEV_PAIRS:
        rows = [r for r in records if r["id"].startswith(f"mlqe-pe-wmt20-{pair}:")]
        print(f"mlqe-pe wmt20 dev {pair}: {len(rows)} rows, {sum(r['label'] for r in rows)} labelled 1")
    print(f"mlqe-pe wmt20 dev: {n} rows")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["docs", "ui", "mqm", "mlqe", "mlqe-dev"])
    parser.add_argument("--ntrex", type=pathlib.Path, help="bare git dir of MicrosoftTranslator/NTREX")
    parser.add_argument("--excalidraw", type=pathlib.Path, help="bare git dir of excalidraw/excalidraw")
    parser.add_argument("--uptime-kuma", type=pathlib.Path, help="bare git dir of louislam/uptime-kuma")
    parser.add_argument("--mqm", type=pathlib.Path, help="bare git dir of google/wmt-mqm-human-evaluation")
    parser.add_argument("--mlqe", type=pathlib.Path, help="bare git dir of sheffieldnlp/mlqe-pe")
    args = parser.parse_args(argv)
    if args.what == "ui":
        if not (args.excalidraw and args.uptime_kuma):
            parser.error("ui needs --excalidraw and --uptime-kuma")
        build_ui({"excalidraw": args.excalidraw, "uptime-kuma": args.uptime_kuma})
        return
    option = {"docs": "ntrex", "mqm": "mqm", "mlqe": "mlqe", "mlqe-dev": "mlqe"}[args.what]
    source = getattr(args, option)
    if source is None:
        parser.error(f"{args.what} needs --{option}")
    {"docs": build_docs, "mqm": build_mqm, "mlqe": build_mlqe, "mlqe-dev": build_mlqe_dev}[args.what](source)


if __name__ == "__main__":
    main()
