"""Fuzz the event-file reader for a while: `python tests/reliability/fuzz_reader.py --seconds N`.

Each input is written as an event file and read with `iter_events(..., on_corruption="raise")`
and `summary.reader.load(..., on_corruption="raise")`. The only acceptable outcomes are events
or CorruptRecordError; anything else, an input taking more than 10 s, or memory growing past
512 MiB is a finding: the input is saved next to the working directory and the run fails.

Engines: atheris (coverage-guided, `pip install atheris`; libFuzzer prints its own summary and
ends the process) when installed, else a seeded mutator that starts from a real event file and
flips bits, overwrites and splices bytes, plants length fields with valid checksums, and appends
checksum-valid records with random payloads. `--engine random` picks the mutator.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import resource
import shutil
import signal
import struct
import sys
import tempfile
import time

import numpy as np

import summary
from summary.reader import CorruptRecordError, iter_events, load
from summary.wire.records import frame_record, masked_crc32c

NAME = "events.out.tfevents.1.fuzz.1.1.v2"


class Reader:
    """Reads one input as an event file; counts inputs and bytes."""

    def __init__(self, directory: str, alarm: bool) -> None:
        self.directory = directory
        self.alarm = alarm  # a 10 s limit per input (libFuzzer has its own -timeout)
        self.path = os.path.join(directory, NAME)
        self.inputs = 0
        self.bytes = 0

    def check(self, data: bytes) -> None:
        with open(self.path, "wb") as handle:
            handle.write(data)
        if self.alarm:
            signal.alarm(10)
        try:
            try:
                for _ in iter_events(self.path, on_corruption="raise"):
                    pass
            except CorruptRecordError as error:
                assert error.path == self.path and 0 <= error.offset < max(1, len(data))
            try:
                load(self.directory, on_corruption="raise")
            except CorruptRecordError:
                pass
        finally:
            if self.alarm:
                signal.alarm(0)
        self.inputs += 1
        self.bytes += len(data)


def seed_file(directory: str) -> bytes:
    """A real event file with scalars, arrays and text, as the writer makes it."""
    logdir = os.path.join(directory, "seed")
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        for step in range(5):
            summary.scalar("loss", 1.0 / (step + 1), step=step)
            summary.write("array", np.arange(step * 5, dtype=np.float32), step=step)
        summary.write("text", np.array([b"a", b"bc"]), step=5)
    writer.close()
    (name,) = [name for name in os.listdir(logdir) if "tfevents" in name]  # not its index
    with open(os.path.join(logdir, name), "rb") as handle:
        return handle.read()


def mutate(rng: random.Random, data: bytes, seed: bytes) -> bytes:
    """One to four random edits of `data`."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(8)
        position = rng.randrange(len(out) + 1)
        if choice == 0 and out:
            out[min(position, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            out[position : position + 4] = rng.randbytes(rng.randint(1, 4))
        elif choice == 2:
            del out[position : position + rng.randint(1, 64)]
        elif choice == 3:
            out[position:position] = rng.randbytes(rng.randint(1, 64))
        elif choice == 4:
            out = out[:position]
        elif choice == 5:
            start = rng.randrange(len(seed))
            out[position:position] = seed[start : start + rng.randint(1, 256)]
        elif choice == 6:  # a length field that passes its checksum, plausible or absurd
            length = rng.choice(
                [0, 1, 2**31 - 1, 2**31, 2**32, 2**63, 2**64 - 1, rng.randrange(1 << 20)]
            )
            size = struct.pack("<Q", length)
            out[position:position] = size + struct.pack("<I", masked_crc32c(size))
        else:  # a checksum-valid record around random bytes: exercises payload parsing
            out += frame_record(rng.randbytes(rng.randint(0, 128)))
    return bytes(out)


def run_random(reader: Reader, seconds: float, seed: int) -> None:
    rng = random.Random(seed)
    valid = seed_file(reader.directory)
    corpus = [valid, b""]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = mutate(rng, rng.choice(corpus), valid)
        try:
            reader.check(data)
        except BaseException:
            keep(data)
            raise
        if len(corpus) < 1000 and rng.random() < 0.05:
            corpus.append(data)


def run_atheris(reader: Reader, seconds: float, seed: int) -> None:
    import atheris

    valid = seed_file(reader.directory)
    corpus = tempfile.mkdtemp(prefix="fuzz-corpus-")
    with open(os.path.join(corpus, "seed"), "wb") as handle:
        handle.write(valid)
    atheris.instrument_all()
    args = [sys.argv[0], f"-max_total_time={int(seconds)}", f"-seed={seed}", "-timeout=10"]
    atheris.Setup([*args, "-rss_limit_mb=2048", corpus], reader.check)
    atheris.Fuzz()


def keep(data: bytes) -> None:
    path = os.path.abspath(f"fuzz-finding-{int(time.time())}.bin")
    with open(path, "wb") as handle:
        handle.write(data)
    print(f"finding saved to {path}", file=sys.stderr)


def on_alarm(signum: int, frame: object) -> None:
    raise TimeoutError("one input took more than 10 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", choices=["auto", "atheris", "random"], default="auto")
    args = parser.parse_args()
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            engine = "random"
        else:
            engine = "atheris"
    if engine == "random":  # libFuzzer has its own -timeout and -rss_limit_mb
        signal.signal(signal.SIGALRM, on_alarm)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/status") as status:
            vm = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))
        resource.setrlimit(resource.RLIMIT_AS, (vm + (512 << 20), hard))
    directory = tempfile.mkdtemp(prefix="fuzz-reader-")
    reader = Reader(directory, alarm=engine == "random")
    start = time.monotonic()

    def report() -> None:  # at exit: libFuzzer ends the process itself
        print(
            f"fuzz_reader ({engine}): {reader.inputs} inputs, {reader.bytes} bytes, "
            f"{time.monotonic() - start:.0f} s",
            flush=True,
        )
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(report)
    if engine == "atheris":
        run_atheris(reader, args.seconds, args.seed)
    else:
        run_random(reader, args.seconds, args.seed)


if __name__ == "__main__":
    main()
