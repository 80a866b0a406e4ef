"""Where one read of a 500-frame annotation window spends its CPU, through the full Django stack.

Fills a track in the database named by DATABASE_URL (a scratch one: it adds a project, a video and
a track, and removes them at the end) with --frames propagated 1080p frames (an ellipse of the size
bench/long_video.py draws, so the RLE is as long), then times, through the test client (middleware
included), GET /api/tracks/T/annotations/?from=0&to=499 with gzip: a first read, repeated reads, a
repeated read that sends the ETag back; and the track's summary. With --profile, cProfile of the
repeated reads, by time spent in each function.

    DATABASE_URL=postgres://.../scratch .venv/bin/python bench/annotation_window_cost.py [--frames 900] [--profile]
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-secret")

import django  # noqa: E402

django.setup()

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from annotator import masks  # noqa: E402
from annotator.choices import Role, Source, VideoStatus  # noqa: E402
from annotator.models import FrameAnnotation, Label, Membership, Project, Track, Video  # noqa: E402
from bench.long_video import HEIGHT, OBJECT_H, OBJECT_W, WIDTH, object_box  # noqa: E402


def fill(frames: int) -> tuple[Project, Track]:
    user, _ = get_user_model().objects.get_or_create(username="bench-window-reader")
    project = Project.objects.create(name="bench annotation window")
    Membership.objects.create(project=project, user=user, role=Role.MANAGER)
    label = Label.objects.create(project=project, name="thing")
    video = Video.objects.create(project=project, name="clip", source_file="none", status=VideoStatus.READY,
                                 width=WIDTH, height=HEIGHT, fps=30, frame_count=frames)
    track = Track.objects.create(video=video, label=label, object_id=1)
    rows = []
    for n in range(frames):
        x, y, w, h = (int(v) for v in object_box(n))
        mask = np.zeros((HEIGHT, WIDTH), np.uint8)
        cv2.ellipse(mask, (x + w // 2, y + h // 2), (OBJECT_W // 2 - 2, OBJECT_H // 2 - 2), 0, 0, 360, 1, -1)
        rows.append(FrameAnnotation(track=track, frame_index=n, source=Source.PROPAGATED, mask_rle=masks.encode_mask(
            mask.astype(bool)), bbox=[x, y, w, h], rotated_box=[[x, y], [x + w, y], [x + w, y + h], [x, y + h]],
            score=0.97, quality=0.91, area=int(mask.sum()), run="forward"))
    FrameAnnotation.objects.bulk_create(rows, batch_size=200)
    return project, track


def timed(client: Client, url: str, n: int, **headers) -> tuple[list[float], object]:
    times, response = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url, headers={"Accept-Encoding": "gzip", **headers})
        times.append((time.perf_counter() - t0) * 1000)
    return times, response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=900)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    project, track = fill(args.frames)
    try:
        with override_settings(SECURE_SSL_REDIRECT=False, ALLOWED_HOSTS=["*"]):
            client = Client()
            client.force_login(get_user_model().objects.get(username="bench-window-reader"))
            url = f"/api/tracks/{track.pk}/annotations/?from=0&to=499"
            first, response = timed(client, url, 1)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            print(f"first read: {first[0]:.1f} ms, {len(body) / 1e3:.1f} KB on the wire "
                  f"({response.get('Content-Encoding', 'identity')}), ETag {response.get('ETag')}")
            profiler = cProfile.Profile()
            profiler.enable() if args.profile else None
            again, _ = timed(client, url, args.reads)
            profiler.disable() if args.profile else None
            print(f"repeated reads: median {statistics.median(again):.1f} ms, min {min(again):.1f} ms ({args.reads})")
            if response.get("ETag"):
                revalidated, answer = timed(client, url, args.reads, **{"If-None-Match": response["ETag"]})
                print(f"with If-None-Match: median {statistics.median(revalidated):.1f} ms, "
                      f"status {answer.status_code}")
            summary, _ = timed(client, f"/api/tracks/{track.pk}/summary/?from=0&to={args.frames - 1}", args.reads)
            print(f"summary of all {args.frames} frames: median {statistics.median(summary):.1f} ms")
            if args.profile:
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    finally:
        Track.objects.filter(video__project=project).delete()  # Label is protected by its tracks
        project.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
