"""`summary.SummaryWriter`: TF 2.x's writer interface plus torch's and tensorboardX's `add_*`
methods, which sit on top of the ops (so this package lives above both the writer and the ops)."""

from summary.summary_writer.writer import SummaryWriter, create_file_writer

__all__ = ["SummaryWriter", "create_file_writer"]
