"""A run as TensorBoard's loader sees it, in a form two writers' files can be compared in: per tag,
the plugin, its content and every (step, dtype, shape, value), with PNGs and WAVs decoded (two
encoders may compress differently) and the hparams start time left out (it is the clock's)."""

from __future__ import annotations

import io
import wave
from typing import Any

import numpy as np
from google.protobuf import json_format
from PIL import Image
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util

from tests.tensorboard_loader import accumulator


def view(run: str) -> dict[str, Any]:
    """{tag: (plugin, content, [(step, dtype, shape, value), ...])} for every tensor tag."""
    acc = accumulator(run)
    seen = {}
    for tag in acc.Tags()["tensors"]:
        data = acc.SummaryMetadata(tag).plugin_data
        series = []
        for event in acc.Tensors(tag):
            array = tensor_util.make_ndarray(event.tensor_proto)
            value = _value(data.plugin_name, array)
            series.append((event.step, str(array.dtype), array.shape, value))
        seen[tag] = (data.plugin_name, _content(data.plugin_name, data.content), series)
    return seen


def _content(plugin: str, content: bytes) -> Any:
    if plugin != "hparams":
        return content
    message = plugin_data_pb2.HParamsPluginData.FromString(content)
    message.session_start_info.ClearField("start_time_secs")
    return json_format.MessageToDict(message)


def _value(plugin: str, array: np.ndarray) -> Any:
    if plugin == "images":
        return [item.decode() for item in array[:2]], [png_pixels(png) for png in array[2:]]
    if plugin == "audio":
        rows = array.reshape(len(array), -1)  # [k] clips, or [k, 2]: (clip, label)
        return [wav_samples(row[0]) for row in rows], rows[:, 1:].tolist()
    return array.tolist()


def png_pixels(png: bytes) -> list[Any]:
    """A PNG's pixels as nested lists, with its mode."""
    image = Image.open(io.BytesIO(png))
    return [image.mode, np.asarray(image).tolist()]


def wav_samples(data: bytes) -> list[Any]:
    """A WAV's rate, channels, sample width and samples."""
    with wave.open(io.BytesIO(data)) as clip:
        frames = clip.readframes(clip.getnframes())
        header = [clip.getframerate(), clip.getnchannels(), clip.getsampwidth()]
    return [*header, np.frombuffer(frames, "<i2").tolist()]
