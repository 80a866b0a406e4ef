"""Frame extraction: decode an uploaded video or zip of images into numbered JPEG files.

Frame indices are the decoder's frames in order, counted by decoding (container metadata is
often wrong for variable-frame-rate files). Every consumer (API, exports, browser, workers)
reads frames as `<frames_dir>/<index:05d>.jpg`.

    info = extract_frames(source_path, frames_dir, on_progress=print)

With a `max_side` (SIAMLABEL_FRAME_MAX_SIDE), frames are stored shrunk so their longer side is at
most that; `FramesInfo` then gives both sizes (annotator/frame_scale.py maps between them).

Uploads are hostile until decoded: `Limits` bounds what a zip may inflate to and how large a
frame may be, so neither a zip bomb nor a tiny file declaring a giant image exhausts memory.
"""

import io
import re
import shutil
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

import cv2
import numpy as np
from PIL import Image

from annotator.zipbombs import bomb_reason

VIDEO_EXTENSIONS = {".mp4", ".mov", ".avi", ".mkv", ".webm"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png"}
UPLOAD_EXTENSIONS = VIDEO_EXTENSIONS | {".zip"}
JPEG_QUALITY = 95  # the default of SIAMLABEL_FRAME_JPEG_QUALITY (docs/operations.md, "Disk")
# Frames decoded to estimate a clip's stored size before extraction (estimate_frames_bytes)
ESTIMATE_SAMPLES = 5
DEFAULT_ZIP_FPS = 25.0
# A template of a few pixels carries no appearance for the tracker (SiamMask crops a 127 px
# exemplar around the box, its features have stride 8): smaller frames are refused.
MIN_FRAME_SIDE = 16


class FrameError(ValueError):
    """An upload whose frames cannot be read; the message is shown to the user."""


@dataclass(frozen=True)
class Limits:
    """What one upload may hold; services build it from settings (docs/operations.md)."""

    max_zip_entries: int = 50_000
    max_zip_bytes: int = 8 * 2**30  # total declared uncompressed size of a zip's entries
    max_frame_pixels: int = 7680 * 4320  # 8K UHD


@dataclass(frozen=True)
class FramesInfo:
    width: int  # of the stored frames
    height: int
    fps: float
    frame_count: int
    original_width: int  # of the decoded ones (the same unless shrunk to a max_side)
    original_height: int


def stored_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Return the (width, height) a frame is stored at: the longer side at most `max_side` (0: as is).

    The aspect ratio is kept, each side rounded to whole pixels; the shorter side never falls
    under MIN_FRAME_SIDE, so a very long, thin frame may keep a longer side above `max_side`.
    """
    longer, shorter = max(width, height), min(width, height)
    if not max_side or longer <= max_side:
        return width, height
    factor = max(max_side / longer, min(MIN_FRAME_SIDE / shorter, 1.0))
    return max(round(width * factor), 1), max(round(height * factor), 1)


def shrink(frame: np.ndarray, max_side: int) -> np.ndarray:
    """Return the frame at its stored_size(); INTER_AREA averages, so shrinking does not alias."""
    height, width = frame.shape[:2]
    size = stored_size(width, height, max_side)
    return frame if size == (width, height) else cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


def check_upload_name(filename: str) -> str:
    """Return the lower-case extension of an upload, or raise FrameError if unsupported."""
    ext = Path(filename).suffix.lower()
    if ext not in UPLOAD_EXTENSIONS:
        allowed = ", ".join(sorted(UPLOAD_EXTENSIONS))
        raise FrameError(f"unsupported file type '{ext or filename}': upload one of {allowed}")
    return ext


def zip_image_entries(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Return the image entries of a frames zip in natural order; refuse unsafe or odd entries."""
    images = []
    for info in zf.infolist():
        name = info.filename
        path = PurePosixPath(name.replace("\\", "/"))
        if name.startswith(("/", "\\")) or (path.parts and ":" in path.parts[0]):
            raise FrameError(f"zip entry '{name}' has an absolute path")
        if ".." in path.parts:
            raise FrameError(f"zip entry '{name}' contains '..'")
        if info.is_dir() or path.name.startswith(".") or "__MACOSX" in path.parts:
            continue
        if path.suffix.lower() not in IMAGE_EXTENSIONS:
            raise FrameError(f"zip entry '{name}' is not a JPEG or PNG image")
        images.append(info)
    if not images:
        raise FrameError("the zip holds no JPEG or PNG frames")
    return sorted(images, key=lambda i: _natural_key(i.filename))


def check_zip_sizes(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a zip whose central directory declares too many entries or too many bytes.

    Declared sizes are binding: zipfile stops reading an entry at its declared size (and fails
    its CRC check if more data follows), so nothing inflates beyond what is checked here.
    """
    entries = zf.infolist()
    if len(entries) > limits.max_zip_entries:
        raise FrameError(f"the zip holds {len(entries)} entries; the limit is {limits.max_zip_entries}")
    total = sum(info.file_size for info in entries)
    if total > limits.max_zip_bytes:
        raise FrameError(f"the zip's files add up to {total / 2**20:.0f} MB uncompressed; "
                         f"the limit is {limits.max_zip_bytes // 2**20} MB")
    # An uncompressed RGBA file of the largest frame, plus headers: anything bigger is no frame.
    max_entry = limits.max_frame_pixels * 4 + 2**20
    for info in entries:
        if reason := bomb_reason(info):
            raise FrameError(reason)
        if info.file_size > max_entry:
            raise FrameError(f"zip entry '{info.filename}' is {info.file_size / 2**20:.0f} MB; "
                             f"a frame file may be at most {max_entry // 2**20} MB")


def check_zip(path: Path, limits: Limits = Limits()) -> int:
    """Validate a frames zip's entries without decoding them; return the number of frames."""
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip_sizes(zf, limits)
            return len(zip_image_entries(zf))
    except zipfile.BadZipFile as exc:
        raise FrameError(f"not a valid zip file: {exc}") from exc


def check_frame_size(width: int, height: int, what: str, limits: Limits) -> None:
    """Refuse frames too small to track or so large that decoding them is a memory bomb."""
    if width < MIN_FRAME_SIDE or height < MIN_FRAME_SIDE:
        raise FrameError(f"{what} is {width}x{height} pixels; frames must be at least "
                         f"{MIN_FRAME_SIDE}x{MIN_FRAME_SIDE} to be tracked")
    if width * height > limits.max_frame_pixels:
        raise FrameError(f"{what} is {width}x{height} pixels; the limit is {limits.max_frame_pixels:,} pixels a frame")


def extract_frames(
    source: Path, frames_dir: Path, on_progress: Callable[[float], None] | None = None, limits: Limits = Limits(),
    quality: int = JPEG_QUALITY, max_side: int = 0,
) -> FramesInfo:
    """Decode `source` into `frames_dir/00000.jpg...`, shrunk to `max_side` (0: not); return what was found.

    Writes into a temporary folder and renames at the end, so a failure leaves no half set.
    """
    tmp_dir = frames_dir.with_name(frames_dir.name + ".partial")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    try:
        if source.suffix.lower() == ".zip":
            info = _extract_zip(source, tmp_dir, on_progress, limits, quality, max_side)
        else:
            info = _extract_video(source, tmp_dir, on_progress, limits, quality, max_side)
        shutil.rmtree(frames_dir, ignore_errors=True)
        tmp_dir.rename(frames_dir)
        return info
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def read_frame(path: Path) -> np.ndarray:
    """Return one extracted frame as an HxWx3 uint8 BGR array."""
    frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if frame is None:
        raise FrameError(f"frame file {path.name} is missing or unreadable")
    return frame


def estimate_frames_bytes(source: Path, limits: Limits = Limits(), quality: int = JPEG_QUALITY,
                          samples: int = ESTIMATE_SAMPLES, max_side: int = 0) -> int | None:
    """Return what the extracted frames of `source` should take on disk, or None when unknown.

    The mean JPEG size of up to `samples` frames spread over the clip, decoded, shrunk to
    `max_side` and encoded as extraction would, times the frame count the zip or the container
    declares (None when the container declares none). An estimate: a video's declared count may
    be off (see above).
    Raises FrameError for what extraction would refuse anyway.
    """
    if source.suffix.lower() == ".zip":
        count, decoded = _sample_zip(source, limits, samples)
    else:
        count, decoded = _sample_video(source, limits, samples)
    if not count or not decoded:
        return None
    sizes = [len(encode_jpeg(shrink(frame, max_side), quality)) for frame in decoded]
    return int(sum(sizes) / len(sizes) * count)


def _sample_video(source: Path, limits: Limits, samples: int) -> tuple[int, list[np.ndarray]]:
    cap = cv2.VideoCapture(str(source))
    if not cap.isOpened():
        raise FrameError("the video could not be opened: the file is corrupt or its codec is not supported")
    try:
        declared = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if all(declared):
            check_frame_size(*declared, "the video", limits)
        count = max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0), 0)
        decoded = []
        for index in _spread(count, samples):
            cap.set(cv2.CAP_PROP_POS_FRAMES, index)  # a seek may land near, not on, the frame: fine here
            ok, frame = cap.read()
            if ok:
                check_frame_size(frame.shape[1], frame.shape[0], "the video", limits)
                decoded.append(frame)
        return count, decoded
    finally:
        cap.release()


