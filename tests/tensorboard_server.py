"""The real `tensorboard` server for tests: started on 127.0.0.1 over a logdir with the Python
loader or RustBoard, polled until it has loaded, and always stopped."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

STARTUP_SECONDS = 60
LOAD_SECONDS = 60


def rustboard_works() -> bool:
    try:
        from tensorboard_data_server import server_binary
    except ImportError:
        return False
    binary = server_binary()
    if binary is None:
        return False
    try:
        result = subprocess.run([binary, "--version"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


class Server:
    """A running `tensorboard` process and the URL it serves on."""

    def __init__(self, process: subprocess.Popen, log_path: str) -> None:
        self.process = process
        self.log_path = log_path
        self.url = self._wait_for_url()

    def log(self) -> str:
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            match = re.search(r"TensorBoard \S+ at (http://127\.0\.0\.1:\d+)/", self.log())
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                pytest.fail(f"tensorboard exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.2)
        pytest.fail(f"tensorboard did not start within {STARTUP_SECONDS} s:\n{self.log()}")

    def get(self, route: str, **params) -> bytes:
        url = f"{self.url}{route}?{urllib.parse.urlencode(params)}" if params else self.url + route
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.read()

    def poll_json(self, route: str, ready, **params):
        """GET `route` until `ready(json)` holds: both readers load the logdir asynchronously."""
        deadline = time.monotonic() + LOAD_SECONDS
        while True:
            try:
                body = json.loads(self.get(route, **params))
                if ready(body):
                    return body
            except urllib.error.HTTPError as error:
                if error.code not in (400, 404):
                    raise
                body = error
            if time.monotonic() > deadline:
                pytest.fail(f"{route} {params} never became ready; last answer: {body}")
            time.sleep(0.25)


# `--load_fast` values for fixtures: the Python loader, and RustBoard where its binary runs
LOADER_PARAMS = [
    "false",
    pytest.param(
        "true", marks=pytest.mark.skipif(not rustboard_works(), reason="RustBoard is not available")
    ),
]
LOADER_IDS = ["python_loader", "rustboard"]


@contextlib.contextmanager
def running_tensorboard(logdir: str, load_fast: str, log_dir: str) -> Iterator[Server]:
    """`tensorboard --logdir logdir --load_fast=<load_fast>` on a free port; stopped on exit."""
    log_path = os.path.join(log_dir, "tensorboard.log")
    command = [
        sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir),
        "--host", "127.0.0.1", "--port", "0", f"--load_fast={load_fast}",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: we stop RustBoard's child with it
        )  # fmt: skip
    try:
        yield Server(process, log_path)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
