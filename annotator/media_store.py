"""Where media lives: under MEDIA_ROOT on this machine, or in an S3-compatible bucket when
SIAMLABEL_MEDIA_S3_BUCKET is set (docs/operations.md, "Object storage"). The only module that
knows which; everything else names media by its key, the path below the media root.

    store = media_store.get()
    store.save("videos/7/source.mp4", upload)               # a Django File or UploadedFile
    with store.fetched("videos/7/source.mp4") as path:      # a local file for OpenCV or zipfile
        ...
    with store.writing_dir("videos/7/frames") as folder:    # fill it; it becomes the key's content
        ...
    with store.writing_file("exports/3/p-coco-3.zip") as path:
        ...
    with store.storing_upload("imports/4/labels.zip", upload) as path:   # check it, then it is stored
        ...
    store.read_bytes(key); store.open(key); store.stat(key); store.delete(key); store.delete_prefix("videos/7")

The local store is what the project did before there was a bucket, path for path. The bucket
store goes through django-storages' S3Storage (its settings, its boto3 session) and uses the
boto3 client underneath where one request does what S3Storage needs several for.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath
from typing import Iterator
from urllib.parse import quote

import urllib3

from django.conf import settings

UPLOAD_THREADS = 8  # parallel PUTs of a folder's files (frames): each is one small request


@dataclass(frozen=True)
class Stat:
    size: int
    mtime: float


@dataclass(frozen=True)
class Folder:
    """The files under `<kind>/<pk>/`: what cleanup_media weighs against the database."""

    key: str
    pk: int
    newest: float
    bytes: int


def get() -> LocalStore | S3Store:
    """The store the current settings name (tests change settings, so this is looked up per call)."""
    if settings.SIAMLABEL_MEDIA_S3_BUCKET:
        return _s3_store(settings.SIAMLABEL_MEDIA_S3_BUCKET, settings.AWS_S3_ENDPOINT_URL,
                         settings.AWS_S3_REGION_NAME, settings.AWS_ACCESS_KEY_ID, settings.AWS_SECRET_ACCESS_KEY)
    return LocalStore(Path(settings.MEDIA_ROOT))


class _Store:
    @contextmanager
    def storing_upload(self, key: str, upload) -> Iterator[Path]:
        """Write a Django upload to a local file and yield it for checks; it is stored once they pass."""
        with self.writing_file(key) as path:
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            yield path


class LocalStore(_Store):
    remote = False

    def __init__(self, root: Path):
        self.root = root
        self.scratch_dir = root  # where extraction writes frames before they are in place

    def path(self, key: str) -> Path:
        return self.root / key

    def save(self, key: str, file) -> None:
        file.seek(0)
        with self.writing_file(key) as path, open(path, "wb") as out:
            shutil.copyfileobj(file, out)

    def read_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def open(self, key: str):
        return open(self.path(key), "rb")

    def stat(self, key: str) -> Stat | None:
        try:
            st = os.stat(self.path(key))
        except FileNotFoundError:
            return None
        return Stat(st.st_size, st.st_mtime)

    @contextmanager
    def fetched(self, key: str) -> Iterator[Path]:
        if not self.path(key).is_file():
            raise FileNotFoundError(f"{key} is missing from storage")
        yield self.path(key)

    @contextmanager
    def writing_dir(self, key: str) -> Iterator[Path]:
        """Yield a local path for a folder the caller creates and fills; on success it replaces `key`."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming = target.with_name(f"{target.name}.{os.getpid()}.incoming")
        shutil.rmtree(incoming, ignore_errors=True)
        try:
            yield incoming
            shutil.rmtree(target, ignore_errors=True)
            incoming.rename(target)
        finally:
            shutil.rmtree(incoming, ignore_errors=True)

    @contextmanager
    def writing_file(self, key: str) -> Iterator[Path]:
        """Yield a local path to write; on success it becomes `key`, on an exception it is removed."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # one name per process: a redelivered task never writes into a file another attempt still writes
        partial = target.with_name(f"{target.stem}.{os.getpid()}.partial{target.suffix}")  # the type stays readable
        try:
            yield partial
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self.path(prefix), ignore_errors=True)

    def folders(self, kind: str) -> list[Folder]:
        found = []
        for folder in sorted((self.root / kind).glob("*")):
            if folder.is_dir() and folder.name.isdigit():
                files = list(folder.rglob("*"))
                newest = max([folder.stat().st_mtime] + [p.stat().st_mtime for p in files])
                size = sum(p.stat().st_size for p in files if p.is_file())
                found.append(Folder(f"{kind}/{folder.name}", int(folder.name), newest, size))
        return found

    def describe(self, key: str) -> str:
        return str(self.path(key))


class S3Store(_Store):
    remote = True

    def __init__(self, storage):
        self.storage = storage
        self.bucket = storage.bucket_name
        self.client = storage.connection.meta.client

    @property
    def scratch_dir(self) -> Path:
        """The local folder for files on their way in or out of the bucket."""
        return Path(settings.SIAMLABEL_MEDIA_CACHE_DIR)

    def save(self, key: str, file) -> None:
        file.seek(0)
        self.client.upload_fileobj(file, self.bucket, key)

    def read_bytes(self, key: str) -> bytes:
        if self.storage.proxies:  # the lean reader does not route through proxies; boto3 does
            return self.open(key).read()
        return self._reader.read(key)

    @cached_property
    def _reader(self) -> "_ObjectReader":
        return _ObjectReader(self)

    def open(self, key: str):
        """The object's body, a file-like stream (FileResponse reads and closes it)."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(f"{key} is missing from storage") from None

    def stat(self, key: str) -> Stat | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return Stat(head["ContentLength"], head["LastModified"].timestamp())

    @contextmanager
    def fetched(self, key: str) -> Iterator[Path]:
        with self._scratch() as folder:
            path = folder / PurePosixPath(key).name
            from botocore.exceptions import ClientError

            try:
                self.client.download_file(self.bucket, key, str(path))
            except ClientError as exc:
                raise FileNotFoundError(f"{key} is missing from storage ({exc})") from exc
            yield path

    @contextmanager
    def writing_dir(self, key: str) -> Iterator[Path]:
        with self._scratch() as folder:
            local = folder / PurePosixPath(key).name
            yield local
            self.delete_prefix(key)
            files = sorted(p for p in local.rglob("*") if p.is_file())
            with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
                list(pool.map(lambda p: self.client.upload_file(
                    str(p), self.bucket, f"{key}/{p.relative_to(local).as_posix()}"), files))

    @contextmanager
    def writing_file(self, key: str) -> Iterator[Path]:
        with self._scratch() as folder:
            path = folder / PurePosixPath(key).name
            yield path
            self.client.upload_file(str(path), self.bucket, key)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def delete_prefix(self, prefix: str) -> None:
        self.storage.bucket.objects.filter(Prefix=f"{prefix.rstrip('/')}/" if prefix else "").delete()

    def folders(self, kind: str) -> list[Folder]:
        sizes: dict[int, list] = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=f"{kind}/"):
            for obj in page.get("Contents", []):
                parts = obj["Key"].split("/")
                if len(parts) > 2 and parts[1].isdigit():
                    entry = sizes.setdefault(int(parts[1]), [0.0, 0])
                    entry[0] = max(entry[0], obj["LastModified"].timestamp())
                    entry[1] += obj["Size"]
        return [Folder(f"{kind}/{pk}", pk, newest, size) for pk, (newest, size) in sorted(sizes.items())]

    def describe(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    @contextmanager
    def _scratch(self) -> Iterator[Path]:
        """A private folder in the local cache, removed afterwards whatever happens."""
        self.scratch_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.scratch_dir, prefix="media-") as folder:
            yield Path(folder)


