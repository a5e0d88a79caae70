"""`export --format parquet -o DIR`: hive partitions by run that DuckDB reads back, values and
awkward run names ('/', spaces, '=', Unicode) intact."""

from __future__ import annotations

import json
import math
import os

import pytest

import summary
from tests.cli.test_inspect_export import cli

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

RUNS = ["train/lr=0.1 wd", "eval", "日本語 ünï", "a=b=c", "007"]


@pytest.fixture
def awkward_runs(logdir):
    for index, run in enumerate(RUNS):
        with summary.create_file_writer(os.path.join(logdir, run)):
            for step in range(3):
                value = float("nan") if (index, step) == (1, 1) else index + step / 2
                summary.scalar("loss", value, step=step)
            summary.text("note", f"{run} done", step=3)
    return logdir


def test_duckdb_reads_the_export_back(awkward_runs, tmp_path):
    out = tmp_path / "parquet"
    done = cli("export", awkward_runs, "--format", "parquet", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert len(os.listdir(out)) == len(RUNS)
    query = f"""
        select run, tag, plugin, step, value, value_json
        from read_parquet('{out}/*/*.parquet', hive_partitioning = true,
                          hive_types = {{'run': 'VARCHAR'}})
        order by run, tag, step
    """
    rows = duckdb.sql(query).fetchall()
    assert {row[0] for row in rows} == set(RUNS)
    for index, run in enumerate(RUNS):
        loss = [(step, value) for r, tag, _, step, value, _ in rows if r == run and tag == "loss"]
        assert [step for step, _ in loss] == [0, 1, 2]
        for step, value in loss:
            if (index, step) == (1, 1):
                assert math.isnan(value)
            else:
                assert value == index + step / 2
        (note,) = [row for row in rows if row[0] == run and row[1] == "note"]
        assert note[2:5] == ("text", 3, None) and json.loads(note[5]) == f"{run} done"
    ((wall,),) = duckdb.sql(
        f"select min(wall_time) from read_parquet('{out}/*/*.parquet')"
    ).fetchall()
    assert wall > 1e9


def test_parquet_needs_an_empty_directory(awkward_runs, tmp_path):
    done = cli("export", awkward_runs, "--format", "parquet")
    assert done.returncode == 1 and "-o DIR" in done.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.parquet").write_bytes(b"")
    done = cli("export", awkward_runs, "--format", "parquet", "-o", str(tmp_path / "full"))
    assert done.returncode == 1 and "directory is not empty" in done.stderr
