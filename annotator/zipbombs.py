"""The zip bomb rule shared by frame uploads (frames.py) and label imports (importers/archive.py).

JPEG, PNG and JSON-with-RLE barely shrink in a zip, so an entry that inflates more than
BOMB_RATIO-fold to more than BOMB_MIN_BYTES is no honest frame or label file.
"""

import zipfile

BOMB_RATIO = 200
BOMB_MIN_BYTES = 64 * 2**20


def bomb_reason(info: zipfile.ZipInfo) -> str | None:
    """Return why the entry is refused as a zip bomb, or None when it is not one."""
    if info.file_size > BOMB_MIN_BYTES and info.file_size > BOMB_RATIO * max(info.compress_size, 1):
        return (f"zip entry '{info.filename}' inflates {info.file_size // max(info.compress_size, 1)}-fold "
                f"to {info.file_size / 2**20:.0f} MB; refusing it as a zip bomb")
    return None
