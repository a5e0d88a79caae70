"""The writing workloads, run inside a worker process: make the data, time the calls, close.

Caller time is the loop of op calls alone; total time also covers `close()` (everything on disk).
Data is built before the clock starts, and a warm-up per library (tag "warmup": one call, or for
histograms the timed calls twice over) pays for first-use imports and buffers, so the loop
measures the steady state a training loop sees. Every library's loop starts after a flush and a
full `gc.collect()`, so no collection of the setup's objects lands inside one library's loop.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from libraries import Session, open_session

IMAGE_SHAPE = (8, 256, 256, 3)
VIDEO_SHAPE = (1, 16, 3, 64, 64)  # torch's [N, T, C, H, W]


def scalar_tag(i: int, tags: int) -> str:
    return f"metric_{i % tags}"


def scalar_value(i: int) -> float:
    """Exactly representable in float32, so the read-back check can compare exactly."""
    return (i % 4096) * 0.25


def scalar_step(i: int, tags: int) -> int:
    """Each step logs every tag once, as a training loop does."""
    return i // tags


def histogram_values(size: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(size, dtype=np.float32)


def image_batch(kind: str) -> np.ndarray:
    """Noise (incompressible) or a smooth gradient (compresses well), uint8 NHWC."""
    k, h, w, c = IMAGE_SHAPE
    if kind == "noise":
        return np.random.default_rng(0).integers(0, 256, IMAGE_SHAPE, dtype=np.uint8)
    y = np.arange(h, dtype=np.float32)[:, None] / (h - 1)
    x = np.arange(w, dtype=np.float32)[None, :] / (w - 1)
    batch = np.empty(IMAGE_SHAPE, dtype=np.uint8)
    for i in range(k):
        channels = (x * 255, y * 255, (x + y) * 127.5 * (i + 1) / k)
        batch[i] = np.stack([np.broadcast_to(ch, (h, w)) for ch in channels[:c]], axis=-1)
    return batch


def video_clip() -> np.ndarray:
    """A moving pattern of 256 colours per frame (GIF keeps them exactly), uint8."""
    _, t, c, h, w = VIDEO_SHAPE
    y, x = np.mgrid[0:h, 0:w]
    frames = []
    for i in range(t):
        red, green = (x * 4 + 16 * i) % 256 // 16 * 16, y * 4 // 16 * 16
        frames.append(np.stack([red, green, (red + green) % 256][:c]))
    return np.stack(frames)[None].astype(np.uint8)


def text_value(i: int) -> str:
    return f"step {i}: loss went down; the quick brown fox jumps over the lazy dog."


def pr_data(size: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = rng.random(size) < 0.3
    predictions = np.clip(rng.random(size, dtype=np.float32) * 0.6 + labels * 0.4, 0, 1)
    return labels, predictions.astype(np.float32)


def embedding_matrix(rows: int, dim: int) -> np.ndarray:
    return np.random.default_rng(3).standard_normal((rows, dim)).astype(np.float32)


def _logdir_bytes(logdir: str) -> int:
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(logdir)
        for name in names
    )


def timed(
    library: str,
    logdir: str,
    op: str,
    warmup: Callable[[Callable], None],
    loop: Callable,
    opener: Callable[[str, str], Session] = open_session,
) -> dict[str, Any]:
    session = opener(library, logdir)
    call = session.op(op)
    if call is None:
        session.close()
        return {"skipped": f"{library} has no {op} op yet"}
    warmup(call)
    session.flush()  # the warm-up's background work must not land inside the timed loop
    gc.collect()  # nor a full collection of the setup's garbage (tens of ms after importing jax)
    start = time.perf_counter()
    calls = loop(call)
    looped = time.perf_counter()
    session.close()
    closed = time.perf_counter()
    return {
        "calls": calls,
        "caller_s": (looped - start) / calls,
        "total_s": (closed - start) / calls,
        "bytes": _logdir_bytes(logdir) / calls,
        "note": session.notes.get(op, ""),
    }


def scalars(library: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    count, ntags = params["count"], params["tags"]
    tags = [scalar_tag(i, ntags) for i in range(ntags)]
    values = [scalar_value(i) for i in range(count)]

    def loop(log: Callable) -> int:
        for i in range(count):
            log(tags[i % ntags], values[i], i // ntags)
        return count

    result = timed(library, logdir, "scalar", lambda log: log("warmup", 1.0, 0), loop)
    return units(result, caller_us=1e6, total_us=1e6)


def histograms(library: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    """Back to back (as a step that logs several layers of one shape), or once per training step
    whose `step_ms` of work releases the GIL (as a GPU wait or a BLAS kernel does; time.sleep
    stands in for it and is not counted)."""
    values, calls = histogram_values(params["size"]), params["calls"]
    step_s = params.get("step_ms", 0) / 1000
    stepping = 0.0

    def run(log: Callable, tag: str) -> float:
        """The calls, and the seconds spent in the stand-in for the step's work."""
        slept = 0.0
        for step in range(calls):
            if step_s:
                started = time.perf_counter()
                time.sleep(step_s)
                slept += time.perf_counter() - started
            log(tag, values, step)
        return slept

    def loop(log: Callable) -> int:
        nonlocal stepping
        stepping = run(log, "weights")
        return calls

    def warmup(log: Callable) -> None:
        """The steady state of a long run: earlier steps made the same calls (for us, they leave
        the snapshot buffers the timed calls reuse; every library gets the same warm-up)."""
        for _ in range(2):
            run(log, "warmup")

    result = timed(library, logdir, "histogram", warmup, loop)
    if "calls" in result:
        result["caller_s"] -= stepping / calls
        result["total_s"] -= stepping / calls
    return units(result, caller_ms=1e3, total_ms=1e3)


