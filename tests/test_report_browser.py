"""The report as a localization lead uses it, in a real headless Chromium driven over the
DevTools protocol: a three-file job scored by `lacuna score`, then the per-file view, the file,
label and text filters, and the CSV and XLIFF exports."""

from __future__ import annotations

import csv
import io
import json
import pathlib
import sys
import time
import urllib.parse

import pytest

from lacuna.client.batch import main as score_main

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench"))

from headless import Headless, chromium_path  # noqa: E402

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="app.json" source-language="en" target-language="de" datatype="plaintext">
    <body>
      <trans-unit id="greet"><source>Hello and welcome.</source><target>Hallo und willkommen.</target></trans-unit>
      <trans-unit id="price">
        <source>The ticket costs 25 euros.</source>
        <target>Das Ticket kostet 52 Euro.</target>
      </trans-unit>
      <trans-unit id="save"><source>Press Save to keep your changes.</source><target>Press Save to keep your changes.</target></trans-unit>
    </body>
  </file>
</xliff>
"""

PO = """msgid ""
msgstr ""
"Language: de\\n"
"X-Source-Language: en\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

#: src/door.c:12
msgid "Open the door at 7 pm."
msgstr "Öffnen Sie die Tür um 9 Uhr."

#, fuzzy
msgid "Close the window before you leave."
msgstr "Close the window before you leave."

msgid "Thank you for your visit."
msgstr "Vielen Dank für Ihren Besuch."
"""

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" creationtool="test" creationtoolversion="1" o-tmf="none"/>
  <body>
    <tu tuid="t1"><tuv xml:lang="en"><seg>The museum opens at 10 every morning.</seg></tuv><tuv xml:lang="fr"><seg>Le musée ouvre à 11 h chaque matin.</seg></tuv></tu>
    <tu tuid="t2"><tuv xml:lang="en"><seg>Good morning and welcome.</seg></tuv><tuv xml:lang="fr"><seg>Bonjour et bienvenue.</seg></tuv></tu>
  </body>
</tmx>
"""


@pytest.fixture(scope="module")
def job(checks_server, tmp_path_factory):
    """A three-file job (XLIFF, PO, TMX) scored by the batch client: its records and report."""
    folder = tmp_path_factory.mktemp("job")
    files = {"app.xlf": XLIFF, "door.po": PO, "museum.tmx": TMX}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    results, report = folder / "results.jsonl", folder / "report.html"
    code = score_main([*(str(folder / n) for n in files), "--server", checks_server.address,
                       "--output", str(results), "--html", str(report), "--job-name", "weekly", "--quiet",
                       "--include-unready"])  # the fuzzy PO entry too
    assert code == 0
    records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    return records, report


@pytest.fixture(scope="module")
def browser():
    if chromium_path() is None:
        pytest.fail("headless Chromium is needed to test the report: apt-get install chromium (.ci/run does)")
    with Headless() as b:
        yield b


def shown_rows(browser) -> list[dict]:
    return browser.eval("""Array.from(document.querySelectorAll('#segment-rows tr.seg')).map(function (tr) {
        return {id: tr.dataset.id, file: tr.dataset.file || '', where: (tr.querySelector('.where') || {}).textContent || '',
                text: tr.textContent}; })""")


def flagged(records, **where) -> list[dict]:
    return [r for r in records if (r.get("flags") or r.get("error"))
            and all(r.get(k) == v for k, v in where.items())]


def test_records_carry_file_unit_and_line(job):
    records, _ = job
    by_id = {r["id"]: r for r in records}
    price = next(r for r in records if r["id"].endswith("app.xlf:price"))
    assert (price["unit_id"], price["line"]) == ("price", 6)
    door = next(r for r in records if r["source"].startswith("Open the door"))
    assert door["line"] == 8 and "unit_id" not in door  # its msgid line
    t1 = next(r for r in records if r.get("unit_id") == "t1")
    assert t1["source_file"].endswith("museum.tmx") and t1["line"] == 5
    assert len(by_id) == 8


def test_per_file_view(job, browser):
    records, report = job
    browser.open(report)
    files = browser.eval("""Array.from(document.querySelectorAll('#files-table tr.file-row')).map(function (tr) {
        var cells = tr.querySelectorAll('td');
        return {file: tr.dataset.file, segments: +cells[1].textContent, flagged: +cells[3].textContent,
                critical: +tr.querySelector('[data-severity=critical]').textContent,
                major: +tr.querySelector('[data-severity=major]').textContent}; })""")
    expected = []
    for name in sorted({r["source_file"] for r in records}):
        mine = [r for r in records if r["source_file"] == name]
        sev = [f["severity"] for r in mine for f in r.get("flags") or []]
        expected.append({"file": name, "segments": len(mine), "flagged": sum(1 for r in mine if r.get("flags")),
                         "critical": sev.count("critical"), "major": sev.count("major")})
    assert files == expected and all(f["flagged"] for f in files)

    xliff = next(f["file"] for f in files if f["file"].endswith("app.xlf"))
    browser.click(f'#files-table tr.file-row[data-file="{xliff}"] a')
    browser.wait_for(f"location.hash === '#file={urllib.parse.quote(xliff, safe='')}'"
                     " && document.querySelector('#f-file').value.length > 0")
    rows = shown_rows(browser)
    assert {r["id"] for r in rows} == {r["id"] for r in flagged(records, source_file=xliff)}
    assert all(r["file"] == xliff for r in rows)
    price = next(r for r in rows if r["id"].endswith(":price"))
    assert price["where"] == f"{xliff} · unit price · line 6"
    assert browser.eval("document.querySelector('tr.file-row.current').dataset.file") == xliff


