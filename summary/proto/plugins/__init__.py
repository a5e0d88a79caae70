"""Generated protobuf modules; do not edit. Regenerate with `python scripts/generate_protos.py`."""
