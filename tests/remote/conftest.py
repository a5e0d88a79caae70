"""Remote logdirs: a fresh memory:// location, and a local S3 server (moto) reached via s3fs."""

from __future__ import annotations

import logging
import uuid

import pytest

fsspec = pytest.importorskip("fsspec")


@pytest.fixture
def memory_logdir():
    """A memory:// logdir nobody else uses; removed afterwards."""
    root = f"/summary-tests/{uuid.uuid4().hex}"
    yield f"memory://{root}"
    filesystem = fsspec.filesystem("memory")
    if filesystem.exists(root):
        filesystem.rm(root, recursive=True)


@pytest.fixture(scope="module")
def s3_server():
    """A moto S3 server on 127.0.0.1 (a random port), with fsspec and TensorBoard's boto3
    reader pointed at it; yields its endpoint URL."""
    pytest.importorskip("s3fs")
    pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "S3_ENDPOINT": endpoint,  # TensorBoard's own S3 reader (boto3)
        }.items():
            patch.setenv(name, value)
        patch.setitem(fsspec.config.conf, "s3", {"endpoint_url": endpoint})
        _point_tensorboard_at(endpoint, patch)
        try:
            yield endpoint
        finally:
            import s3fs

            s3fs.S3FileSystem.clear_instance_cache()
            server.stop()


@pytest.fixture
def bucket(s3_server):
    """A new, empty bucket on the local server; its name."""
    import boto3

    name = f"b-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket=name)
    return name


def _point_tensorboard_at(endpoint: str, patch: pytest.MonkeyPatch) -> None:
    """TensorBoard builds its S3 reader (reading S3_ENDPOINT) when its gfile module is first
    imported; register a fresh one now that the variable is set."""
    gfile = pytest.importorskip("tensorboard.compat.tensorflow_stub.io.gfile")
    if hasattr(gfile, "S3FileSystem"):
        patch.setitem(gfile._REGISTERED_FILESYSTEMS, "s3", gfile.S3FileSystem())
