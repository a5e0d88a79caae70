"""The protobuf wire format and TFRecord framing, by hand where speed needs it: encoding of the
event shapes the writer emits, decoding of the fields the reader skims, tensors, record frames."""
