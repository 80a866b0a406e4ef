"""Benchmark: the review queue computed in the database against the old loop over every frame in Python.

    DATABASE_URL=postgres://.../siamlabel_bench .venv/bin/python bench/review_queue.py [--tracks 50] [--frames 2000]

Writes one project with TRACKS tracks in review of FRAMES frames each straight into the database
DATABASE_URL names (migrated first; bulk_create, then ANALYZE; the project is deleted again at the
end): propagated frames with a score, a quality on half the tracks, a mask RLE of RLE_BYTES
characters and a random area, and every 50th frame a manual box or an outside frame. Then calls
`tracks_for_review` (annotator/review_queue.py) and the old Python loop
(tests/annotator/review_queue_oracle.py) CALLS times each, alternating, checks that they return
equal rows, and prints JSON: median and all times in ms, and the queries each one makes.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-secret")  # production settings refuse to start without one
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def write_project(tracks: int, frames: int, rle_bytes: int, seed: int):
    """Create the user, project, video and tracks in review; return (user, project)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from annotator.choices import ReviewStatus, Source, VideoStatus
    from annotator.models import FrameAnnotation, Track, Video
    from annotator.services.projects import create_project

    rng = random.Random(seed)
    user = get_user_model().objects.create_user(username=f"bench-review-{os.getpid()}")
    project = create_project(name=f"bench review {os.getpid()}", by=user, labels=["thing"])
    video = Video.objects.create(project=project, name="long", source_file="none", status=VideoStatus.READY,
                                 width=854, height=480, fps=25, frame_count=frames)
    label = project.labels.get()
    rle = {"size": [480, 854], "counts": "x" * rle_bytes}
    for object_id in range(1, tracks + 1):
        track = Track.objects.create(video=video, label=label, object_id=object_id, review_status=ReviewStatus.IN_REVIEW)
        with_quality = object_id % 2 == 0
        rows = []
        for index in range(frames):
            kind = index % 100
            if kind == 50:
                rows.append(FrameAnnotation(track=track, frame_index=index, source=Source.OUTSIDE))
                continue
            source = Source.MANUAL_BOX if kind == 0 else Source.PROPAGATED
            rows.append(FrameAnnotation(
                track=track, frame_index=index, source=source, bbox=[10, 10, 50, 50],
                mask_rle=None if source == Source.MANUAL_BOX else rle,
                score=None if source == Source.MANUAL_BOX else rng.random(),
                quality=rng.random() if with_quality and source != Source.MANUAL_BOX else None,
                area=0 if source == Source.MANUAL_BOX else rng.randrange(1000, 5000)))
        FrameAnnotation.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotator_frameannotation")
    return user, project


def timed(function, user, project) -> tuple[float, list, int]:
    """Return (ms, rows, queries) of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        rows = function(user, project_id=project.pk)
        ms = (time.perf_counter() - start) * 1000
    return ms, rows, len(queries)


def database_version() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"postgresql {cursor.fetchone()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracks", type=int, default=50)
    parser.add_argument("--frames", type=int, default=2000)
    parser.add_argument("--rle-bytes", type=int, default=300)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup_django()
    from annotator.models import Track
    from annotator.review_queue import tracks_for_review
    from tests.annotator.review_queue_oracle import tracks_for_review_in_python

    started = time.perf_counter()
    user, project = write_project(args.tracks, args.frames, args.rle_bytes, args.seed)
    written_s = time.perf_counter() - started
    versions = {"database": tracks_for_review, "python": tracks_for_review_in_python}
    times = {name: [] for name in versions}
    queries = {}
    try:
        for _ in range(args.calls):
            rows = {}
            for name, function in versions.items():
                ms, rows[name], queries[name] = timed(function, user, project)
                times[name].append(round(ms, 1))
            assert rows["database"] == rows["python"], "the two versions disagree"
        assert len(rows["database"]) == args.tracks
    finally:  # not services.delete_project: it would remove media folders named after these pks
        Track.objects.filter(video__project=project).delete()
        project.delete()
        user.delete()
    median = {name: statistics.median(values) for name, values in times.items()}
    print(json.dumps({
        "tracks": args.tracks, "frames_per_track": args.frames, "annotation_rows": args.tracks * args.frames,
        "rle_bytes": args.rle_bytes, "calls": args.calls, "write_s": round(written_s, 1),
        "median_ms": median, "times_ms": times, "queries": queries,
        "python_over_database": round(median["python"] / median["database"], 2),
        "database": database_version(),
        "host": platform.node(), "python": platform.python_version(),
    }, indent=1))


if __name__ == "__main__":
    main()
