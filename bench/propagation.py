"""End-to-end propagation time against the tracker alone, on the same frames, in one run.

    .venv/bin/python bench/propagation.py [--frames 300] [--weights weights/starter.pth --variant light]

Pipeline = POST /api/tracks/{id}/propagate/ -> Redis -> a real Celery worker -> frames read from
storage -> tracker -> chunked writes to PostgreSQL, timed from the request until the job row says
`succeeded`. Tracker alone = the same model and frames in this process, frames already in memory.
Target (issue 5): the pipeline within 15% of the tracker alone. Uses the PostgreSQL database
`siamlabel_bench` (created if absent) and Redis database 12.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/siamlabel_bench")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")


def setup_django(media: Path, weights_dir: Path) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname='siamlabel_bench'").fetchone():
            conn.execute("CREATE DATABASE siamlabel_bench")
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=DB_URL, CELERY_BROKER_URL=BROKER_URL,
                      DEBUG="1", ALLOWED_HOSTS="testserver,127.0.0.1", MEDIA_ROOT=str(media), SIAMLABEL_WEIGHTS_DIR=str(weights_dir),
                      SIAMLABEL_LOST_PATIENCE="1000000")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()


def clip_frames(n: int):
    """The tennis frames when present (cycled forward and back to n), else synthetic 854x480 ones."""
    import cv2
    import numpy as np

    paths = sorted((REPO.parent / "shared/data/tennis/frames").glob("*.jpg"))
    if paths:
        frames = [cv2.imread(str(p)) for p in paths]
        cycle = frames + frames[-2:0:-1]
        return [cycle[i % len(cycle)] for i in range(n)], [300, 110, 165, 250]
    rng = np.random.default_rng(0)
    base = cv2.GaussianBlur(rng.integers(0, 255, (480, 854, 3), dtype=np.uint8), (0, 0), 5)
    out = []
    for i in range(n):
        f = base.copy()
        cv2.circle(f, (200 + (i * 3) % 400, 240), 60, (30, 60, 220), -1)
        out.append(f)
    return out, [140, 180, 120, 120]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--weights", default=str(REPO / "weights/mobile.pth"), help="default: the built-in default model")
    parser.add_argument("--variant", default="mobile")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-propagation-"))
    weights = Path(args.weights).resolve()
    setup_django(tmp / "media", weights.parent)

    import cv2
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from annotator.models import PropagationJob
    from annotator.services.checkpoints import register_checkpoint
    from annotator.services.projects import create_project
    from annotator.services.tracks import create_track
    from annotator.services.videos import create_video, extract_video_frames

    frames, box = clip_frames(args.frames)
    import zipfile

    archive = tmp / "clip.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i, f in enumerate(frames):
            zf.writestr(f"{i:05d}.jpg", cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes())
    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    project = create_project(name="bench", by=user, labels=["object"])
    register_checkpoint(name="bench", file=weights.name, variant=args.variant, make_default=True)
    video = create_video(project=project, name="clip", upload=SimpleUploadedFile("clip.zip", archive.read_bytes()), by=user)
    video = extract_video_frames(video.pk)
    track = create_track(video=video, label=project.labels.first(), frame_index=0, bbox=box, by=user)

    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "gpu",
                               "--pool", "solo", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                              cwd=REPO, env=env, start_new_session=True)
    try:
        client = APIClient()
        client.force_authenticate(user)
        # Warm the worker (imports, model load) with a 2-frame job, as a long-running worker would be.
        warm = create_track(video=video, label=project.labels.first(), frame_index=video.frame_count - 3, bbox=box, by=user)
        job_id = client.post(f"/api/tracks/{warm.pk}/propagate/", {"frame": video.frame_count - 3}, format="json").json()["id"]
        wait(job_id)
        t0 = time.perf_counter()
        job_id = client.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
        job = wait(job_id)
        pipeline = time.perf_counter() - t0
        assert job.status == "succeeded", job.error
    finally:
        worker.terminate()
        worker.wait()

    from tracking_worker.siammask import MultiTracker, TrackerConfig, load_model

    model = load_model(str(weights))
    tracker = MultiTracker(model, TrackerConfig.davis())
    t0 = time.perf_counter()
    tracker.add(1, frames[0], box)
    for f in frames[1 : video.frame_count - 2]:
        tracker.track(f)
    alone = time.perf_counter() - t0
    n = job.frames_done
    print(f"frames tracked: {n}  (854x480 tennis clip: {bool(box == [300, 110, 165, 250])})")
    print(f"pipeline (API -> worker -> DB): {pipeline:7.2f} s  {n / pipeline:6.1f} fps")
    print(f"tracker alone (same frames):   {alone:7.2f} s  {n / alone:6.1f} fps")
    print(f"pipeline / tracker alone:      {pipeline / alone:7.3f}  (target <= 1.15)")


def wait(job_id: int):
    from annotator.models import PropagationJob

    while True:
        job = PropagationJob.objects.get(pk=job_id)
        if not job.is_active:
            return job
        time.sleep(0.05)


if __name__ == "__main__":
    main()
