"""Zip archives opened for import: entry names checked, files read by path, never extracted.

    with Archive(path) as archive:     # ArchiveError for `..`, absolute paths, zip bombs, non-zips
        name = archive.find_json("instances.json")         # then archive.open(name), load_json(name)
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from annotator.zipbombs import bomb_reason

MAX_LISTED = 10  # names listed in one error message


class ArchiveError(ValueError):
    """An archive that cannot be imported as it is; the message is shown to the user."""


def listing(names: Iterable) -> str:
    """Return up to MAX_LISTED names as "a, b, c (and 4 more)"."""
    names = sorted(str(n) for n in set(names))
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" (and {len(names) - MAX_LISTED} more)" if len(names) > MAX_LISTED else "")


def member_path(name: str) -> PurePosixPath:
    """Return a zip entry's path; raise ArchiveError if it is absolute or climbs out with `..`.

    Backslashes count as separators (zips made on Windows), so `..\\x` is refused too.
    """
    normal = name.replace("\\", "/")
    path = PurePosixPath(normal)
    if normal.startswith("/") or re.match(r"^[A-Za-z]:", normal):
        raise ArchiveError(f"zip entry '{name}' has an absolute path")
    if ".." in path.parts:
        raise ArchiveError(f"zip entry '{name}' contains '..'")
    return path


class Archive:
    """A zip opened for import; `files` maps each normalised entry path to its ZipInfo."""

    def __init__(self, path: Path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ArchiveError(f"not a valid zip file: {exc}") from exc
        try:
            self.files = self._checked_entries()
        except ArchiveError:
            self.zip.close()
            raise

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def _checked_entries(self) -> dict[str, zipfile.ZipInfo]:
        files = {}
        for info in self.zip.infolist():
            path_in_zip = member_path(info.filename)
            if reason := bomb_reason(info):
                raise ArchiveError(reason)
            if info.is_dir() or "__MACOSX" in path_in_zip.parts or path_in_zip.name.startswith("."):
                continue
            files[str(path_in_zip)] = info
        return files

    def read(self, name: str) -> bytes:
        return self.zip.read(self.files[name])

    def open(self, name: str):
        """Return a binary stream of an entry, inflated as it is read."""
        return self.zip.open(self.files[name])

    def load_json(self, name: str):
        """Return a small JSON entry's document (label files are streamed: see jsonstream)."""
        try:
            with self.zip.open(self.files[name]) as f:
                return json.load(f)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{name} is not valid JSON: {exc}") from exc

    def find_json(self, preferred: str) -> str:
        """Return the annotation file: the one entry ending in `preferred`, else the only .json."""
        exact = [n for n in self.files if n == preferred or n.endswith("/" + preferred)]
        if len(exact) == 1:
            return exact[0]
        candidates = [n for n in self.files if n.lower().endswith(".json")]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise ArchiveError(f"the archive holds no annotation file (expected {preferred})")
        raise ArchiveError(f"the archive holds several JSON files ({listing(candidates)}); keep only {preferred}")

