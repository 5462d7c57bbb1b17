"""The HTML report, rendered by a real headless Chromium (Debian's `chromium`, installed by .ci/run)."""

from __future__ import annotations

import html
import json
import random
import re
import shutil
import struct
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from lacuna.client import Client
from lacuna.client.client import result_to_json
from lacuna.client.report import main as report_main
from lacuna.client.report import summarize, write_report


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium is needed to test the report: apt-get install chromium (.ci/run does)")


def browse(page, *args: str, fragment: str = "", timeout: float = 90) -> bytes:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               "--virtual-time-budget=10000",
               *args, page.as_uri() + fragment]
        done = subprocess.run(cmd, capture_output=True, timeout=timeout)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout


def dump_dom(page, fragment: str = "") -> str:
    return browse(page, "--dump-dom", fragment=fragment).decode("utf-8")


def rows_of(dom: str) -> list[str]:
    """The rendered segment rows (each <tr class="seg" ...>...</tr>)."""
    return re.findall(r'<tr class="seg".*?</tr>', dom, flags=re.S)


def marks(fragment: str, kind: str) -> list[str]:
    """Texts highlighted as `kind` in a piece of the DOM."""
    return [html.unescape(t) for t in re.findall(rf'<mark class="hl t-{kind}[^"]*"[^>]*>(.*?)</mark>', fragment)]


def cell(row: str, side: str) -> str:
    return re.search(rf'<td class="text {side}">(.*?)</td>', row, flags=re.S).group(1)


def text_of(dom: str, element_id: str) -> str:
    return html.unescape(re.search(rf'id="{element_id}"[^>]*>([^<]*)<', dom).group(1))


# -- records -------------------------------------------------------------------------------

SRC_OMIT = "The museum opens on Monday, and entry is free for children under twelve."
TGT_OMIT = "Le musée ouvre lundi."
SRC_ADD = "Keep the receipt."
TGT_ADD = "Gardez le reçu, et n'oubliez pas de sourire au caissier."
XSS = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'


def handmade_records() -> list[dict]:
    """Records as `lacuna score --output` writes them, with omission/addition spans (omission is off
    on the test server)."""
    omitted = SRC_OMIT.index(", and entry")
    added = TGT_ADD.index(", et n'oubliez")
    return [
        {"id": "omit-1", "src_lang": "en", "tgt_lang": "fr", "source": SRC_OMIT, "translation": TGT_OMIT,
         "passed": False, "scores": {"omission": 0.81}, "labels": {"project": "museum"},
         "source_file": "site/fr.xliff",
         "flags": [{"type": "omission", "severity": "major", "source_span": {"start": omitted, "end": len(SRC_OMIT) - 1},
                    "confidence": 0.93, "message": "this source passage is missing", "detector": "omission"}]},
        {"id": "add-1", "src_lang": "en", "tgt_lang": "fr", "source": SRC_ADD, "translation": TGT_ADD, "passed": True,
         "scores": {"addition": 0.4}, "labels": {},
         "flags": [{"type": "addition", "severity": "minor", "target_span": {"start": added, "end": len(TGT_ADD) - 1},
                    "confidence": 0.6, "message": "this passage is not in the source", "detector": "omission"}]},
        {"id": XSS, "src_lang": "en", "tgt_lang": "de", "source": XSS, "translation": XSS + " 😀 é",
         "passed": False, "scores": {}, "labels": {"project": XSS},
         "flags": [{"type": XSS, "severity": "major", "target_span": {"start": 0, "end": 5}, "message": XSS,
                    "confidence": 1.0, "detector": XSS}]},
        {"id": "broken", "src_lang": "en", "tgt_lang": "de", "source": "Hello.", "translation": "Hallo.",
         "passed": False, "error": {"code": "INTERNAL", "field": "segments[3]", "message": "scorer failed"}},
        {"id": "bare"},  # optional keys missing
    ]


