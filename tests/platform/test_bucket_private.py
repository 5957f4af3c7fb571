"""The bucket holds the hidden splits: ``manage.py check --deploy`` refuses one anyone can read, and
with a private one nothing the platform stores can be fetched without credentials (an S3 server of
its own process, moto's, which applies bucket policies to anonymous requests as S3 does)."""

from __future__ import annotations

import json
from pathlib import Path

import requests
from django.test import override_settings

from bounty import storage
from bounty.storage.checks import bucket_is_private
from tests.platform.s3_support import s3_server


def test_the_deploy_check_refuses_a_bucket_anyone_can_read(tmp_path: Path) -> None:
    with (
        s3_server(tmp_path) as s3,
        override_settings(STORAGES=s3.storages(), BOUNTY_DATA_DIR=tmp_path / "web"),
    ):
        assert bucket_is_private() == []
        sha = storage.artifact_write([b"a model"], max_bytes=100, field="model_file")
        anonymous = requests.get(f"{s3.endpoint}/{s3.bucket}/blobs/{sha}", timeout=10)
        assert anonymous.status_code == 403 and b"a model" not in anonymous.content

        everyone = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}
        policy = {
            "Version": "2012-10-17",
            "Statement": [{**everyone, "Resource": f"arn:aws:s3:::{s3.bucket}/*"}],
        }
        s3.client().put_bucket_policy(Bucket=s3.bucket, Policy=json.dumps(policy))
        errors = bucket_is_private()
        assert [e.id for e in errors] == ["bounty.E010"]
        assert "hidden splits" in errors[0].msg and "mc anonymous set none" in (errors[0].hint or "")


def test_without_a_bucket_the_deploy_check_has_nothing_to_say() -> None:
    assert not storage.shared()
    assert bucket_is_private() == []