def images(library: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    batch, calls = image_batch(params["kind"]), params["calls"]

    def loop(log: Callable) -> int:
        for step in range(calls):
            log("samples", batch, step)
        return calls

    result = timed(library, logdir, "images", lambda log: log("warmup", batch, 0), loop)
    if "bytes" in result:
        result["kib"] = result["bytes"] / 1024
    return units(result, caller_ms=1e3, total_ms=1e3)


def text(library: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    calls = params["calls"]
    strings = [text_value(i) for i in range(calls)]

    def loop(log: Callable) -> int:
        for step in range(calls):
            log("notes", strings[step], step)
        return calls

    result = timed(library, logdir, "text", lambda log: log("warmup", "warm", 0), loop)
    return units(result, caller_us=1e6, total_us=1e6)


def pr_curves(library: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    labels, predictions = pr_data(params["size"])
    calls = params["calls"]

    def loop(log: Callable) -> int:
        for step in range(calls):
            log("pr", labels, predictions, step)
        return calls

    def warmup(log: Callable) -> None:
        log("warmup", labels[:100], predictions[:100], 0)

    result = timed(library, logdir, "pr_curve", warmup, loop)
    return units(result, caller_ms=1e3, total_ms=1e3)


def embeddings(library: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    """`add_embedding` (torch's projector files: tensors.tsv and the config) of one matrix."""
    mat, calls = embedding_matrix(params["rows"], params["dim"]), params["calls"]

    def loop(log: Callable) -> int:
        for step in range(1, calls + 1):
            log("vectors", mat, step)
        return calls

    result = timed(library, logdir, "embedding", lambda log: log("warmup", mat[:10], 0), loop)
    return units(result, caller_ms=1e3, total_ms=1e3)


def video(library: str, logdir: str, params: dict[str, Any]) -> dict[str, Any]:
    clip, calls = video_clip(), params["calls"]

    def loop(log: Callable) -> int:
        for step in range(calls):
            log("clip", clip, step)
        return calls

    result = timed(library, logdir, "video", lambda log: log("warmup", clip, 0), loop)
    return units(result, caller_ms=1e3, total_ms=1e3)


def units(result: dict[str, Any], **scales: float) -> dict[str, Any]:
    """Add the figures in the table's units (caller_us = caller_s * 1e6 …) to the result."""
    if "skipped" in result:
        return result
    for key, scale in scales.items():
        result[key] = result[key.rsplit("_", 1)[0] + "_s"] * scale
    return result


WORKERS = {
    "scalars": scalars,
    "histograms": histograms,
    "images": images,
    "text": text,
    "pr_curve": pr_curves,
    "embedding": embeddings,
    "video": video,
}
