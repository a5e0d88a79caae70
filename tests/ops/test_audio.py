"""summary.audio: WAVs read back through TensorBoard's loader and decoded with Python's `wave`.

Expected samples come from `tf_int16`, a per-element restatement of TF's `FloatToInt16Sample`
(tensorflow/core/lib/wav/wav_io.cc): `min(max(roundf(x * 32768.0f), -32768), 32767)` with the
input as float32 and `roundf` rounding halves away from zero. The header layout is the canonical
44-byte PCM header written by `EncodeAudioAsS16LEWav` in the same file.
"""

import io
import math
import struct
import wave

import numpy as np
import pytest

import summary
from summary.ops.audio import check_audio, check_sample_rate, encode_wav
from summary.reader import iter_events
from tests.doc_examples import run_examples
from tests.tensorboard_loader import accumulator, plugin_of, values

DT_STRING = 7
WAV_ENCODING = 11  # AudioPluginData.Encoding.WAV


def tf_int16(x):
    """One sample converted as TF's FloatToInt16Sample converts it."""
    x = float(x)
    if math.isfinite(x):
        x = struct.unpack("f", struct.pack("f", x))[0]  # the float32 TF's kernel reads
    y = x * 32768.0
    if math.isnan(y):
        return 0  # NaN -> 0, what the float->int16 conversion gives on x86
    rounded = math.copysign(math.floor(abs(y) + 0.5), y) if math.isfinite(y) else y
    return int(min(max(rounded, -32768.0), 32767.0))


def decode_wav(blob):
    with wave.open(io.BytesIO(blob)) as reader:
        params = reader.getparams()
        frames = reader.readframes(params.nframes)
    samples = np.frombuffer(frames, dtype="<i2").reshape(params.nframes, params.nchannels)
    return params, samples


def logged(logdir, tag):
    """The WAVs TensorBoard's loader keeps for the one value under `tag` (column 0)."""
    acc = accumulator(logdir)
    assert plugin_of(acc, tag) == "audio"
    from tensorboard.plugins.audio import metadata as audio_metadata

    content = acc.SummaryMetadata(tag).plugin_data.content
    assert content == b"\x10\x0b"
    assert audio_metadata.parse_plugin_metadata(content).encoding == WAV_ENCODING
    ((_, _, tensor),) = values(acc, tag)
    return [decode_wav(blob) for blob in tensor]


def log_audio(logdir, data, sample_rate=8000, **kwargs):
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=2):
        assert summary.audio("clip", data, sample_rate, **kwargs) is True


