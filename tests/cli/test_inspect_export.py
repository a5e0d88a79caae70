"""`python -m summary inspect|export`, end to end in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys

import numpy as np
import pytest

import summary


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "summary", *args],
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


@pytest.fixture
def runs(logdir):
    """train: loss and accuracy at steps 0..9; eval: loss at 0, 5; plus a text tag."""
    with summary.create_file_writer(os.path.join(logdir, "train")):
        for step in range(10):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            summary.scalar("accuracy", step / 10, step=step)
        summary.text("notes", "hello *world*", step=3)
    with summary.create_file_writer(os.path.join(logdir, "eval")):
        for step in (0, 5):
            summary.scalar("loss", 2.0 + step, step=step)
    return logdir


def test_help_lists_and_describes_every_command():
    top = cli("--help")
    assert top.returncode == 0
    for command in ("demo", "inspect", "export"):
        assert command in top.stdout
    for command, option in (("inspect", "--tag"), ("export", "--format")):
        done = cli(command, "--help")
        assert done.returncode == 0 and option in done.stdout and "DIR" in done.stdout


def test_inspect_prints_runs_tags_plugins_steps_and_counts(runs):
    done = cli("inspect", runs)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "2 runs" in out and "2 files" in out
    lines = out.splitlines()
    train = lines.index(next(line for line in lines if line.startswith("run train")))
    eval_ = lines.index(next(line for line in lines if line.startswith("run eval")))
    assert eval_ < train  # runs in name order
    rows = {tuple(line.split()[:4]) for line in lines if line.startswith("  ")}
    assert ("scalars", "loss", "10", "0..9") in rows
    assert ("scalars", "accuracy", "10", "0..9") in rows
    assert ("text", "notes", "1", "3") in rows
    assert ("scalars", "loss", "2", "0..5") in rows
    assert done.stderr == ""  # no progress meter when stderr is not a terminal


def test_inspect_filters_and_reports_missing_dir(runs, tmp_path):
    done = cli("inspect", runs, "--run", "eval", "--plugin", "scalars")
    assert "run eval" in done.stdout and "run train" not in done.stdout
    missing = cli("inspect", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr


def test_export_csv_to_stdout(runs):
    done = cli("export", runs, "--format", "csv", "--plugin", "scalars")
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(table[0]) == ["run", "tag", "plugin", "step", "wall_time", "value"]
    loss = [
        (int(r["step"]), float(r["value"]))
        for r in table
        if r["run"] == "train" and r["tag"] == "loss"
    ]
    expected = [(step, float(np.float32(1.0 / (step + 1)))) for step in range(10)]
    assert loss == expected
    assert {(r["run"], r["tag"]) for r in table} == {
        ("train", "loss"),
        ("train", "accuracy"),
        ("eval", "loss"),
    }
    assert all(float(r["wall_time"]) > 1e9 for r in table)


def test_export_jsonl_to_file_with_filters(runs, tmp_path):
    out = tmp_path / "rows.jsonl"
    done = cli(
        "export",
        runs,
        "--format",
        "jsonl",
        "--run",
        "train",
        "--tag",
        "notes",
        "--tag",
        "acc*",
        "-o",
        str(out),
    )
    assert done.returncode == 0 and done.stdout == ""
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {row["tag"] for row in rows} == {"notes", "accuracy"}
    (note,) = [row for row in rows if row["tag"] == "notes"]
    assert note == {**note, "run": "train", "plugin": "text", "step": 3, "value": "hello *world*"}
    accuracy = [row["value"] for row in rows if row["tag"] == "accuracy"]
    assert accuracy == [float(np.float32(step / 10)) for step in range(10)]


def test_progress_is_shown_on_a_terminal(runs):
    """stderr attached to a pseudo-terminal: the meter draws; stdout keeps only the report."""
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "summary", "inspect", runs],
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
            timeout=120,
        )
        os.close(terminal)
        terminal = -1
        shown = _read_all(controller)
    finally:
        if terminal >= 0:
            os.close(terminal)
        os.close(controller)
    assert done.returncode == 0 and "run train" in done.stdout
    assert "reading:" in shown and "MB" in shown


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def test_inspect_and_export_show_tensorboardx_hparams(logdir):
    """tensorboardX writes its hparams as metadata without a tensor; TensorBoard reads them (as
    the null tensor), so inspect lists them and export gives them, with an empty value."""
    tensorboardX = pytest.importorskip("tensorboardX")
    writer = tensorboardX.SummaryWriter(logdir)
    writer.add_hparams({"lr": 0.1, "optimizer": "sgd"}, {"hparam/accuracy": 0.9})
    writer.close()
    tags = {"_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info"}
    shown = cli("inspect", logdir)
    assert shown.returncode == 0, shown.stderr
    rows = {tuple(line.split()[:4]) for line in shown.stdout.splitlines() if line.startswith("  ")}
    assert {("hparams", tag, "1", "0") for tag in tags} <= rows
    exported = cli("export", logdir, "--format", "jsonl", "--plugin", "hparams")
    assert exported.returncode == 0, exported.stderr
    values = {row["tag"]: row for row in map(json.loads, exported.stdout.splitlines())}
    assert set(values) == tags
    assert all(row["plugin"] == "hparams" and row["value"] == [] for row in values.values())


AWKWARD = (
    "comma,name",
    'quote"name',
    "line\nfeed",
    "carriage\rreturn",
    "ends in\r",
    "crlf\r\ninside",
    "tab\tname",
    "emoji 🚀 name",
    ' mixed, "all"\r\n\t🚀 ',
)


def test_export_csv_round_trips_awkward_run_names_tags_and_text(logdir, tmp_path):
    """Run names, tags and text values holding commas, quotes, CR, LF, tabs and emoji come back
    whole through Python's csv module and pandas, from stdout and from -o FILE."""
    pandas = pytest.importorskip("pandas")
    expected = set()
    for index, name in enumerate(AWKWARD):
        with summary.create_file_writer(os.path.join(logdir, name)):
            summary.scalar(name, index / 4, step=index)
            summary.text("note", name, step=index)
        expected.add((name, name, "scalars", str(index), str(index / 4)))
        expected.add((name, "note", "text", str(index), json.dumps(name)))
    out = tmp_path / "rows.csv"
    to_file = cli("export", logdir, "-o", str(out))
    assert to_file.returncode == 0, to_file.stderr
    to_stdout = subprocess.run(  # bytes: text mode would turn a CR inside a field into LF
        [sys.executable, "-m", "summary", "export", logdir], capture_output=True, timeout=120
    )
    assert to_stdout.returncode == 0, to_stdout.stderr
    for raw in (out.read_bytes(), to_stdout.stdout):
        header, *table = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
        assert header == ["run", "tag", "plugin", "step", "wall_time", "value"]
        assert {(run, tag, plugin, step, value) for run, tag, plugin, step, _, value in table} == (
            expected
        )
        frame = pandas.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
        assert len(frame) == len(expected)
        pairs = set(zip(frame["run"], frame["tag"], frame["value"], strict=True))
        assert pairs == {(run, tag, value) for run, tag, _, _, value in expected}
