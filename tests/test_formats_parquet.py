"""Parquet inputs and input directories (folders of JSONL or Parquet parts), for either engine."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq

from lacuna.client.batch import main, read_inputs
from lacuna.client.formats import InputProblem, ReadOptions, read_file


def _parquet(path, rows: dict) -> str:
    pq.write_table(pa.table(rows), path)
    return str(path)


def test_parquet_rows_become_records_and_bad_rows_name_their_row(tmp_path):
    path = _parquet(tmp_path / "job.parquet", {
        "id": ["a", None, "c"], "source": ["One.", "Two.", None], "translation": ["Eins.", "Zwei.", "Drei."],
        "labels": ['{"project": "web"}', "", None]})
    items = list(read_file(path, ReadOptions(src_lang="en", tgt_lang="de")))
    a, b, c = items
    assert (a.id, a.source, a.translation, a.labels, a.src_lang) == ("a", "One.", "Eins.", {"project": "web"}, "en")
    assert b.id == f"{path}:2" and b.location == "row 2" and b.labels == {}
    assert isinstance(c, InputProblem) and c.location == "row 3" and "source" in c.message


def test_a_directory_stands_for_the_files_in_it(tmp_path):
    parts = tmp_path / "parts"
    (parts / "nested").mkdir(parents=True)
    _parquet(parts / "part-0.parquet", {"id": ["p1"], "source": ["One."], "translation": ["Eins."]})
    (parts / "nested" / "part-1.jsonl").write_text(
        json.dumps({"id": "j1", "source": "Two.", "translation": "Zwei."}) + "\n", encoding="utf-8")
    (parts / "_SUCCESS").write_text("")
    (parts / ".part-0.parquet.crc").write_text("")
    records, problems = read_inputs([str(parts)], ReadOptions(src_lang="en", tgt_lang="de"), False)
    assert not problems
    assert [r.id for r in records] == ["j1", "p1"]  # in path order: nested/part-1.jsonl < part-0.parquet


def test_an_empty_directory_is_an_input_error(tmp_path, capsys):
    empty = tmp_path / "empty.parquet"
    empty.mkdir()
    assert main([str(empty), "--src-lang", "en", "--tgt-lang", "de", "--server", "127.0.0.1:1"]) == 2
    assert "no file of a known format" in capsys.readouterr().err


def test_parquet_results_need_the_ray_engine(tmp_path, capsys):
    job = tmp_path / "job.jsonl"
    job.write_text(json.dumps({"source": "One.", "translation": "Eins."}) + "\n", encoding="utf-8")
    code = main([str(job), "--src-lang", "en", "--tgt-lang", "de", "-o", str(tmp_path / "r.parquet"),
                 "--server", "127.0.0.1:1"])
    assert code == 2 and "--engine ray" in capsys.readouterr().err