EDGES = [0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -2.0, 1 / 65536, -1 / 65536, 3 / 65536, -3 / 65536]
EDGES += [0.99999, -0.99999, 32767.5 / 32768, math.nan, math.inf, -math.inf, 1e-30, -0.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_samples_convert_as_tf_float_to_int16(logdir, dtype):
    rng = np.random.default_rng(3)
    samples = np.concatenate([EDGES, rng.uniform(-1.2, 1.2, 2 * 30 * 2 - len(EDGES))])
    clips = samples.astype(dtype).reshape(2, 30, 2)
    log_audio(logdir, clips, sample_rate=16000)
    decoded = logged(logdir, "clip")
    assert len(decoded) == 2
    for (params, got), clip in zip(decoded, clips, strict=True):
        assert (params.nchannels, params.sampwidth, params.framerate) == (2, 2, 16000)
        assert params.nframes == 30
        expected = np.array([[tf_int16(x) for x in frame] for frame in clip], dtype=np.int16)
        np.testing.assert_array_equal(got, expected)


def test_known_samples():
    # 1.0 saturates to 32767, -1.0 is exactly -32768, 0.5 is 16384, halves round away from 0.
    clip = np.array([[1.0], [-1.0], [0.5], [1.5 / 32768], [-1.5 / 32768], [np.nan]], np.float32)
    _, samples = decode_wav(encode_wav(clip, 8000))
    assert samples.ravel().tolist() == [32767, -32768, 16384, 2, -2, 0]


def test_wav_header_is_the_canonical_44_bytes():
    clip = np.zeros((5, 3), np.float32)
    wav = encode_wav(clip, 22050)
    data_bytes = 5 * 3 * 2
    expected = (
        b"RIFF"
        + (36 + data_bytes).to_bytes(4, "little")
        + b"WAVEfmt "
        + (16).to_bytes(4, "little")
        + (1).to_bytes(2, "little")  # PCM
        + (3).to_bytes(2, "little")  # channels
        + (22050).to_bytes(4, "little")
        + (22050 * 3 * 2).to_bytes(4, "little")  # byte rate
        + (3 * 2).to_bytes(2, "little")  # block align
        + (16).to_bytes(2, "little")  # bits per sample
        + b"data"
        + data_bytes.to_bytes(4, "little")
    )
    assert wav[:44] == expected
    assert len(wav) == 44 + data_bytes


def test_tensor_on_disk_is_n_by_2_dt_string_with_empty_labels(logdir):
    clips = np.zeros((4, 10, 1), np.float32)
    with summary.create_file_writer(logdir) as writer, writer.as_default():
        with summary.name_scope("eval"):
            summary.audio("speech", clips, 8000, step=5, max_outputs=2, description="*two*")
    (event,) = [e for e in iter_events(logdir) if e.HasField("summary")]
    (value,) = event.summary.value
    assert event.step == 5 and value.tag == "eval/speech"
    assert value.metadata.plugin_data.plugin_name == "audio"
    assert value.metadata.plugin_data.content == b"\x10\x0b"
    assert value.metadata.summary_description == "*two*"
    assert value.tensor.dtype == DT_STRING
    assert [d.size for d in value.tensor.tensor_shape.dim] == [2, 2]
    wav0, label0, wav1, label1 = value.tensor.string_val
    assert (label0, label1) == (b"", b"")
    assert wav0[:4] == b"RIFF" and wav1[:4] == b"RIFF"
    assert len(logged(logdir, "eval/speech")) == 2


@pytest.mark.parametrize(("k", "max_outputs", "kept"), [(5, 3, 3), (2, 9, 2), (3, 0, 0), (0, 3, 0)])
def test_max_outputs_keeps_the_first_clips(logdir, k, max_outputs, kept):
    clips = (np.arange(k * 4 * 1, dtype=np.float32).reshape(k, 4, 1) + 1) / 64
    log_audio(logdir, clips, max_outputs=max_outputs)
    decoded = logged(logdir, "clip")
    assert len(decoded) == kept
    for index, (_, samples) in enumerate(decoded):
        assert samples.ravel().tolist() == [tf_int16(x) for x in clips[index].ravel()]
    shape = [
        [d.size for d in e.summary.value[0].tensor.tensor_shape.dim]
        for e in iter_events(logdir)
        if e.HasField("summary")
    ]
    assert shape == [[kept, 2]]


@pytest.mark.parametrize("rate", [8000, 8000.0, np.int64(44100), np.float32(22050.0), 1])
def test_sample_rate_accepts_whole_numbers_of_hz(logdir, rate):
    log_audio(logdir, np.zeros((1, 3, 1), np.float32), sample_rate=rate)
    ((params, _),) = logged(logdir, "clip")
    assert params.framerate == int(rate)
    assert check_sample_rate("audio", "t", rate) == int(rate)


def test_encoding_wav_is_accepted(logdir):
    log_audio(logdir, [[[0.25], [-0.25]]], encoding="wav")
    ((_, samples),) = logged(logdir, "clip")
    assert samples.ravel().tolist() == [8192, -8192]


def test_data_changed_after_the_call_does_not_change_what_is_written(logdir):
    clips = np.zeros((1, 8, 1), np.float32)
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=0):
        summary.audio("clip", clips, 8000)
        clips[:] = 0.5
    ((_, samples),) = logged(logdir, "clip")
    assert not samples.any()


def test_nothing_is_written_without_a_writer_or_when_not_recording(logdir):
    clips = np.zeros((1, 2, 1), np.float32)
    assert summary.audio("clip", clips, 8000, step=0) is False
    with summary.create_file_writer(logdir) as writer, writer.as_default(step=0):
        with summary.record_if(False):
            assert summary.audio("clip", clips, 8000) is False
    assert not any(e.HasField("summary") for e in iter_events(logdir))


def test_shared_validator_returns_k_t_c_floats():
    clips = check_audio("v1_audio", "t", [[[0.0, 0.5]]])
    assert clips.shape == (1, 1, 2) and clips.dtype.kind == "f"
    with pytest.raises(ValueError, match=r"summary\.v1_audio\('t'\).*data\[\.\.\., None\]"):
        check_audio("v1_audio", "t", np.zeros((2, 5)))


def test_docs_example_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_examples("data/audio.md")
    decoded = logged(tmp_path / "logs" / "run1", "tones")
    assert [params.framerate for params, _ in decoded] == [16000, 16000]
    (_, first), (_, second) = decoded
    assert 16380 < first.max() <= 16384
    np.testing.assert_array_equal(second, -first)
