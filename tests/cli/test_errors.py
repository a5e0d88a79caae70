"""Errors on the command line: one line on stderr and a non-zero status, never a traceback; a
reader that closes the pipe early ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import summary

COMMAND = [sys.executable, "-m", "summary"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=120)


def assert_one_line_error(done: subprocess.CompletedProcess, status: int, *words: str) -> None:
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert all(word in line for word in words), line


@pytest.fixture(scope="module")
def big_logdir(tmp_path_factory):
    """Far more output than a pipe holds (64 KiB): 3000 tags for inspect, 45,000 rows to export."""
    logdir = str(tmp_path_factory.mktemp("big"))
    with summary.create_file_writer(logdir):
        for tag in range(3000):
            for step in range(15):
                summary.scalar(f"metrics/tag_{tag:04d}", step, step=step)
    return logdir


def read_one_line_and_close(*args: str) -> tuple[bytes, subprocess.CompletedProcess]:
    """Run the CLI into a pipe whose reader takes one line and closes it, as `| head -1` does."""
    process = subprocess.Popen([*COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()  # the CLI is still writing: its next write meets a closed pipe
    stderr = process.stderr.read().decode()
    process.stderr.close()
    status = process.wait(timeout=120)
    return first, subprocess.CompletedProcess(process.args, status, None, stderr)


@pytest.mark.parametrize("command", ["inspect", "export"])
def test_a_reader_that_closes_the_pipe_early_ends_the_command_quietly(big_logdir, command):
    first, done = read_one_line_and_close(command, big_logdir)
    assert first  # it was writing
    assert done.stderr == ""
    assert done.returncode == 1  # Python's convention for a broken pipe


@pytest.mark.parametrize("command", ["inspect", "export"])
def test_piped_into_head_shows_no_traceback(big_logdir, command):
    pipeline = f"{' '.join(COMMAND)} {command} {big_logdir} | head -1"
    done = subprocess.run(
        ["bash", "-c", f"{pipeline}; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr == "" and done.returncode == 1
    assert len(done.stdout.splitlines()) == 1


def test_an_output_file_in_a_directory_that_does_not_exist(big_logdir, tmp_path):
    target = str(tmp_path / "no" / "such" / "dir" / "rows.csv")
    done = cli("export", big_logdir, "-o", target)
    assert_one_line_error(done, 2, "summary export:", target, "No such file or directory")


def test_an_output_file_that_is_a_directory(big_logdir, tmp_path):
    done = cli("export", big_logdir, "-o", str(tmp_path))
    assert_one_line_error(done, 1, "summary export:", str(tmp_path), "Is a directory")


@pytest.mark.parametrize("command", ["inspect", "export"])
def test_a_logdir_that_does_not_exist(command, tmp_path):
    missing = str(tmp_path / "nowhere")
    done = cli(command, missing)
    assert_one_line_error(done, 2, f"summary {command}:", missing, "no such file or directory")
    assert done.stdout == ""


def test_a_logdir_that_is_a_file_to_write_into(tmp_path):
    path = tmp_path / "a_file"
    path.write_text("not a directory")
    done = cli("demo", "--logdir", str(path), "--steps", "3")
    assert_one_line_error(done, 1, "summary demo:", str(path), "Not a directory")


@pytest.mark.parametrize("command", ["inspect", "export"])
def test_a_logdir_that_is_a_file_of_garbage_is_read_with_a_one_line_warning(command, tmp_path):
    path = tmp_path / "garbage"
    path.write_bytes(os.urandom(4096))
    done = cli(command, str(path))
    assert done.returncode == 0 and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"summary {command}: warning: {path}: corrupt record at byte offset 0")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["inspect"],
        ["export", "DIR", "--format", "xml"],
        ["demo", "--steps", "many"],
        ["nonsense"],
        ["inspect", "DIR", "--no-such-option"],
    ],
)
def test_bad_arguments_print_usage_and_exit_2(args):
    done = cli(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith("python -m summary")
    assert "error:" in done.stderr.splitlines()[-1]