SERVER_SEGMENTS = [
    {"id": "num-1", "source": "The ferry carries 25 cars and 310 people.",
     "translation": "Die Fähre befördert 52 Autos und 310 Personen.", "src_lang": "en", "tgt_lang": "de",
     "reference": "Die Fähre befördert 25 Autos und 310 Personen."},
    {"id": "empty-1", "source": "Turn left after the bridge.", "translation": "", "src_lang": "en", "tgt_lang": "de"},
    {"id": "same-1", "source": "Please wait while we check your booking.",
     "translation": "Please wait while we check your booking.", "src_lang": "en", "tgt_lang": "fr"},
    {"id": "good-1", "source": "The garden is closed today.", "translation": "Der Garten ist heute geschlossen.",
     "src_lang": "en", "tgt_lang": "de", "reference": "Der Garten ist heute geschlossen."},
    {"id": "good-2", "source": "We will call you tomorrow.", "translation": "Nous vous appellerons demain.",
     "src_lang": "en", "tgt_lang": "fr", "reference": "Nous vous rappellerons demain."},
]


@pytest.fixture(scope="module")
def server_records():
    """Records scored by a real server on loopback (checks + BLEU/chrF/TER)."""
    from dataclasses import replace

    from lacuna.server.app import LacunaServer
    from lacuna.server.config import ServerConfig

    server = LacunaServer(replace(ServerConfig(port=0, workers=2), omission=False)).start()
    try:
        with Client(server.address) as client:
            response = client.score_pb(SERVER_SEGMENTS)
    finally:
        server.stop(grace=None)
    records = []
    for seg, result in zip(SERVER_SEGMENTS, response.results):
        rec = result_to_json(result)
        rec.update({k: v for k, v in seg.items() if k != "id"})
        rec["labels"] = {}
        records.append(rec)
    return records


@pytest.fixture(scope="module")
def report(server_records, tmp_path_factory):
    records = server_records + handmade_records()
    out = tmp_path_factory.mktemp("report") / "report.html"
    path = write_report(records, out, title="Weekly <b>check</b>")
    return path, records


# -- tests ---------------------------------------------------------------------------------

def test_report_is_one_offline_file(report):
    path, _ = report
    page = path.read_text(encoding="utf-8")
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "<script></script>", page, flags=re.S)
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', markup), "the page must not load anything"
    assert not re.search(r"<script[^>]+src=", markup) and not re.search(r"<link\b", markup)
    assert "default-src 'none'" in page
    assert "<title>Weekly &lt;b&gt;check&lt;/b&gt;</title>" in page
    assert "plotly" not in page.lower() and len(page.encode()) < 100_000  # a few KB of style and script
    assert page.count("<svg") >= 3  # the charts are inline SVG


def test_report_screenshot(report, tmp_path):
    path, _ = report
    shot = tmp_path / "report.png"
    browse(path, f"--screenshot={shot}", "--window-size=1400,2000")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 2000)
    assert len(data) > 50_000  # a drawn page, not a blank one


def test_report_content_after_scripts_ran(report):
    path, records = report
    dom = dump_dom(path)
    assert 'data-rendered="true"' in dom
    assert text_of(dom, "stat-segments") == str(len(records))
    passed = sum(1 for r in records if r.get("passed") and not r.get("error"))
    assert text_of(dom, "stat-passed") == str(passed)
    assert text_of(dom, "stat-errors") == "1"

    rows = rows_of(dom)
    flagged_or_failed = [r for r in records if r.get("flags") or r.get("error")]
    assert len(rows) == len(flagged_or_failed) == int(text_of(dom, "shown-count"))
    ids = [html.unescape(re.search(r'data-id="([^"]*)"', r).group(1)) for r in rows]
    # Worst first: the critical flags (empty, untranslated), then major, then minor; errors last.
    assert set(ids[:2]) == {"empty-1", "same-1"} and ids[-2:] == ["add-1", "broken"]

    by_id = dict(zip(ids, rows))
    assert marks(cell(by_id["omit-1"], "src"), "omission") == [", and entry is free for children under twelve"]
    assert marks(cell(by_id["add-1"], "tgt"), "addition") == [", et n'oubliez pas de sourire au caissier"]
    assert marks(cell(by_id["num-1"], "src"), "number_mismatch") == ["25"]
    assert marks(cell(by_id["num-1"], "tgt"), "number_mismatch") == ["52"]
    assert "scorer failed" in by_id["broken"]

    # Hostile text is shown as text, never run or parsed as markup.
    assert "<img" not in dom and "pwned</title>" not in dom
    assert "<title>Weekly &lt;b&gt;check&lt;/b&gt;</title>" in dom
    for side, expected in (("src", XSS), ("tgt", XSS + " 😀 é")):
        shown = re.sub(r"<[^>]+>", "", cell(by_id[XSS], side).split('<ul class="msgs">')[0])
        assert html.unescape(shown) == expected
    assert marks(cell(by_id[XSS], "tgt"), "_img_src_x_onerror__document_title__pwned____script_document_title__pwned___script_") \
        == ["<img "]

    # Charts are inline SVG, there before any script runs: flags, pass rate, one per metric.
    assert len(re.findall(r'<svg class="chart"', dom)) >= 4 and 'id="chart-flags"' in dom