def test_text_search_and_label_filter(job, browser):
    records, report = job
    browser.open(report)
    browser.type_into("#f-q", "MUSÉE")  # case-insensitive, over the translation
    browser.wait_for("location.hash.indexOf('q=') >= 0")
    rows = shown_rows(browser)
    assert [r["id"] for r in rows] == [r["id"] for r in flagged(records) if "musée" in r["translation"].lower()]

    browser.type_into("#f-q", "price")  # a unit id
    browser.wait_for("location.hash.indexOf('q=price') >= 0")
    assert [r["id"] for r in shown_rows(browser)] == [r["id"] for r in records if r.get("unit_id") == "price"]

    browser.click("#clear")
    assert browser.eval("document.getElementById('shown-count').textContent") == str(len(flagged(records)))
    fuzzy = [r["id"] for r in flagged(records) if r.get("labels", {}).get("fuzzy") == "true"]
    assert fuzzy and browser.eval("Array.from(document.querySelectorAll('[data-label=fuzzy] option'))"
                                  ".map(function (o) { return o.value; })") == ["", "true"]
    browser.choose("[data-label=fuzzy]", "true")
    assert [r["id"] for r in shown_rows(browser)] == fuzzy
    assert "label.fuzzy=true" in browser.eval("location.hash")
    # the filters survive a reload from the URL
    browser.open(report, "#label.fuzzy=true")
    assert [r["id"] for r in shown_rows(browser)] == fuzzy


def test_export_csv_and_xliff_of_the_filtered_segments(job, browser):
    from lxml import etree
    from translate.storage import xliff as toolkit_xliff

    records, report = job
    po = next(r["source_file"] for r in records if r["source_file"].endswith("door.po"))
    browser.open(report, "#" + urllib.parse.urlencode({"file": po}))
    assert {r["id"] for r in shown_rows(browser)} == {r["id"] for r in flagged(records, source_file=po)}

    browser.click("#export-csv")
    [csv_file] = browser.downloads(1)
    assert csv_file.name == "lacuna-flagged.csv"
    table = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
    assert [row["id"] for row in table] == [r["id"] for r in shown_rows(browser)]
    door = next(row for row in table if row["source"].startswith("Open the door"))
    assert door["file"] == po and door["line"] == "8" and "number_mismatch/major" in door["flags"]
    assert door["translation"] == "Öffnen Sie die Tür um 9 Uhr." and door["flagged_translation"] == "9"

    browser.click("#export-xliff")
    [xlf] = browser.downloads(1)
    data = xlf.read_bytes()
    etree.fromstring(data)  # well-formed
    store = toolkit_xliff.xlifffile.parsestring(data)
    units = [u for u in store.units if not u.isheader()]
    assert [u.xmlelement.get("id") for u in units] == [r["id"] for r in shown_rows(browser)]
    by_source = {str(u.source): u for u in units}
    notes = by_source["Open the door at 7 pm."].getnotes()
    assert "number_mismatch (major" in notes and "translation: “9”" in notes
    assert str(by_source["Open the door at 7 pm."].target) == "Öffnen Sie die Tür um 9 Uhr."
    assert store.getsourcelanguage() == "en" and store.gettargetlanguage() == "de"
    assert "fuzzy=true" in [row for row in table if row["source"].startswith("Close")][0]["labels"]


def test_hundred_thousand_segments_open_quickly(tmp_path, browser):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench"))
    from bench_report import records as synthetic

    from lacuna.client.report import write_report

    recs = synthetic(100_000, references=False)
    last = next(r["id"] for r in reversed(recs) if r["flags"])
    page = write_report(recs, tmp_path / "big.html")
    seconds = browser.open(page)
    started = time.perf_counter()
    browser.type_into("#f-q", last)
    browser.wait_for("document.getElementById('shown-count').textContent === '1'")
    searched = time.perf_counter() - started
    print(f"100,000 segments: {page.stat().st_size / 1e6:.1f} MB, open {seconds:.2f} s, search {searched:.2f} s")
    assert browser.eval("document.getElementById('stat-segments').textContent") == "100000"
    assert seconds < 10 and searched < 5  # generous for CI; bench/bench_report.py measures it
