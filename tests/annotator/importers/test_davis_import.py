import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from annotator import masks
from annotator.models import FrameAnnotation, Track
from formats.davis import davis_palette
from tests.annotator.labelled import import_archive, square, zip_bytes

pytestmark = pytest.mark.django_db


def png_declaring(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header (IHDR) is rewritten to declare width x height."""
    data = bytearray(png(np.zeros((2, 2), np.uint8)))
    ihdr = 8 + 8  # signature, then the IHDR chunk's length and type
    data[ihdr:ihdr + 8] = struct.pack(">II", width, height)
    data[ihdr + 13:ihdr + 17] = struct.pack(">I", zlib.crc32(bytes(data[ihdr - 4:ihdr + 13])))
    return bytes(data)


def png(ids: np.ndarray, palette: bool = True) -> bytes:
    image = Image.fromarray(ids.astype(np.uint8))
    if palette:
        image.putpalette(davis_palette().ravel().tolist())
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def ids_with(*objects) -> np.ndarray:
    ids = np.zeros((120, 160), np.uint8)
    for value, mask in objects:
        ids[mask] = value
    return ids


def test_binary_davis_masks_import_as_object_1_with_the_first_label(cast, ready_video):
    data = zip_bytes({f"Annotations/clip/{i:05d}.png": png(ids_with((255, square(10 + i, 10, 20))), palette=False)
                      for i in (0, 3)})
    job = import_archive(cast.project, "davis", data)
    assert job.status == "succeeded", job.error
    track = Track.objects.get(video=ready_video)
    assert (track.object_id, track.label.name) == (1, "person")
    frames = {a.frame_index: a for a in FrameAnnotation.objects.filter(track=track)}
    assert sorted(frames) == [0, 3]
    assert np.array_equal(masks.decode_mask(frames[3].mask_rle), square(13, 10, 20))
    assert frames[3].bbox == [13.0, 10.0, 20.0, 20.0] and frames[3].area == 400


def test_davis_with_frames_semantics_and_void_keeps_object_ids(cast, ready_video):
    entries = {f"DAVIS/JPEGImages/480p/clip/{i:05d}.jpg": b"jpeg" for i in range(12)}
    void = np.zeros((120, 160), bool)
    void[:, :2] = True
    entries["DAVIS/Annotations/480p/clip/00002.png"] = png(ids_with((4, square(10, 10, 20)), (7, square(90, 60, 10)),
                                                                    (255, void)))
    entries["DAVIS/davis_semantics.json"] = {"clip": {"4": "ball", "7": "person"}}
    job = import_archive(cast.project, "davis", zip_bytes(entries))
    assert job.status == "succeeded", job.error
    tracks = Track.objects.filter(video=ready_video).order_by("object_id")
    assert [(t.object_id, t.label.name) for t in tracks] == [(4, "ball"), (7, "person")]
    assert set(FrameAnnotation.objects.values_list("frame_index", flat=True)) == {2}


@pytest.mark.parametrize("entries, message", [
    ({"JPEGImages/clip/00000.jpg": b"j", "Annotations/clip/00000.png": png(ids_with((1, square(0, 0, 5))))},
     "JPEGImages/clip/ has 1 frames but video 'clip' has 12: frames are missing"),
    ({**{f"JPEGImages/clip/{i:05d}.jpg": b"j" for i in range(12) if i != 5},
      "JPEGImages/clip/00012.jpg": b"j",
      "Annotations/clip/00005.png": png(ids_with((1, square(0, 0, 5))))},
     "masks without a frame in JPEGImages/clip/ (missing frames): Annotations/clip/00005.png"),
    ({"Annotations/clip/00020.png": png(ids_with((1, square(0, 0, 5))))},
     "frame 20 is missing from video 'clip'"),
    ({f"Annotations/clip/{i:05d}.png": png(ids_with((1, square(0, 0, 5)))) for i in (11, 20, 21)},
     "2 problems: Annotations/clip/00020.png: frame 20 is missing from video 'clip', which has 12 frames (0 to 11); "
     "Annotations/clip/00021.png: frame 21 is missing"),
    ({"Annotations/clip/00000.png": png(np.ones((240, 320), np.uint8))},
     "Annotations/clip/00000.png is 320x240, but video 'clip' is 160x120"),
    ({"Annotations/clip/00000.png": png(ids_with((1, square(0, 0, 5)))),
      "davis_semantics.json": {"clip": {"1": "dog"}}},
     "unknown categories: dog"),
    ({"Annotations/other/00000.png": png(ids_with((1, square(0, 0, 5))))}, "videos this project does not: other"),
    ({"Annotations/clip/00000.png": b"not a png"}, "Annotations/clip/00000.png is not a readable id mask"),
    # a few bytes that declare a huge image: refused from the header, never decoded
    ({"Annotations/clip/00000.png": png_declaring(12000, 12000)},
     "Annotations/clip/00000.png is 12000x12000, but video 'clip' is 160x120"),
    ({"Annotations/clip/00000.png": png_declaring(15000, 15000)},  # past PIL's decompression-bomb limit
     "Annotations/clip/00000.png is not a readable id mask"),
])
def test_bad_davis_archives_fail_with_a_clear_message(cast, ready_video, entries, message):
    job = import_archive(cast.project, "davis", zip_bytes(entries))
    assert job.status == "failed"
    assert message in job.error
    assert not Track.objects.filter(video=ready_video).exists()