def test_corpus_scores_say_how_they_were_computed(report):
    path, records = report
    data = summarize(records)
    de = next(p for p in data.pairs if p.pair == "en → de")
    bleu = next(s for s in de.scores if s.metric == "bleu")
    assert bleu.how == "corpus" and bleu.segments == 2 and "tok:13a" in bleu.note
    fr = next(p for p in data.pairs if p.pair == "en → fr")
    assert next(s for s in fr.scores if s.metric == "omission").how == "mean"
    dom = dump_dom(path)
    row = re.search(r'<tr class="pair-row" data-pair="en → de">.*?</tr>', dom, flags=re.S).group(0)
    assert f'data-metric="bleu" data-how="corpus"' in row and f"{bleu.value:.2f}" in row


@pytest.mark.parametrize("filters", [{"type": "number_mismatch"}, {"severity": "critical"},
                                     {"pair": "en → fr", "severity": "minor"}, {"type": "(error)"}])
def test_filters_from_the_url(report, filters):
    path, records = report
    dom = dump_dom(path, "#" + urllib.parse.urlencode(filters))
    rows = rows_of(dom)

    def keep(r):
        if filters.get("type") == "(error)":
            return bool(r.get("error"))
        if filters.get("pair") and f"{r.get('src_lang')} → {r.get('tgt_lang')}" != filters["pair"]:
            return False
        return any((filters.get("type") in (None, f["type"])) and (filters.get("severity") in (None, f["severity"]))
                   for f in r.get("flags") or [])

    expected = {r["id"] for r in records if keep(r)}
    got = {html.unescape(re.search(r'data-id="([^"]*)"', r).group(1)) for r in rows}
    assert got == expected and expected
    assert text_of(dom, "shown-count") == str(len(expected))


def test_ten_thousand_segments(tmp_path):
    rng = random.Random(7)
    sources = ["The bus leaves at 8 and arrives at 11.", "Our office is closed for the holidays.",
               "Add two eggs and stir for three minutes.", "Read the manual before first use."]
    records = []
    for i in range(10_000):
        src = sources[i % 4]
        tgt = ["fr", "de", "ja"][i % 3]
        flags = []
        if i % 2 == 0:
            flags.append({"type": rng.choice(["omission", "number_mismatch", "length_ratio"]),
                          "severity": rng.choice(["minor", "major", "critical"]),
                          "source_span": {"start": 4, "end": 12}, "confidence": rng.random(), "message": "m",
                          "detector": "test"})
        records.append({"id": f"s{i:05d}", "src_lang": "en", "tgt_lang": tgt, "source": src,
                        "translation": f"{src[::-1]} #{i}", "passed": not flags, "labels": {"batch": str(i // 1000)},
                        "scores": {"chrf": round(rng.uniform(10, 95), 2), "omission": round(rng.random(), 3)},
                        "flags": flags, "source_file": f"part{i % 7}.jsonl"})
    out = tmp_path / "big.html"
    started = time.perf_counter()
    write_report(records, out)
    written = time.perf_counter() - started
    size = out.stat().st_size
    assert size < 20_000_000, size

    started = time.perf_counter()
    dom = dump_dom(out, "#page=100")
    loaded = time.perf_counter() - started
    print(f"10,000 segments: written in {written:.1f}s, {size / 1e6:.1f} MB, dump-dom in {loaded:.1f}s")
    assert text_of(dom, "stat-segments") == "10000"
    assert text_of(dom, "shown-count") == "5000"
    assert text_of(dom, "page-info") == "page 100 of 100"
    assert len(rows_of(dom)) == 50


def test_cli(tmp_path, capsys):
    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in handmade_records()) + "\n\n",
                       encoding="utf-8")
    out = tmp_path / "out" / "r.html"
    assert report_main([str(results), "-o", str(out)]) == 0
    assert out.exists() and "5 segments" in capsys.readouterr().out

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n{"id": \n', encoding="utf-8")
    assert report_main([str(bad), "-o", str(tmp_path / "x.html")]) == 2
    assert f"{bad}:2: not a JSON object" in capsys.readouterr().err
