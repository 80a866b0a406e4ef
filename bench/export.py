"""Time and peak memory of label exports on a generated project, in every format.

    .venv/bin/python bench/export.py                    # PostgreSQL database siamlabel_bench (created if absent)
    .venv/bin/python bench/export.py --sqlite           # a throwaway SQLite database instead
    .venv/bin/python bench/export.py --sizes 5,20 --frames 300 --tracks 5

The project has max(sizes) videos of `--frames` 320x240 frames with `--tracks` tracks, each
with a propagated mask on every frame. Frame files are written once and hard-linked into every
video. Each measurement runs in a fresh process, because the peak resident size
(ru_maxrss) only ever grows within a process: "peak RSS" is that process's high-water mark and
"growth" is the peak minus its resident size just before the export started. The Python heap
peak (tracemalloc) is measured in a second run, since tracing slows Python down. Results go
to docs/benchmarks.md under "## Export".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/siamlabel_bench"
WIDTH, HEIGHT = 320, 240
CONFIGS = [("coco", False), ("coco", True), ("youtube-vis", False), ("davis", True)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5,20", help="numbers of videos to export, comma-separated")
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--tracks", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL))
    parser.add_argument("--sqlite", action="store_true", help="use a SQLite database in a temporary folder")
    parser.add_argument("--no-heap", action="store_true", help="skip the tracemalloc runs")
    # internal: one measurement in a child process
    parser.add_argument("--measure", nargs=4, metavar=("PROJECT", "VIDEOS", "FORMAT", "INCLUDE_FRAMES"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def setup_django(database_url: str, media_root: Path) -> None:
    os.environ.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), DEBUG="1",
                      DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="WARNING")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def ensure_postgres_database(url: str) -> None:
    """Create the benchmark database if it does not exist (it is thrown away by `flush` anyway)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- the generated project --------------------------------------------------------------------