def _sample_zip(source: Path, limits: Limits, samples: int) -> tuple[int, list[np.ndarray]]:
    try:
        with zipfile.ZipFile(source) as zf:
            check_zip_sizes(zf, limits)
            entries = zip_image_entries(zf)
            decoded = [_decode_entry(zf, entries[i], limits) for i in _spread(len(entries), samples)]
    except zipfile.BadZipFile as exc:
        raise FrameError(f"not a valid zip file: {exc}") from exc
    return len(entries), decoded


def _spread(count: int, samples: int) -> list[int]:
    """Return up to `samples` distinct indices spread evenly over range(count)."""
    return sorted({int(i) for i in np.linspace(0, count - 1, min(samples, count))}) if count > 0 else []


def encode_jpeg(frame: np.ndarray, quality: int) -> bytes:
    """Return a BGR frame as JPEG bytes, as the frame store writes it."""
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise FrameError("a frame could not be encoded as JPEG")
    return data.tobytes()


def _write(frame: np.ndarray, out_dir: Path, index: int, quality: int) -> None:
    if not cv2.imwrite(str(out_dir / f"{index:05d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, quality]):
        raise FrameError(f"could not write frame {index}")


def _extract_video(source: Path, out_dir: Path, on_progress, limits: Limits, quality: int,
                   max_side: int) -> FramesInfo:
    cap = cv2.VideoCapture(str(source))
    if not cap.isOpened():
        raise FrameError("the video could not be opened: the file is corrupt or its codec is not supported")
    try:
        declared = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if all(declared):  # the container's word, checked before the first frame is decoded
            check_frame_size(*declared, "the video", limits)
        fps = cap.get(cv2.CAP_PROP_FPS) or 0.0
        # Only a hint for the progress bar; the real count comes from decoding.
        expected = max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0), 1)
        count, size = 0, None
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if size is None:
                size = frame.shape[:2]
                check_frame_size(size[1], size[0], "the video", limits)
            elif frame.shape[:2] != size:
                raise FrameError(f"frame {count} has size {frame.shape[1]}x{frame.shape[0]}, not {size[1]}x{size[0]}")
            _write(shrink(frame, max_side), out_dir, count, quality)
            count += 1
            if on_progress and count % 10 == 0:
                on_progress(min(count / expected, 0.99))
    finally:
        cap.release()
    if count == 0:
        raise FrameError("no frame could be decoded: the file is corrupt or its codec is not supported")
    if not (0 < fps < 1000):
        fps = DEFAULT_ZIP_FPS
    return _info(size, max_side, fps=float(fps), frame_count=count)


