"""Time and peak memory of a large COCO label import (issue 16: imports stream their JSON).

    .venv/bin/python bench/import_memory.py                 # PostgreSQL database siamlabel_bench_import
    .venv/bin/python bench/import_memory.py --sizes 64,256  # file sizes in MB

Each file is written by tests/annotator/importers/large_coco.py: 640x480 masks broken into
runs of 1-4 pixels (~123 kB of RLE each), annotations before images. Each import runs
`run_import` in a fresh process, as bench/export.py does: "RSS growth" is the peak resident
size (ru_maxrss) minus the size just before the import; the Python heap peak (tracemalloc) comes
from a second run, since tracing slows Python down. Results go to docs/benchmarks.md, "## Import".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.export import child_result, ensure_postgres_database, rss_kib, setup_django  # noqa: E402

BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/siamlabel_bench_import"
WIDTH, HEIGHT, FRAMES = 640, 480, 40


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="64,256", help="COCO file sizes in MB, comma-separated")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL))
    parser.add_argument("--measure", nargs=2, metavar=("PROJECT", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def generate() -> int:
    """Create a project with label `person` and a ready 640x480 video `big` (flushing first)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from annotator.choices import VideoStatus
    from annotator.models import Video
    from annotator.services.projects import create_project
    from tests.annotator.importers.large_coco import LABEL, VIDEO

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    project = create_project(name="bench", by=get_user_model().objects.create_user("bench"), labels=[LABEL])
    Video.objects.create(project=project, name=VIDEO, source_file="bench", status=VideoStatus.READY, width=WIDTH,
                         height=HEIGHT, fps=25.0, frame_count=FRAMES)
    return project.pk


def measure(project_id: int, path: Path, trace: bool) -> dict:
    from django.conf import settings
    from django.core.files import File

    from annotator.models import Project, Track
    from annotator.services import transfers

    settings.DEBUG = False  # DEBUG logs every query's SQL: megabytes of RLE per insert
    project = Project.objects.get(pk=project_id)
    with open(path, "rb") as f:
        job = transfers.start_import(project=project, format="coco", upload=File(f, path.name), by=None, enqueue=False)
    baseline = rss_kib()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    job = transfers.run_import(job.pk)
    seconds = time.perf_counter() - start
    heap_peak = tracemalloc.get_traced_memory()[1] if trace else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    assert job.status == "succeeded", job.error
    Track.objects.filter(video__project=project).delete()  # the next run imports the same track ids
    return {"seconds": seconds, "peak_rss_mib": peak / 1024, "growth_mib": (peak - baseline) / 1024,
            "heap_peak_mib": heap_peak / 2**20 if heap_peak is not None else None,
            "annotations": job.summary["frames"]}


def run_child(args, project_id: int, path: Path, trace: bool) -> dict:
    command = [sys.executable, __file__, "--measure", str(project_id), str(path),
               "--database-url", args.database_url] + (["--trace"] if trace else [])
    return child_result(command, os.environ.copy())


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.measure:
        setup_django(args.database_url, Path(os.environ["MEDIA_ROOT"]))
        print(json.dumps(measure(int(args.measure[0]), Path(args.measure[1]), args.trace)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        ensure_postgres_database(args.database_url)
        setup_django(args.database_url, Path(tmp) / "media")
        from annotator.importers import jsonstream
        from tests.annotator.importers.large_coco import write_large_coco

        project_id = generate()
        print(f"ijson backend: {jsonstream.BACKEND}")
        print("| file (MB) | annotations | time (s) | peak RSS (MiB) | RSS growth (MiB) | Python heap peak (MiB) |")
        print("|---|---|---|---|---|---|")
        for size in (float(s) for s in args.sizes.split(",")):
            big = write_large_coco(Path(tmp) / f"instances-{size:g}.json", size_mb=size, width=WIDTH, height=HEIGHT,
                                   frames=FRAMES)
            result = run_child(args, project_id, big.path, False)
            heap = run_child(args, project_id, big.path, True)["heap_peak_mib"]
            print(f"| {big.size_bytes / 1e6:.0f} | {result['annotations']} | {result['seconds']:.1f} | "
                  f"{result['peak_rss_mib']:.0f} | {result['growth_mib']:.0f} | {heap:.1f} |", flush=True)
            big.path.unlink()


if __name__ == "__main__":
    main()
