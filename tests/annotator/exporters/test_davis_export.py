import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from annotator import masks
from annotator.choices import Source
from annotator.models import FrameAnnotation
from formats.davis import davis_palette
from tests.annotator.labelled import FRAMES, export, person_mask, read_json, ring, square
from tracking_worker.evaluation.report import summarize
from tracking_worker.evaluation.run import evaluate_results

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


def png(archive, name) -> Image.Image:
    return Image.open(io.BytesIO(archive.read(name)))


def test_davis_export_has_frames_masks_image_set_and_semantics(cast, labelled):
    archive = export(cast.project, "davis")
    names = set(archive.namelist())
    assert {f"JPEGImages/clip/{i:05d}.jpg" for i in range(FRAMES)} <= names
    assert {f"Annotations/clip/{i:05d}.png" for i in range(FRAMES)} <= names
    assert archive.read("ImageSets/2017/all.txt") == b"clip\n"
    assert read_json(archive, "davis_semantics.json") == {"clip": {"1": "person", "2": "ball"}}
    assert len(names) == 2 * FRAMES + 2


def test_masks_are_palette_pngs_of_object_ids(cast, labelled):
    archive = export(cast.project, "davis")
    image = png(archive, "Annotations/clip/00003.png")
    assert image.mode == "P" and image.size == (160, 120)
    assert np.array_equal(np.array(image.getpalette(), np.uint8).reshape(-1, 3), davis_palette())
    ids = np.array(image)
    assert np.array_equal(ids == 1, person_mask(3))
    assert np.array_equal(ids == 2, ring(3))
    assert set(np.unique(ids)) == {0, 1, 2}  # object 3 has only boxes: not in DAVIS
    assert not np.array(png(archive, "Annotations/clip/00011.png")).any()  # nothing on the last frame


def test_where_masks_overlap_the_higher_object_id_wins(cast, labelled):
    ball = labelled.tracks.get(object_id=2)
    overlap = square(10, 20, 10)  # inside the person's square on frame 0
    FrameAnnotation.objects.filter(track=ball, frame_index=0).update(
        mask_rle=masks.encode_mask(overlap), source=Source.MANUAL_MASK)
    ids = np.array(png(export(cast.project, "davis"), "Annotations/clip/00000.png"))
    assert np.array_equal(ids == 2, overlap)
    assert np.array_equal(ids == 1, person_mask(0) & ~overlap)


def test_frames_can_be_left_out(cast, labelled):
    names = export(cast.project, "davis", include_frames=False).namelist()
    assert not [n for n in names if n.startswith("JPEGImages/")]


def test_the_evaluation_tool_scores_an_export_against_itself_perfectly(cast, labelled, tmp_path):
    export(cast.project, "davis").extractall(tmp_path / "export")
    data = tmp_path / "export"
    report = summarize(evaluate_results(data, data / "Annotations"))
    assert report["J_mean"] == report["F_mean"] == 1.0
    assert report["n_sequences"] == 1 and report["n_objects"] == 2
    # and the command line, as a person would run it
    proc = subprocess.run(
        [sys.executable, "-m", "tracking_worker.evaluate", "--data", str(data), "--results", str(data / "Annotations"),
         "--sequences", str(data / "ImageSets/2017/all.txt"), "--quiet"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    overall = proc.stdout.strip().splitlines()[-1].split()
    assert overall[0] == "overall" and overall[1] == "1.000" and overall[4] == "1.000"


def test_exporters_and_importers_never_import_torch():
    code = ("import django, sys; django.setup(); import annotator.services.transfers, annotator.api.views.transfers; "
            "sys.exit('torch' in sys.modules)")
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr or "torch was imported"
