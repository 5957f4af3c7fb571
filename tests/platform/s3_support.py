"""An S3-compatible server as its own process (moto's standalone server, installed by the project's
setup), a private bucket on it, and the settings and environment that point the platform at it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

CREDENTIALS = {"aws_access_key_id": "bounty-test", "aws_secret_access_key": "bounty-test-secret"}
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str

    def env(self) -> dict[str, str]:
        """What a worker on another host would be given."""
        return {
            "BOUNTY_S3_BUCKET": self.bucket,
            "BOUNTY_S3_ENDPOINT_URL": self.endpoint,
            "BOUNTY_S3_REGION": REGION,
            "BOUNTY_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "BOUNTY_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }

    def storages(self) -> dict[str, Any]:
        """``STORAGES`` for this process, as the settings build them from ``env()``."""
        from django.conf import settings

        options = {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint,
            "region_name": REGION,
            "access_key": CREDENTIALS["aws_access_key_id"],
            "secret_key": CREDENTIALS["aws_secret_access_key"],
            "location": "",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": True,
        }
        return {
            **settings.STORAGES,
            "bounty": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        }

    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION, **CREDENTIALS)

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def s3_server(log_dir: Path) -> Iterator[S3Server]:
    """moto's server on a free local port (a process of its own), with a fresh private bucket."""
    port = _free_port()
    log = (log_dir / "s3-server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = S3Server(f"http://127.0.0.1:{port}", f"bounty-{uuid.uuid4().hex[:12]}")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                server.client().create_bucket(Bucket=server.bucket, ACL="private")
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
