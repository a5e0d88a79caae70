"""Keras 3 integration: `summary.keras.TensorBoard`, the TensorBoard callback without TensorFlow.

Importing this module does not import Keras; the first use of `TensorBoard` does.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "TensorBoard":
        from summary.integrations.keras import TensorBoard

        return TensorBoard
    raise AttributeError(f"module 'summary.keras' has no attribute {name!r}")
