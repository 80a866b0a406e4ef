"""Load: simulated annotators against the server as deployed, on loopback, bounded in time.

    .venv/bin/python bench/reliability/load.py [--annotators 50] [--duration 60] [--out FILE.json]

The stack is tests/reliability/stack.py: gunicorn (3 workers x 4 threads, as the Dockerfile),
a private PostgreSQL and Redis, a `gpu` worker (starter checkpoint, one CPU thread here) and a
`default` worker, both at nice 19 (deployed, the tracker runs on the GPU, not on the web
server's cores). Each simulated annotator owns one track on a shared clip with anchors every
10 frames and loops like a person at the workspace:

  scrub 8 consecutive frames at 10 fps (GET frame JPEGs), fetch that window's annotations,
  think 0.5-1.5 s, save a corrected box on an anchor frame (PUT, with its version), think
  0.5-1.5 s, and every ~4th cycle start a propagation from an anchor to the next one (POST),
  then look at the job (GET) on the next cycles.

Reported per endpoint: requests, requests per second, p50/p95/p99 latency (ms), errors. An error
is a 5xx, a connection failure or timeout, or any answer other than the one the step expects.
Target (issue 8): 0 errors and p95 < 100 ms for frame and annotation reads.
"""

import argparse
import asyncio
import atexit
import json
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
import numpy as np  # noqa: E402

from bench.reliability.report import machine  # noqa: E402
from tests.reliability import scenarios  # noqa: E402
from tests.reliability.stack import Stack  # noqa: E402

ANCHOR_EVERY = 10
SCRUB_FRAMES = 8
SCRUB_FPS = 10


class Recorder:
    def __init__(self):
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    async def call(self, name: str, request, expect: tuple[int, ...]) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = await request
        except httpx.HTTPError as exc:
            self.errors[name].append(f"{type(exc).__name__}: {exc}")
            return None
        self.latencies[name].append((time.perf_counter() - start) * 1000)
        if response.status_code not in expect:
            self.errors[name].append(f"{response.status_code}: {response.text[:200]}")
            return None
        return response

    def report(self, duration: float) -> dict:
        rows = {}
        for name in sorted(set(self.latencies) | set(self.errors)):
            ms = np.array(self.latencies[name] or [np.nan])
            rows[name] = {
                "requests": len(self.latencies[name]) + len(self.errors[name]) - _answered_errors(self.errors[name]),
                "rps": round(len(self.latencies[name]) / duration, 1),
                "p50_ms": round(float(np.percentile(ms, 50)), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1),
                "p99_ms": round(float(np.percentile(ms, 99)), 1), "errors": len(self.errors[name]),
                "first_errors": self.errors[name][:3],
            }
        return rows


def _answered_errors(errors: list[str]) -> int:
    """Errors that came with an answer are already counted among the latencies."""
    return sum(1 for e in errors if e[:3].isdigit())


class Annotator:
    def __init__(self, stack: Stack, token: str, video: dict, rng: random.Random, recorder: Recorder):
        self.stack, self.video, self.rng, self.rec = stack, video, rng, recorder
        self.client = httpx.AsyncClient(base_url=stack.web.url, headers={"Authorization": f"Token {token}"},
                                        timeout=15, limits=httpx.Limits(max_connections=6))
        self.track = self.version = None
        self.job: int | None = None
        self.anchors = list(range(0, video["frame_count"] - ANCHOR_EVERY, ANCHOR_EVERY))

    async def prepare(self, label: int) -> None:
        """Not measured: a track with a box on every anchor frame."""
        response = await self.client.post(f"/api/videos/{self.video['id']}/tracks/",
                                          json={"label": label, "frame": 0, "box": self._box(0)})
        response.raise_for_status()
        self.track, self.version = response.json()["id"], response.json()["version"]
        for frame in self.anchors[1:]:
            response = await self.client.put(f"/api/tracks/{self.track}/annotations/{frame}/",
                                              json={"version": self.version, "box": self._box(frame)})
            response.raise_for_status()
            self.version = response.json()["version"]

    def _box(self, frame: int) -> list[float]:
        x = 20 + (frame * 3) % max(self.video["width"] - 100, 1)
        return [float(x), 40.0, 60.0, 60.0]

    async def run(self, deadline: float) -> None:
        cycle = 0
        await asyncio.sleep(self.rng.uniform(0, 3))  # people do not all start on the same millisecond
        while time.monotonic() < deadline:
            await self._cycle(cycle, deadline)
            cycle += 1
        await self.client.aclose()

    async def _cycle(self, cycle: int, deadline: float) -> None:
        first = self.rng.randrange(0, self.video["frame_count"] - SCRUB_FRAMES)
        for frame in range(first, first + SCRUB_FRAMES):
            await self.rec.call("GET frame.jpg", self.client.get(f"/api/videos/{self.video['id']}/frames/{frame}.jpg"), (200,))
            await asyncio.sleep(1 / SCRUB_FPS)
        await self.rec.call("GET annotations", self.client.get(
            f"/api/tracks/{self.track}/annotations/", params={"from": first, "to": first + SCRUB_FRAMES}), (200,))
        await self._think(deadline)
        if self.job is not None:
            await self._check_job()
        anchor = self.rng.choice(self.anchors)
        box = [v + self.rng.uniform(-2, 2) for v in self._box(anchor)]
        saved = await self.rec.call("PUT annotation", self.client.put(
            f"/api/tracks/{self.track}/annotations/{anchor}/", json={"version": self.version, "box": box}), (200,))
        if saved is not None:
            self.version = saved.json()["version"]
        await self._think(deadline)
        if cycle % 4 == 3 and self.job is None:
            started = await self.rec.call("POST propagate", self.client.post(
                f"/api/tracks/{self.track}/propagate/", json={"frame": anchor, "direction": "forward"}), (202,))
            if started is not None:
                self.job = started.json()["id"]

    async def _check_job(self) -> None:
        job = await self.rec.call("GET job", self.client.get(f"/api/jobs/{self.job}/"), (200,))
        if job is not None and job.json()["status"] in ("succeeded", "failed", "cancelled"):
            if job.json()["status"] != "succeeded":
                self.rec.errors["job outcome"].append(f"job {self.job} {job.json()['status']}: {job.json()['error']}")
            self.job = None

    async def _think(self, deadline: float) -> None:
        await asyncio.sleep(min(self.rng.uniform(0.5, 1.5), max(deadline - time.monotonic(), 0)))