def _extract_zip(source: Path, out_dir: Path, on_progress, limits: Limits, quality: int,
                 max_side: int) -> FramesInfo:
    try:
        zf = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise FrameError(f"not a valid zip file: {exc}") from exc
    with zf:
        check_zip_sizes(zf, limits)
        entries = zip_image_entries(zf)
        size = None
        for index, info in enumerate(entries):
            frame = _decode_entry(zf, info, limits)
            if size is None:
                size = frame.shape[:2]
            elif frame.shape[:2] != size:
                raise FrameError(
                    f"zip entry '{info.filename}' is {frame.shape[1]}x{frame.shape[0]}, "
                    f"but the first frame is {size[1]}x{size[0]}: all frames must have one size"
                )
            _write(shrink(frame, max_side), out_dir, index, quality)
            if on_progress and index % 10 == 0:
                on_progress(index / len(entries))
    return _info(size, max_side, fps=DEFAULT_ZIP_FPS, frame_count=len(entries))


def _info(size_hw: tuple[int, int], max_side: int, *, fps: float, frame_count: int) -> FramesInfo:
    height, width = size_hw
    stored_width, stored_height = stored_size(width, height, max_side)
    return FramesInfo(width=stored_width, height=stored_height, fps=fps, frame_count=frame_count,
                      original_width=width, original_height=height)


def _decode_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> np.ndarray:
    """Return a zip entry's image as BGR, its declared size checked before its pixels are decoded."""
    try:
        raw = zf.read(info)
    except zipfile.BadZipFile as exc:  # e.g. data that inflates past the declared size
        raise FrameError(f"zip entry '{info.filename}' is damaged: {exc}") from exc
    _check_declared_size(raw, f"zip entry '{info.filename}'", limits)
    frame = cv2.imdecode(np.frombuffer(raw, dtype=np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        raise FrameError(f"zip entry '{info.filename}' is not a readable image")
    return frame


def _check_declared_size(data: bytes, what: str, limits: Limits) -> None:
    """Check the size an image's header declares before its pixels are decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit applies below
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except Image.DecompressionBombError as exc:  # Pillow will not even open it: far over any limit
            raise FrameError(
                f"{what} declares a giant image; the limit is {limits.max_frame_pixels:,} pixels a frame"
            ) from exc
        except Exception:  # not an image Pillow knows: imdecode decides
            return
    check_frame_size(width, height, what, limits)


def _natural_key(name: str):
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]
