"""`summary.experimental`: the default step and summary scopes, as in `tf.summary.experimental`."""

from summary.writer.context import get_step, set_step, summary_scope

__all__ = ["get_step", "set_step", "summary_scope"]