async def drive(stack: Stack, video: dict, annotators: int, duration: float, seed: int) -> tuple[Recorder, float, int]:
    recorder = Recorder()
    people = [Annotator(stack, stack.annotator_tokens[i], video, random.Random(seed + i), recorder)
              for i in range(annotators)]
    await asyncio.gather(*(p.prepare(stack.label) for p in people))
    start = time.monotonic()
    await asyncio.gather(*(p.run(start + duration) for p in people))
    return recorder, time.monotonic() - start, sum(1 for p in people if p.job is not None)


def clip_for_load(folder: Path) -> Path:
    """The real tennis frames (854x480 JPEGs) as a zip when ../shared/data has them, else a synthetic clip."""
    import zipfile

    frames = sorted((REPO.parent / "shared/data/tennis/frames").glob("*.jpg"))[:100]
    if not frames:
        return scenarios.write_clip(folder, 100, 854, 480)
    path = folder / "tennis-100.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in frames:
            zf.write(f, f"tennis/{f.name}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting for every process of the stack, e.g. CONN_MAX_AGE=0 to compare")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    root = Path(tempfile.mkdtemp(prefix="bench-load-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # the stack's scratch folder
    print(f"starting the stack in {root} ...", flush=True)
    with Stack(root, annotators=args.annotators, chunk_frames=8, worker_threads=1, nice_workers=True,
               extra_env=extra_env) as stack:
        clip = clip_for_load(root)
        video = stack.upload_clip(clip, clip.stem)
        print(f"clip {clip.name}: {video['frame_count']} frames {video['width']}x{video['height']}; "
              f"{args.annotators} annotators for {args.duration:.0f} s ...", flush=True)
        recorder, elapsed, jobs_open = asyncio.run(drive(stack, video, args.annotators, args.duration, args.seed))
        rows = recorder.report(elapsed)
        jobs = stack.postgres.query("SELECT status, count(*) FROM annotator_propagationjob GROUP BY status")
        duplicates = stack.postgres.query(
            "SELECT count(*) FROM (SELECT track_id, frame_index FROM annotator_frameannotation "
            "GROUP BY 1, 2 HAVING count(*) > 1) d")[0][0]
    total = sum(r["requests"] for r in rows.values())
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
        "settings": extra_env, "annotators": args.annotators, "duration_s": round(elapsed, 1), "requests": total,
        "rps": round(total / elapsed, 1), "errors": sum(r["errors"] for r in rows.values()),
        "endpoints": rows, "jobs_by_status": dict(jobs), "jobs_still_open_at_end": jobs_open,
        "duplicated_annotations": duplicates,
    }
    print(_table(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


def _table(result: dict) -> str:
    lines = [f"{result['date']}  {result['machine']}  {result['settings'] or ''}",
             f"{result['annotators']} annotators, {result['duration_s']} s: {result['requests']} requests, "
             f"{result['rps']} req/s, {result['errors']} errors, jobs {result['jobs_by_status']}, "
             f"duplicated annotations {result['duplicated_annotations']}",
             "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors |", "|---|---|---|---|---|---|---|"]
    for name, r in result["endpoints"].items():
        lines.append(f"| {name} | {r['requests']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} |")
        lines.extend(f"|   e.g. {e} |" for e in r["first_errors"])
    return "\n".join(lines)


if __name__ == "__main__":
    main()
