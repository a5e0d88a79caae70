"""A layer weight laid out as an image batch `[k, h, w, c]`, the way Keras's callback shows it."""

from __future__ import annotations

import numpy as np


def weight_image(weight: np.ndarray, channels_last: bool = True) -> np.ndarray | None:
    """Bias → one column; dense kernel → one image, wide side horizontal; conv kernel → one image
    per output channel. None for shapes Keras does not draw (scalars, 3-D convolutions …)."""
    image = np.squeeze(np.asarray(weight))
    if image.ndim == 1:
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:
        if channels_last:
            image = np.transpose(image, (2, 0, 1))
        image = image.reshape(*image.shape, 1)
    if image.ndim == 4 and image.shape[-1] in (1, 3, 4):
        return image
    return None
