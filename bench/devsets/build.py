"""Build the development sets of bench/devsets/ from fetched public repository snapshots.

The committed files under bench/devsets/data/ were written by this script; run it again only to
rebuild them (or to build the sets that may not be committed, under bench/devsets/built/):

    python bench/devsets/build.py docs  --ntrex /path/to/MicrosoftTranslator+NTREX/repo
    python bench/devsets/build.py ui    --excalidraw /path/to/excalidraw+excalidraw/repo
    python bench/devsets/build.py mqm   --mqm /path/to/google+wmt-mqm-human-evaluation/repo

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
UI_LOCALES = {"ja": "ja-JP", "zh": "zh-CN", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "ko": "ko-KR"}
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


# --- short UI strings (Excalidraw locales) --------------------------------------------------

def _flatten(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def build_ui(excalidraw: pathlib.Path) -> None:
    """data/ui_strings.jsonl: Excalidraw's English UI strings of at most 6 words without
    placeholders or markup, paired with their translations where the locale has one."""
    base = "packages/excalidraw/locales"
    english = dict(_flatten(json.loads(git_show(excalidraw, f"{base}/en.json"))))
    records = []
    for lang, locale in UI_LOCALES.items():
        translated = dict(_flatten(json.loads(git_show(excalidraw, f"{base}/{locale}.json"))))
        for key, source in english.items():
            target = translated.get(key)
            if not isinstance(source, str) or not isinstance(target, str):
                continue
            source, target = source.strip(), target.strip()
            if not source or not target or len(source.split()) > 6 or PLACEHOLDER.search(source + target):
                continue
            records.append({"id": f"excalidraw:{locale}:{key}", "src_lang": "en", "tgt_lang": lang,
                            "source": source, "translation": target})
    n = write_jsonl(DATA / "ui_strings.jsonl", records)
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["docs", "ui", "mqm"])
    parser.add_argument("--ntrex", type=pathlib.Path, help="bare git dir of MicrosoftTranslator/NTREX")
    parser.add_argument("--excalidraw", type=pathlib.Path, help="bare git dir of excalidraw/excalidraw")
    parser.add_argument("--mqm", type=pathlib.Path, help="bare git dir of google/wmt-mqm-human-evaluation")
    args = parser.parse_args(argv)
    source = {"docs": args.ntrex, "ui": args.excalidraw, "mqm": args.mqm}[args.what]
    if source is None:
        parser.error(f"{args.what} needs --{ {'docs': 'ntrex', 'ui': 'excalidraw', 'mqm': 'mqm'}[args.what]}")
    {"docs": build_docs, "ui": build_ui, "mqm": build_mqm}[args.what](source)


if __name__ == "__main__":
    main()