def write_frames(folder: Path, n: int) -> None:
    import cv2
    import numpy as np

    rng = np.random.default_rng(0)
    background = cv2.GaussianBlur(rng.integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8), (9, 9), 3)
    folder.mkdir(parents=True)
    for i in range(n):
        frame = np.roll(background, 2 * i, axis=1)
        cv2.imwrite(str(folder / f"{i:05d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])


def track_masks(tracks: int, frames: int) -> list[list[tuple[dict, list, list, int]]]:
    """Return per track and frame (mask RLE, bbox, rotated box, area): ellipses moving around."""
    import cv2
    import numpy as np

    from annotator import masks

    out = []
    for t in range(tracks):
        rows = []
        for i in range(frames):
            mask = np.zeros((HEIGHT, WIDTH), np.uint8)
            cx = 30 + (t * 60 + 2 * i) % (WIDTH - 60)
            cy = 30 + (t * 40 + i) % (HEIGHT - 60)
            cv2.ellipse(mask, (cx, cy), (25, 15), (i * 3 + t * 30) % 180, 0, 360, 1, -1)
            mask = mask.astype(bool)
            rows.append((masks.encode_mask(mask), masks.mask_bbox(mask), masks.mask_rotated_box(mask), int(mask.sum())))
        out.append(rows)
    return out


def generate(media_root: Path, videos: int, frames: int, tracks: int) -> int:
    """Create the benchmark project (flushing the database first); return its id."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from annotator.choices import ReviewStatus, Source, VideoStatus
    from annotator.models import FrameAnnotation, Track, Video
    from annotator.services.projects import create_project

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    user = get_user_model().objects.create_user("bench")
    project = create_project(name="bench", by=user, labels=["person", "car", "dog"])
    labels = list(project.labels.all())
    source = media_root / "source-frames"
    write_frames(source, frames)
    per_track = track_masks(tracks, frames)
    statuses = list(ReviewStatus)
    for v in range(videos):
        video = Video.objects.create(project=project, name=f"video-{v:02d}", source_file="bench",
                                     status=VideoStatus.READY, width=WIDTH, height=HEIGHT, fps=25.0, frame_count=frames)
        video.frames_dir.mkdir(parents=True)
        for i in range(frames):
            os.link(source / f"{i:05d}.jpg", video.frame_path(i))
        rows = []
        for t in range(tracks):
            track = Track.objects.create(video=video, label=labels[t % len(labels)], object_id=t + 1,
                                         review_status=statuses[t % len(statuses)], created_by=user)
            rows += [FrameAnnotation(track=track, frame_index=i, source=Source.PROPAGATED, mask_rle=rle, bbox=bbox,
                                     rotated_box=rotated, area=area, score=0.8)
                     for i, (rle, bbox, rotated, area) in enumerate(per_track[t])]
        FrameAnnotation.objects.bulk_create(rows, batch_size=2000)
    return project.pk


# --- one measurement (child process) ----------------------------------------------------------


def measure(project_id: int, videos: int, format: str, include_frames: bool, trace: bool) -> dict:
    from annotator.models import Project
    from annotator import media_store
    from annotator.services import transfers

    project = Project.objects.get(pk=project_id)
    video_ids = list(project.videos.order_by("name").values_list("pk", flat=True)[:videos])
    job = transfers.start_export(project=project, format=format, by=None, video_ids=video_ids,
                                 include_frames=include_frames, enqueue=False)
    baseline = rss_kib()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    job = transfers.run_export(job.pk)
    seconds = time.perf_counter() - start
    heap_peak = tracemalloc.get_traced_memory()[1] if trace else None
    assert job.status == "succeeded", job.error
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    result = {"seconds": seconds, "peak_rss_mib": peak / 1024, "growth_mib": (peak - baseline) / 1024,
              "heap_peak_mib": heap_peak / 2**20 if heap_peak is not None else None,
              "zip_mib": media_store.get().stat(job.file).size / 2**20}
    media_store.get().delete(job.file)
    return result


def run_child(args, project_id: int, videos: int, format: str, include_frames: bool, trace: bool, env) -> dict:
    command = [sys.executable, __file__, "--measure", str(project_id), str(videos), format, str(int(include_frames)),
               "--database-url", env["DATABASE_URL"]] + (["--trace"] if trace else [])
    return child_result(command, env)


def child_result(command: list[str], env) -> dict:
    """Run one measurement in a fresh process (a fresh ru_maxrss); return the JSON it prints last."""
    proc = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"measurement failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.measure:
        project_id, videos, format, include_frames = args.measure
        setup_django(args.database_url, Path(os.environ["MEDIA_ROOT"]))
        print(json.dumps(measure(int(project_id), int(videos), format, include_frames == "1", args.trace)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        media_root = Path(tmp) / "media"
        database_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}" if args.sqlite else args.database_url
        if not args.sqlite:
            ensure_postgres_database(database_url)
        setup_django(database_url, media_root)
        started = time.perf_counter()
        project_id = generate(media_root, max(sizes), args.frames, args.tracks)
        print(f"generated {max(sizes)} videos x {args.frames} frames x {args.tracks} tracks "
              f"in {time.perf_counter() - started:.1f} s ({database_url.split(':')[0]})", flush=True)
        env = os.environ.copy()
        print("| format | frames in zip | videos | annotations | time (s) | peak RSS (MiB) | RSS growth (MiB) "
              "| Python heap peak (MiB) | zip (MiB) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for format, include_frames in CONFIGS:
            for videos in sizes:
                result = run_child(args, project_id, videos, format, include_frames, False, env)
                heap = None if args.no_heap else run_child(args, project_id, videos, format, include_frames, True,
                                                          env)["heap_peak_mib"]
                print(f"| {format} | {'yes' if include_frames else 'no'} | {videos} | "
                      f"{videos * args.frames * args.tracks} | {result['seconds']:.1f} | "
                      f"{result['peak_rss_mib']:.0f} | "
                      f"{result['growth_mib']:.0f} | {'-' if heap is None else f'{heap:.1f}'} | "
                      f"{result['zip_mib']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
