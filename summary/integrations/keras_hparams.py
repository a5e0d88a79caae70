"""`summary.hparams.KerasCallback`: a trial's hparams around `model.fit`, as TF's
`hp.KerasCallback` writes them (session start at train begin, session end at train end)."""

from __future__ import annotations

import os
from typing import Any

import keras

from summary.ops.hparams import (
    NULL_TENSOR_ARRAY,
    SESSION_END_INFO_TAG,
    SESSION_START_INFO_TAG,
    session_end_metadata,
    session_start_metadata,
)
from summary.ops.write import write
from summary.proto.plugins import hparams_pb2

_CALLER = "hp.KerasCallback"


class KerasCallback(keras.callbacks.Callback):
    """Writes `hparams` (keys `HParam` or names) to `writer` (a writer or a logdir path);
    valid for one `fit`, like TF's."""

    def __init__(self, writer: Any, hparams: Any, trial_id: str | None = None) -> None:
        super().__init__()
        self._hparams = dict(hparams)
        self._trial_id = trial_id
        session_start_metadata(_CALLER, self._hparams, trial_id, 0.0)  # refuse bad values now
        if writer is None:
            raise TypeError("writer must be a summary writer or a logdir str, not None")
        owned = isinstance(writer, (str, os.PathLike))  # a writer we open, we close at train end
        if owned:
            from summary import create_file_writer

            writer = create_file_writer(writer)
        self._writer, self._owned = writer, owned

    def _target(self) -> Any:
        if self._writer is None:
            raise RuntimeError("hparams Keras callback cannot be reused across training sessions")
        return self._writer

    def on_train_begin(self, logs: Any = None) -> None:
        metadata = session_start_metadata(_CALLER, self._hparams, self._trial_id, None)
        self._write(SESSION_START_INFO_TAG, metadata)

    def on_train_end(self, logs: Any = None) -> None:
        self._write(SESSION_END_INFO_TAG, session_end_metadata(hparams_pb2.STATUS_SUCCESS))
        if self._owned:
            self._writer.close()
        else:
            self._writer.flush()
        self._writer = None

    def _write(self, tag: str, metadata: bytes) -> None:
        write.direct(self._target(), _CALLER, tag, NULL_TENSOR_ARRAY, 0, metadata, None)
