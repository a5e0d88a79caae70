"""`summary.experimental`: the default step, summary scopes and raw Summary protos, as in
`tf.summary.experimental`."""

from summary.ops.write import write_raw_pb
from summary.writer.context import get_step, set_step, summary_scope

__all__ = ["get_step", "set_step", "summary_scope", "write_raw_pb"]
