"""Which checkpoints are the weights this repository ships (weights/starter.pth, soon weights/mobile.pth).

    is_builtin(checkpoint)     # True for a registered shipped file, or a copy of one, wherever it lives

A checkpoint is built-in when its file is one of the shipped files in the repository's `weights/`
folder, or its sha256 is that of one. Content identity covers a copy registered from elsewhere
(an absolute path, another SIAMLABEL_WEIGHTS_DIR); official weights downloaded into the same
folder never match, since only the names below count. docs/models.md states the rule.
"""

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from annotator.models import ModelCheckpoint
from annotator.services.checkpoints import file_sha256, resolve_path

BUILTIN_WEIGHTS = ("starter.pth", "mobile.pth")


def builtin_files() -> list[Path]:
    """Return the shipped weights files present in the repository's weights/ folder."""
    folder = Path(settings.BASE_DIR) / "weights"
    return [path for path in (folder / name for name in BUILTIN_WEIGHTS) if path.is_file()]


def is_builtin(checkpoint: ModelCheckpoint) -> bool:
    """Return whether the checkpoint is one of the weights this repository ships."""
    files = builtin_files()
    if resolve_path(checkpoint.file).resolve() in {path.resolve() for path in files}:
        return True
    return checkpoint.sha256 in {_sha256(str(path), *_stamp(path)) for path in files}


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    # keyed by size and mtime so a retrained file is hashed again; a few MB, once per process
    return file_sha256(Path(path))
