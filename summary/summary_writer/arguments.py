"""tensorboardX / torch.utils.tensorboard argument conventions turned into what the ops take.

Images: `dataformats` axis orders, batches tiled into one grid (8 per row), and torch's pixel
scaling (uint8 as is, anything else times 255, clipped, truncated). Histograms with NumPy bin
rules. Audio clips as torch shapes them. Nothing here encodes: the ops do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from summary.ops.histogram import check_bucket_bound
from summary.ops.inputs import to_array, to_int, to_numeric_array
from summary.writer.errors import op_error, op_type_error

_LETTERS = {2: "HW", 3: "CHW", 4: "NCHW"}
_TARGET = {2: "HW", 3: "HWC", 4: "NHWC"}
GRID_COLUMNS = 8


def image_batch(op: str, tag: str, data: Any, dataformats: str) -> np.ndarray:
    """`data` laid out as `dataformats` → one uint8 image `[1, h, w, c]` (a grid for batches)."""
    array = to_numeric_array(op, tag, data)
    order = _check_dataformats(op, tag, dataformats, array.shape)
    array = array.transpose([order.index(axis) for axis in _TARGET[len(order)]])
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim == 4:
        array = _grid(array)
    return _torch_uint8(array)[None]


def _check_dataformats(op: str, tag: str, dataformats: Any, shape: tuple[int, ...]) -> str:
    order = str(dataformats).upper()
    letters = _LETTERS.get(len(order))
    if letters is None or sorted(order) != sorted(letters):
        raise op_error(
            op,
            tag,
            "dataformats must order the letters of NCHW, CHW or HW "
            f"(e.g. 'NHWC', 'HWC'), got {dataformats!r}",
        )
    if len(shape) != len(order):
        raise op_error(
            op, tag, f"dataformats {order!r} needs a rank-{len(order)} array, got shape {shape}"
        )
    return order


def _grid(images: np.ndarray) -> np.ndarray:
    """`[n, h, w, c]` tiled row by row, `GRID_COLUMNS` across, empty cells black (as torch)."""
    n, h, w, c = images.shape
    columns = min(n, GRID_COLUMNS)
    rows = -(-n // columns) if n else 0
    padded = np.zeros((rows * columns, h, w, c), dtype=images.dtype)
    padded[:n] = images
    return (
        padded.reshape(rows, columns, h, w, c)
        .transpose(0, 2, 1, 3, 4)
        .reshape(rows * h, columns * w, c)
    )


def _torch_uint8(image: np.ndarray) -> np.ndarray:
    """torch's pixel rule: uint8 unchanged; other dtypes × 255, clipped to [0, 255], truncated."""
    if image.dtype == np.uint8:
        return image
    scaled = np.nan_to_num(image.astype(np.float32) * np.float32(255), nan=0.0)
    return np.clip(scaled, 0, 255).astype(np.uint8)


