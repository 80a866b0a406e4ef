"""The authors' SiamMask weights: download, check by a strict load, register.

    fetch_official_weights(name="davis", make_default=True)   # manage.py fetch_weights davis --default

The file streams into a hidden temporary file in SIAMLABEL_WEIGHTS_DIR and is moved into place
only once it is complete, matches the pinned sha256 (if any) and loads strictly as the sharp
SiamMask. Any failure removes it and registers nothing.
"""

import hashlib
import http.client
import os
import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from tqdm import tqdm

from annotator.models import ModelCheckpoint
from annotator.services.checkpoints import file_sha256, register_checkpoint, verify_checkpoint
from annotator.services.errors import ServiceError


@dataclass(frozen=True)
class OfficialWeights:
    name: str  # the ModelCheckpoint's name, the one README's register_checkpoint example uses
    file_name: str
    url: str
    config: str  # the tracker config the authors pair with these weights


# The authors' published addresses: the official README (github.com/foolwood/SiamMask, "Download
# the SiamMask model": `wget http://www.robots.ox.ac.uk/~qwang/SiamMask_DAVIS.pth`). They publish
# no digest, so none is pinned by default; `--sha256` pins one.
OFFICIAL_WEIGHTS = {
    "davis": OfficialWeights(name="davis", file_name="SiamMask_DAVIS.pth", config="davis",
                             url="http://www.robots.ox.ac.uk/~qwang/SiamMask_DAVIS.pth"),
    "vot": OfficialWeights(name="vot", file_name="SiamMask_VOT.pth", config="vot",
                           url="http://www.robots.ox.ac.uk/~qwang/SiamMask_VOT.pth"),
}

# Seconds without progress (connecting, or between two reads) before giving up: an offline
# machine fails at once instead of waiting out the operating system's minutes-long connect timeout.
NETWORK_TIMEOUT = 15
CHUNK_BYTES = 1 << 20


class DownloadError(ServiceError):
    """The weights could not be fetched, or what arrived is not what was asked for."""


def fetch_official_weights(
    *, name: str, url: str | None = None, sha256: str | None = None, make_default: bool = False,
    progress: bool = True, timeout: float = NETWORK_TIMEOUT,
) -> ModelCheckpoint:
    """Download the official weights `name` ("davis" or "vot"), check them and register them as sharp.

    `url` replaces the authors' address (a mirror); `sha256` refuses any other file. Without
    `make_default` the default checkpoint stays what it was.
    """
    weights = OFFICIAL_WEIGHTS.get(name)
    if weights is None:
        raise ServiceError(f"unknown official weights '{name}'; choose from {', '.join(OFFICIAL_WEIGHTS)}")
    if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ServiceError(f"the expected sha256 must be 64 hexadecimal digits, got '{sha256}'")
    url = url or weights.url
    folder = Path(settings.SIAMLABEL_WEIGHTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    destination = folder / weights.file_name

    partial, digest = _download(url, weights=weights, destination=destination, make_default=make_default,
                                progress=progress, timeout=timeout)
    try:
        if sha256 is not None and digest != sha256.lower():
            raise DownloadError(f"{url} sent a file whose sha256 is {digest}, not the expected {sha256.lower()}; "
                                "nothing was registered")
        verify_checkpoint(partial, variant=ModelCheckpoint.Variant.SHARP, what=f"the file {url} sent")
        placed = _put_in_place(partial, destination, digest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    try:
        with transaction.atomic():
            # Fetching again without --default keeps these weights the default if they were.
            was_default = ModelCheckpoint.objects.filter(name=weights.name, is_default=True).exists()
            return register_checkpoint(name=weights.name, file=weights.file_name,
                                       variant=ModelCheckpoint.Variant.SHARP, config=weights.config,
                                       make_default=make_default or was_default)
    except BaseException:
        if placed:
            destination.unlink(missing_ok=True)
        raise


def _download(
    url: str, *, weights: OfficialWeights, destination: Path, make_default: bool, progress: bool, timeout: float,
) -> tuple[Path, str]:
    """Stream `url` into a temporary file next to `destination`; return its path and sha256."""
    request = urllib.request.Request(url, headers={"User-Agent": "SiamLabel-fetch_weights"})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url} answered HTTP {exc.code} {exc.reason}; nothing was downloaded") from exc
    except (urllib.error.URLError, OSError) as exc:  # DNS failure, connection refused, timeout
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise DownloadError(_offline_message(url, reason, weights=weights, destination=destination,
                                             make_default=make_default)) from exc
    except ValueError as exc:  # urllib's "unknown url type"
        raise DownloadError(f"cannot download '{url}': {exc}") from exc

    with response:
        status = getattr(response, "status", None)  # None for file:// mirrors
        if status is not None and status != 200:
            raise DownloadError(f"{url} answered HTTP {status} {response.reason} instead of the file; "
                                "nothing was downloaded")
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        handle = tempfile.NamedTemporaryFile(dir=destination.parent, prefix=f".{destination.name}.", suffix=".part",
                                             delete=False)
        partial = Path(handle.name)
        digest, received = hashlib.sha256(), 0
        try:
            with handle, tqdm(total=expected, unit="B", unit_scale=True, unit_divisor=1024,
                              desc=destination.name, disable=not progress) as bar:
                while chunk := response.read(CHUNK_BYTES):
                    handle.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            # urllib returns b"" when the connection closes early, so compare with what was announced.
            if expected is not None and received != expected:
                raise DownloadError(f"the download of {url} is truncated: {received} of {expected} bytes arrived; "
                                    "nothing was registered, run the command again")
        except (http.client.HTTPException, OSError) as exc:  # reset, read timeout, disk full
            partial.unlink(missing_ok=True)
            of = f" of {expected}" if expected is not None else ""
            raise DownloadError(f"the download of {url} failed after {received}{of} bytes ({exc}); "
                                "nothing was registered, run the command again") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return partial, digest.hexdigest()


def _put_in_place(partial: Path, destination: Path, digest: str) -> bool:
    """Move the checked download to `destination`; return False if an identical file was already there.

    A different file of that name is refused rather than replaced: checkpoints registered from
    it would silently change under their recorded sha256.
    """
    if destination.exists():
        existing = file_sha256(destination)
        if existing != digest:
            raise DownloadError(f"{destination} already exists with other contents (sha256 {existing}, the "
                                f"download's is {digest}); move it away and run the command again")
        partial.unlink()
        return False
    partial.chmod(0o644)  # NamedTemporaryFile creates 0600; workers may run as another user
    os.replace(partial, destination)
    return True


def _offline_message(url: str, reason, *, weights: OfficialWeights, destination: Path, make_default: bool) -> str:
    config = " --config vot" if weights.config == "vot" else ""
    default = " --default" if make_default else ""
    return (
        f"cannot reach {urlsplit(url).netloc or url} ({reason}). If this machine is offline, download {url} "
        f"elsewhere, copy it to {destination} and register it with:\n"
        f"    .venv/bin/python manage.py register_checkpoint {weights.name} {destination}{config}{default}"
    )
