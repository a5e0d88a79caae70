"""TensorBoard's HParams API (`tensorboard.plugins.hparams.api`) without TensorFlow.

`from summary import hparams as hp` and TF's HParams tutorial runs unchanged: declare `HParam`s
(with a `Discrete`, `IntInterval` or `RealInterval` domain) and `Metric`s once with
`hp.hparams_config`, then log each trial's values with `hp.hparams` in the trial's run, beside its
metric scalars. `KerasCallback` does the latter around `model.fit` (Keras is imported on first use).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from summary.ops.hparams import hparams, hparams_config
from summary.proto.plugins import hparams_pb2

__all__ = [
    "Discrete",
    "Domain",
    "HParam",
    "IntInterval",
    "KerasCallback",  # noqa: F822 (built on first access: it imports Keras)
    "Metric",
    "RealInterval",
    "hparams",
    "hparams_config",
]

_TYPES = {  # TensorBoard records int domains as FLOAT64 too (it has no int type)
    int: hparams_pb2.DATA_TYPE_FLOAT64,
    float: hparams_pb2.DATA_TYPE_FLOAT64,
    bool: hparams_pb2.DATA_TYPE_BOOL,
    str: hparams_pb2.DATA_TYPE_STRING,
}


class Domain:
    """The values a hyperparameter ranges over."""

    dtype: type

    def sample_uniform(self, rng: Any = random) -> Any:
        raise NotImplementedError

    def update_hparam_info(self, hparam_info: hparams_pb2.HParamInfo) -> None:
        """Set `hparam_info`'s type and domain."""
        raise NotImplementedError


class _Interval(Domain):
    dtype: type[int] | type[float]

    def __init__(self, min_value: Any, max_value: Any) -> None:
        if isinstance(min_value, bool) or not isinstance(min_value, self.dtype):
            raise TypeError(f"min_value must be a {self.dtype.__name__}: {min_value!r}")
        if isinstance(max_value, bool) or not isinstance(max_value, self.dtype):
            raise TypeError(f"max_value must be a {self.dtype.__name__}: {max_value!r}")
        if min_value > max_value:
            raise ValueError(f"{min_value!r} > {max_value!r}")
        self.min_value, self.max_value = min_value, max_value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.min_value!r}, {self.max_value!r})"

    def update_hparam_info(self, hparam_info: hparams_pb2.HParamInfo) -> None:
        hparam_info.type = hparams_pb2.DATA_TYPE_FLOAT64
        hparam_info.domain_interval.min_value = self.min_value
        hparam_info.domain_interval.max_value = self.max_value


class IntInterval(_Interval):
    """Integers from `min_value` to `max_value`, both included."""

    dtype = int

    def sample_uniform(self, rng: Any = random) -> int:
        return rng.randint(self.min_value, self.max_value)


class RealInterval(_Interval):
    """Floats from `min_value` to `max_value`, both included."""

    dtype = float

    def sample_uniform(self, rng: Any = random) -> float:
        return rng.uniform(self.min_value, self.max_value)


class Discrete(Domain):
    """A fixed set of values of one type (int, float, bool or str), kept sorted as TensorBoard."""

    def __init__(self, values: Iterable[Any], dtype: type | None = None) -> None:
        items = list(values)
        if dtype is None:
            if not items:
                raise ValueError("Empty domain with no dtype specified")
            dtype = type(items[0])
        if dtype not in _TYPES:
            raise ValueError(f"Unknown dtype: {dtype!r}")
        for value in items:
            if not isinstance(value, dtype):
                raise TypeError(f"dtype mismatch: not isinstance({value!r}, {dtype.__name__})")
        self.dtype = dtype
        self._values = sorted(items)

    @property
    def values(self) -> list[Any]:
        return list(self._values)

    def __repr__(self) -> str:
        return f"Discrete({self._values!r})"

    def sample_uniform(self, rng: Any = random) -> Any:
        return rng.choice(self._values)

    def update_hparam_info(self, hparam_info: hparams_pb2.HParamInfo) -> None:
        hparam_info.type = _TYPES[self.dtype]
        hparam_info.ClearField("domain_discrete")
        hparam_info.domain_discrete.extend(self._values)


class HParam:
    """A hyperparameter: a name, optionally its domain, display name and Markdown description."""

    def __init__(
        self,
        name: str,
        domain: Domain | None = None,
        display_name: str | None = None,
        description: str | None = None,
    ) -> None:
        if not isinstance(domain, (Domain, type(None))):
            raise ValueError(f"not a domain: {domain!r}")
        self.name, self.domain = name, domain
        self.display_name, self.description = display_name, description

    def __repr__(self) -> str:
        return (
            f"HParam(name={self.name!r}, domain={self.domain!r}, "
            f"display_name={self.display_name!r}, description={self.description!r})"
        )

    def as_info(self) -> hparams_pb2.HParamInfo:
        """The experiment's HParamInfo for this hyperparameter."""
        info = hparams_pb2.HParamInfo(
            name=self.name, display_name=self.display_name, description=self.description
        )
        if self.domain is not None:
            self.domain.update_hparam_info(info)
        return info


class Metric:
    """A metric: the scalar `tag` a trial logs, in its run's sub-directory `group` (or its root)."""

    TRAINING = hparams_pb2.DATASET_TRAINING
    VALIDATION = hparams_pb2.DATASET_VALIDATION

    def __init__(
        self,
        tag: str,
        group: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        dataset_type: hparams_pb2.DatasetType | None = None,
    ) -> None:
        if dataset_type not in (None, Metric.TRAINING, Metric.VALIDATION):
            raise ValueError(f"invalid dataset type: {dataset_type!r}")
        self.tag, self.group = tag, group
        self.display_name, self.description = display_name, description
        self.dataset_type = dataset_type

    def as_proto(self) -> hparams_pb2.MetricInfo:
        """The experiment's MetricInfo for this metric."""
        return hparams_pb2.MetricInfo(
            name=hparams_pb2.MetricName(group=self.group, tag=self.tag),
            display_name=self.display_name,
            description=self.description,
            dataset_type=self.dataset_type,
        )


def __getattr__(name: str) -> Any:
    if name == "KerasCallback":
        from summary.integrations.keras_hparams import KerasCallback

        return KerasCallback
    raise AttributeError(f"module 'summary.hparams' has no attribute {name!r}")