class BucketError(RuntimeError):
    """The bucket refused or did not answer a read (not a missing key: that is FileNotFoundError)."""


class _ObjectReader:
    """Whole-object GETs for hot reads (a propagation job's frames, one GET each).

    A boto3 `get_object` costs 1.5-1.9 ms of client CPU (endpoint rules, parameter checks,
    events, response parsing) against 0.6-0.7 ms for the same request signed by botocore's own S3
    SigV4 signer and sent on a urllib3 pool (bench/s3_get_cost.py, docs/benchmarks.md); that CPU
    and the GIL it holds are taken from the tracker's two cores. The object URL's prefix is the
    one the client itself builds (a presigned URL's), so endpoint, addressing style and region
    follow the storage settings; credentials come from the session django-storages would make.
    """

    RETRIES = urllib3.Retry(total=3, backoff_factor=0.1, status_forcelist=(500, 502, 503, 504), raise_on_status=False)

    def __init__(self, store: S3Store):
        from botocore.auth import S3SigV4Auth
        from botocore.httpsession import get_cert_path

        client, storage = store.client, store.storage
        presigned = client.generate_presigned_url("get_object", Params={"Bucket": store.bucket, "Key": "k"})
        self.prefix = presigned.split("?", 1)[0][: -len("k")]
        self.signer = S3SigV4Auth(storage._create_session().get_credentials(), "s3", client.meta.region_name)
        verify = storage.verify
        tls = {"cert_reqs": "CERT_NONE"} if verify is False else {"ca_certs": get_cert_path(True if verify is None else verify)}
        self.pool = urllib3.PoolManager(maxsize=UPLOAD_THREADS, retries=self.RETRIES, **tls)

    def read(self, key: str) -> bytes:
        from botocore.awsrequest import AWSRequest

        request = AWSRequest("GET", self.prefix + quote(key, safe="/~"))
        self.signer.add_auth(request)
        try:
            response = self.pool.request("GET", request.url, headers=dict(request.headers.items()))
        except urllib3.exceptions.HTTPError as exc:
            raise BucketError(f"the media bucket did not answer reading {key}: {exc}") from exc
        if response.status == 200:
            return response.data
        if response.status == 404:
            raise FileNotFoundError(f"{key} is missing from storage")
        code = re.search(rb"<Code>([^<]*)</Code>", response.data)  # S3's error document
        code = code.group(1).decode() if code else ""
        raise BucketError(f"the media bucket refused reading {key}: HTTP {response.status} {code}".rstrip())


@lru_cache(maxsize=4)
def _s3_store(bucket: str, endpoint: str | None, region: str | None, key_id: str | None, secret: str | None) -> S3Store:
    from storages.backends.s3 import S3Storage

    return S3Store(S3Storage(bucket_name=bucket, endpoint_url=endpoint, region_name=region, access_key=key_id,
                             secret_key=secret, file_overwrite=True))