def figure_image(op: str, tag: Any, figure: Any, close: bool) -> np.ndarray:
    """A matplotlib figure rendered to an RGB `[h, w, 3]` uint8 array (Agg, at its own dpi)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        raise op_type_error(
            op,
            tag,
            f"figure must be a matplotlib Figure or a list of them, got {type(figure).__name__}",
        )
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
    if close:
        import matplotlib.pyplot as plt

        plt.close(figure)
    return image


def histogram_rows(op: str, tag: str, data: Any, bins: Any, max_bins: int | None) -> np.ndarray:
    """The `[k, 3]` histogram tensor (left edge, right edge, count) for NumPy's `bins` rule."""
    values = to_numeric_array(op, tag, data).astype(np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise op_error(op, tag, "the histogram has no finite values")
    if not isinstance(bins, str):
        edges_given = np.ndim(bins) == 1
        count = len(bins) - 1 if edges_given else to_int(op, tag, "bins", bins)
        check_bucket_bound(op, tag, count)
    try:
        counts, edges = np.histogram(values, bins=bins)
    except ValueError as error:
        raise op_error(op, tag, f"bins {bins!r}: {error}") from None
    except TypeError as error:
        raise op_type_error(op, tag, f"bins {bins!r}: {error}") from None
    if max_bins is not None and len(counts) > max_bins:
        group = -(-len(counts) // max_bins)
        pad = (-len(counts)) % group
        counts = np.pad(counts, (0, pad)).reshape(-1, group).sum(axis=1)
        edges = np.append(edges[:-1:group], edges[-1])
    return np.stack([edges[:-1], edges[1:], counts.astype(np.float64)], axis=1)


def one_element(op: str, tag: Any, value: Any) -> Any:
    """torch's `add_scalar` number: any one-element array or list (`tensor([0.5])`, `[[0.5]]`) is
    its element, as torch squeezes it; a number or rank-0 array is passed on as it is."""
    if type(value) is float or getattr(value, "ndim", 1) == 0:
        return value
    if not isinstance(value, (list, tuple)) and not hasattr(value, "shape"):
        return value  # not array-like: the op says what is wrong with it
    array = to_numeric_array(op, tag, value)
    if array.size != 1:
        raise op_error(
            op, tag, f"expected a single number (one element, any rank), got shape {array.shape}"
        )
    return array.reshape(())


# Integer PCM as WAV files store it, scaled into [-1, 1]: (offset, full scale) per dtype.
_PCM = {
    np.dtype(np.uint8): (128.0, 128.0),
    np.dtype(np.int8): (0.0, 128.0),
    np.dtype(np.int16): (0.0, 32768.0),
    np.dtype(np.int32): (0.0, 2147483648.0),
}


def audio_clip(op: str, tag: str, data: Any) -> np.ndarray:
    """A clip as tensorboardX takes it (`[t]`, `[1, t]`, `[t, c]`) → `[1, t, c]` in [-1, 1].

    Integer PCM (int16 as read from a WAV file, also int8, uint8, int32) is scaled by its full
    scale (int16 / 32768), where torch would clip every sample to ±1; other integer dtypes are
    ambiguous and refused."""
    array = to_numeric_array(op, tag, data, allow_bool=False)
    if array.dtype.kind in "iu":
        if array.dtype not in _PCM:
            raise op_type_error(
                op,
                tag,
                f"audio of dtype {array.dtype} is ambiguous: pass floats in [-1, 1] or integer "
                "PCM (int16, int32, int8, uint8)",
            )
        offset, scale = _PCM[array.dtype]
        array = (array.astype(np.float64) - offset) / scale
    if array.ndim == 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise op_error(
            op, tag, f"expected one clip of shape [t] or [t, channels], got shape {array.shape}"
        )
    return np.clip(array.astype(np.float32), -1.0, 1.0)[None]


def pr_rows(op: str, tag: str, rows: list[Any]) -> np.ndarray:
    """torch's six `add_pr_curve_raw` vectors (TP, FP, TN, FN, precision, recall) → the
    float32 `[6, n]` pr_curves tensor; all 1-D of one length n >= 1 (checked before writing)."""
    names = (
        "true_positive_counts",
        "false_positive_counts",
        "true_negative_counts",
        "false_negative_counts",
        "precision",
        "recall",
    )
    arrays: list[np.ndarray] = []
    for name, row in zip(names, rows, strict=True):
        array = to_numeric_array(op, tag, row, allow_bool=False).astype(np.float32)
        if array.ndim != 1 or array.size == 0:
            raise op_error(op, tag, f"{name} must be a non-empty 1-D array, got {array.shape}")
        if arrays and array.shape != arrays[0].shape:
            raise op_error(
                op,
                tag,
                f"{name} has {array.size} values, {names[0]} {arrays[0].size}: "
                "the six rows must have the same length",
            )
        arrays.append(array)
    return np.stack(arrays)


def plain_tensor(op: str, tag: str, data: Any) -> np.ndarray:
    """`add_tensor`'s value: numbers or bools in a dtype TensorBoard decodes (bfloat16 and
    other dtypes NumPy lacks widened exactly to float32), or strings."""
    array = to_array(op, tag, data)
    if array.dtype.kind not in "OSU" and array.dtype.name not in _TENSOR_DTYPES:
        raise op_type_error(op, tag, f"cannot write a tensor of dtype {array.dtype}")
    return array


_TENSOR_DTYPES = frozenset(
    ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16")
    + ("uint32", "uint64", "bool")
)
