"""Benchmark: a long 1080p clip through the deployed stack, as a user would, end to end.

    .venv/bin/python bench/long_video.py [--frames 900] [--propagate N] [--repropagate 100]
        [--clients processes|threads|both] [--web-mixes 2x4,4x2] [--read-rounds N]
        [--browser-runs 3] [--revalidate]

Generates a 1920x1080 mp4 (a textured ellipse moving over a textured background) and starts the
server as deployed (tests/reliability/stack.py: gunicorn with `manage.py serve`'s 2 workers x 4
threads, real Celery workers, a private PostgreSQL and Redis). Then, through the public API:

- upload: POST of the mp4 (time, MB/s);
- extraction: upload answered -> video ready (time, fps), peak RSS of the `default` worker (/proc);
- disk: bytes of the extracted frames against the upload;
- propagation: one track boxed on frame 0, propagated forward over the first --propagate frames
  (a manual box on the next frame stops it there; default: the whole clip), fps;
- concurrent reads: GET /api/projects/ timed every 100 ms for 10 s alone (this shared machine's
  baseline), then while 8 clients loop over the track's summary and 500-frame annotation windows
  (as the workspace reads them, gzip; with --revalidate sending each path's ETag back, as a
  browser's HTTP cache does): p50/p95 of both, the load average, and each gunicorn worker's RSS
  before and after the 8 readers. --clients (bench/read_clients.py): each reader and the timer its
  own OS process (`processes`, the default: no client-side GIL between them), threads of this
  process (`threads`, as the bench first measured), or `both` in turn; --web-mixes repeats the
  reads with gunicorn restarted as each <workers>x<threads>; --read-rounds repeats all of it;
- first frame (skipped with --browser-runs 0): headless Chromium (CDP-throttled to 10 Mbit/s
  down, 5 up, 20 ms latency), a fresh context per run, opens the workspace in the middle of the
  propagated range: time from navigation start until the frame is drawn with its mask, and the
  bytes the page fetched;
- delta traffic (skipped with --repropagate 0): a box corrected by hand, --repropagate frames
  propagated forward from it (the project's auto re-propagation is off, so the range is known),
  then the bytes of the whole track's annotations with `?changed_since=` (the summary's cursor
  from before) against without.

Prints a table and writes JSON to var/bench/long_video-<frames>-<workers>x<threads>.json (a later
run with the same arguments overwrites it).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import cv2  # noqa: E402
import httpx  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from bench.read_clients import run_clients  # noqa: E402
from bench.reliability.report import machine  # noqa: E402
from tests.reliability.stack import Stack, WebServer, _ready, wait_until  # noqa: E402

WIDTH, HEIGHT, FPS = 1920, 1080, 30
OBJECT_W, OBJECT_H = 240, 160
WINDOW = 500  # frames per annotation request, as the workspace asks (frontend/src/store/frameWindows.ts)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
THROTTLE = {"offline": False, "latency": 20, "downloadThroughput": 10e6 / 8, "uploadThroughput": 5e6 / 8}


# -- the clip ---------------------------------------------------------------------------------
def object_box(n: int) -> list[float]:
    """[x, y, w, h] of the object on frame n (a slow Lissajous path over the frame)."""
    cx = WIDTH / 2 + 0.3 * WIDTH * np.sin(2 * np.pi * n / 600)
    cy = HEIGHT / 2 + 0.25 * HEIGHT * np.sin(2 * np.pi * n / 900)
    return [float(round(cx - OBJECT_W / 2)), float(round(cy - OBJECT_H / 2)), float(OBJECT_W), float(OBJECT_H)]


def texture(rng: np.random.Generator, h: int, w: int, blur: float) -> np.ndarray:
    noise = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    return cv2.GaussianBlur(noise, (0, 0), blur)


def write_clip(path: Path, frames: int) -> Path:
    rng = np.random.default_rng(0)
    background = cv2.addWeighted(texture(rng, HEIGHT, WIDTH, 3), 0.7, texture(rng, HEIGHT, WIDTH, 25), 0.3, 30)
    thing = cv2.addWeighted(texture(rng, OBJECT_H, OBJECT_W, 2), 0.5, np.full((OBJECT_H, OBJECT_W, 3), (40, 60, 220),
                                                                              np.uint8), 0.5, 0)
    inside = np.zeros((OBJECT_H, OBJECT_W), np.uint8)
    cv2.ellipse(inside, (OBJECT_W // 2, OBJECT_H // 2), (OBJECT_W // 2 - 2, OBJECT_H // 2 - 2), 0, 0, 360, 1, -1)
    inside = inside.astype(bool)[..., None]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    for n in tqdm(range(frames), desc="writing the clip", unit="frame"):
        x, y, _, _ = (int(v) for v in object_box(n))
        frame = background.copy()
        region = frame[y:y + OBJECT_H, x:x + OBJECT_W]
        region[:] = np.where(inside, thing, region)
        writer.write(frame)
    writer.release()
    return path


# -- process memory ---------------------------------------------------------------------------
def rss_mb(pid: int) -> float:
    try:
        line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0.0
    return int(line.split()[1]) / 1024


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class PeakRss(threading.Thread):
    """Samples a process's RSS (with its children) every 0.2 s until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0.0, threading.Event()

    def run(self):
        while not self._done.wait(0.2):
            self.peak = max(self.peak, rss_mb(self.pid) + sum(rss_mb(c) for c in children(self.pid)))

    def stop(self) -> float:
        self._done.set()
        self.join()
        return round(self.peak, 1)


def web_worker_rss(stack: Stack) -> list[float]:
    return [round(rss_mb(pid), 1) for pid in children(stack.web.proc.pid)]


def restart_web(stack: Stack, mix: str) -> None:
    """Restart gunicorn as `mix` ("<workers>x<threads>") on the same port (the API clients stay valid)."""
    workers, threads = (int(n) for n in mix.split("x"))
    if (stack.web.workers, stack.web.threads) == (workers, threads):
        return
    port = stack.web.port
    stack.web.stop()
    stack.web = WebServer(stack.env, stack.web.log, workers, threads)
    stack.web.port, stack.web.url = port, f"http://127.0.0.1:{port}"
    stack.web.start()


# -- the API steps ----------------------------------------------------------------------------
def upload_and_extract(stack: Stack, api: httpx.Client, clip: Path) -> tuple[dict, dict]:
    t0 = time.perf_counter()
    with open(clip, "rb") as f:
        response = api.post(f"/api/projects/{stack.project}/videos/", data={"name": clip.stem},
                            files={"file": (clip.name, f, "video/mp4")}, timeout=600)
    response.raise_for_status()
    upload_s = time.perf_counter() - t0
    sampler = PeakRss(stack.workers["default"].proc.pid)
    sampler.start()
    t1 = time.perf_counter()
    video = wait_until(lambda: _ready(api, response.json()["id"]), 3600, "the extraction", 0.25)
    extract_s = time.perf_counter() - t1
    frames_dir = stack.root / "media" / "videos" / str(video["id"]) / "frames"
    frame_bytes = sum(p.stat().st_size for p in frames_dir.iterdir())
    size = clip.stat().st_size
    return video, {
        "upload_mb": round(size / 1e6, 1), "upload_s": round(upload_s, 2),
        "upload_mb_per_s": round(size / 1e6 / upload_s, 1),
        "extract_s": round(extract_s, 1), "extract_fps": round(video["frame_count"] / extract_s, 1),
        "extract_worker_peak_rss_mb": sampler.stop(),
        "frames_mb": round(frame_bytes / 1e6, 1), "frames_vs_upload": round(frame_bytes / size, 2),
        "kb_per_frame": round(frame_bytes / video["frame_count"] / 1e3, 1)}


def put_box(api: httpx.Client, track: int, frame: int) -> None:
    version = api.get(f"/api/tracks/{track}/").json()["version"]
    api.put(f"/api/tracks/{track}/annotations/{frame}/", json={"version": version, "box": object_box(frame)}
            ).raise_for_status()


def propagate(stack: Stack, api: httpx.Client, track: int, frame: int) -> tuple[dict, float]:
    response = api.post(f"/api/tracks/{track}/propagate/", json={"frame": frame, "direction": "forward",
                                                                 "fusion": False})
    response.raise_for_status()
    t0 = time.perf_counter()
    job = stack.wait_job(response.json()["id"], timeout=6 * 3600)
    if job["status"] != "succeeded":
        raise RuntimeError(f"propagation {job['status']}: {job.get('error')}")
    return job, time.perf_counter() - t0


def window_paths(track: int, last: int, since: str | None = None) -> list[str]:
    extra = f"&changed_since={since}" if since else ""
    return [f"/api/tracks/{track}/annotations/?from={a}&to={min(a + WINDOW - 1, last)}{extra}"
            for a in range(0, last + 1, WINDOW)]


def wire_bytes(api: httpx.Client, path: str) -> tuple[int, httpx.Response]:
    """Bytes on the wire (gzip asked for, as browsers do) and the decoded response."""
    response = api.get(path, headers={"Accept-Encoding": "gzip"})
    response.raise_for_status()
    return response.num_bytes_downloaded, response


def concurrent_reads(stack: Stack, track: int, last: int, seconds: float, readers: int = 8,
                     revalidate: bool = False, clients: str = "processes") -> dict:
    """Small-request latency alone (the baseline, on this shared machine), then with `readers` clients."""
    alone, _ = read_load(stack, track, last, min(seconds, 10), 0, clients=clients)
    before = web_worker_rss(stack)
    load_before = os.getloadavg()
    small, reads = read_load(stack, track, last, seconds, readers, revalidate, clients)
    after = web_worker_rss(stack)
    return {"clients": clients, "readers": readers, "revalidate": revalidate, "seconds": seconds,
            "load_average_start_end": [load_before, os.getloadavg()], "reads": len(reads),
            "read_p50_ms": round(percentile(reads, 50)), "read_p95_ms": round(percentile(reads, 95)),
            "alone_p50_ms": round(percentile(alone, 50), 1), "alone_p95_ms": round(percentile(alone, 95), 1),
            "small_requests": len(small), "small_p50_ms": round(percentile(small, 50), 1),
            "small_p95_ms": round(percentile(small, 95), 1), "small_max_ms": round(max(small), 1),
            "web_worker_rss_before_mb": before, "web_worker_rss_after_mb": after,
            "web_worker_rss_growth_max_mb": round(max(a - b for a, b in zip(after, before, strict=True)), 1)}


def reads_compared(stack: Stack, track: int, last: int, args) -> list[dict]:
    """The concurrent reads for each gunicorn mix and client mode asked for, in turn, --read-rounds times."""
    modes = ["threads", "processes"] if args.clients == "both" else [args.clients]
    mixes = args.web_mixes.split(",") if args.web_mixes else [f"{args.web_workers}x{args.web_threads}"]
    results = []
    for _ in range(args.read_rounds):
        for mix in mixes:
            restart_web(stack, mix)
            for mode in modes:
                results.append({"gunicorn": mix} | concurrent_reads(stack, track, last, args.read_seconds,
                                                                      revalidate=args.revalidate, clients=mode))
    if args.web_mixes:
        restart_web(stack, f"{args.web_workers}x{args.web_threads}")
    return results


def read_load(stack: Stack, track: int, last: int, seconds: float, readers: int,
              revalidate: bool = False, clients: str = "processes") -> tuple[list, list]:
    """Latencies (ms) of GET /api/projects/ every 100 ms, and of the readers' whole-track reads.

    `clients`: the readers and the timer as threads of this process or each its own process
    (bench/read_clients.py). With `revalidate`, each reader sends back the ETag it last got for a
    path (If-None-Match), as a browser's HTTP cache does for the workspace's fetches.
    """
    paths = [f"/api/tracks/{track}/summary/?from=0&to={last}", *window_paths(track, last)]
    return run_clients(clients, stack.web.url, stack.manager_token, paths, seconds, readers, revalidate)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def first_frame(stack: Stack, video: dict, frame: int, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        for _ in tqdm(range(runs), desc="first frame at 10 Mbit/s", unit="run"):
            context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=stack.web.url)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto("/login/?next=/projects/")
            page.fill("#id_username", "manager")
            page.fill("#id_password", "manager-password")
            page.click("button[type=submit]")
            page.wait_for_url("**/projects/*")
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", THROTTLE)
            page.goto(f"/videos/{video['id']}/?frame={frame}")
            drawn = page.wait_for_function(
                f"""() => document.querySelector(".canvas-host[data-rendered-frame='{frame}'][data-mask-count='1']")
                          && performance.now()""", polling="raf").json_value()
            fetched = page.evaluate("""() => performance.getEntriesByType('resource')
                                              .reduce((s, e) => s + e.transferSize, 0)""")
            results.append({"first_draw_ms": round(drawn), "page_kb": round(fetched / 1e3)})
            context.close()
        browser.close()
    return {"first_draw_ms": [r["first_draw_ms"] for r in results],
            "first_draw_median_ms": round(statistics.median(r["first_draw_ms"] for r in results)),
            "page_kb": [r["page_kb"] for r in results]}


def delta_traffic(api: httpx.Client, stack: Stack, track: int, last: int, frames: int, since: str) -> dict:
    start = last - frames
    put_box(api, track, start)
    _, seconds = propagate(stack, api, track, start)
    delta = [wire_bytes(api, p) for p in window_paths(track, last, since)]
    full = [wire_bytes(api, p) for p in window_paths(track, last)]
    summary, _ = wire_bytes(api, f"/api/tracks/{track}/summary/?from=0&to={last}")
    delta_bytes = sum(b for b, _ in delta)
    full_bytes = sum(b for b, _ in full)
    return {"repropagated_frames": frames, "repropagate_s": round(seconds, 1),
            "frames_written": frames + 1,  # the corrected frame and the run after it
            "delta_frames": sum(len(r.json()) for _, r in delta), "delta_kb": round(delta_bytes / 1e3, 1),
            "full_frames": sum(len(r.json()) for _, r in full), "full_kb": round(full_bytes / 1e3, 1),
            "summary_kb": round(summary / 1e3, 1), "delta_vs_full": round(delta_bytes / full_bytes, 3)}


def run(args, root: Path) -> dict:
    clip = write_clip(root / f"clip-{args.frames}.mp4", args.frames)
    env = {"SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",  # plain http on loopback
           "STATIC_ROOT": str(root / "static")}
    # as `manage.py serve` does: WhiteNoise serves the collected files it finds when gunicorn starts
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, check=True,
                   env=os.environ | env | {"DEBUG": "0", "SECRET_KEY": "bench-secret"})
    print("starting the stack ...", flush=True)
    with Stack(root / "stack", annotators=0, web_workers=args.web_workers, web_threads=args.web_threads,
               chunk_frames=16, extra_env=env) as stack:
        stack.manage("register_checkpoint", args.model, f"{args.model}.pth", "--variant", args.variant, "--default")
        result = {"frames": args.frames, "model": args.model, "gunicorn": f"{args.web_workers}x{args.web_threads}"}
        with stack.client(stack.manager_token, timeout=120) as api:
            # the re-propagation below is started by hand over a known range, not both ways from the correction
            api.patch(f"/api/projects/{stack.project}/", json={"auto_repropagate": False}).raise_for_status()
            print("uploading ...", flush=True)
            video, result["extraction"] = upload_and_extract(stack, api, clip)
            last = min(args.propagate or args.frames, args.frames) - 1
            track = api.post(f"/api/videos/{video['id']}/tracks/",
                             json={"label": stack.label, "frame": 0, "box": object_box(0)})
            track.raise_for_status()
            track = track.json()["id"]
            if last < args.frames - 1:
                put_box(api, track, last + 1)  # a manual frame: the run stops before it
            print(f"propagating frames 1..{last} ...", flush=True)
            job, seconds = propagate(stack, api, track, 0)
            finished = time.monotonic()
            result["propagation"] = {"frames": last, "seconds": round(seconds, 1), "fps": round(last / seconds, 1),
                                     "frames_done": job.get("frames_done")}
            result["concurrent_reads"] = reads_compared(stack, track, last, args)
            if args.browser_runs:
                result["first_frame"] = first_frame(stack, video, (last + 1) // 2, args.browser_runs)
            if not args.repropagate:
                return result
            # the cursor lies CURSOR_MARGIN (30 s) before the summary: let the first run's writes fall before it
            time.sleep(max(0.0, finished + 31 - time.monotonic()))
            since = api.get(f"/api/tracks/{track}/summary/?from=0&to={last}").json()["cursor"]
            print(f"re-propagating {args.repropagate} frames ...", flush=True)
            result["delta"] = delta_traffic(api, stack, track, last, args.repropagate, since)
    return result


def table(r: dict) -> str:
    e, p = r["extraction"], r["propagation"]
    rows = [
        ("upload", f"{e['upload_mb']} MB in {e['upload_s']} s ({e['upload_mb_per_s']} MB/s)"),
        ("extraction", f"{e['extract_s']} s, {e['extract_fps']} fps, "
                       f"worker peak RSS {e['extract_worker_peak_rss_mb']} MB"),
        ("frames on disk", f"{e['frames_mb']} MB = {e['frames_vs_upload']}x the upload, {e['kb_per_frame']} KB/frame"),
        ("propagation", f"{p['frames']} frames in {p['seconds']} s = {p['fps']} fps ({r['model']})"),
    ]
    for c in r["concurrent_reads"]:
        load = " -> ".join(f"{a[0]:.1f}" for a in c["load_average_start_end"])
        rows += [
            (f"8 readers ({c['clients']}, {c.get('gunicorn', r['gunicorn'])})"
             + (" (If-None-Match)" if c.get("revalidate") else ""),
             f"read p50 {c['read_p50_ms']} ms, p95 {c['read_p95_ms']} ms ({c['reads']} reads), load {load}"),
            ("  small alone", f"p50 {c['alone_p50_ms']} ms, p95 {c['alone_p95_ms']} ms (no readers)"),
            ("  small requests", f"p50 {c['small_p50_ms']} ms, p95 {c['small_p95_ms']} ms, "
                                 f"max {c['small_max_ms']} ms"),
            ("  web worker RSS", f"{c['web_worker_rss_before_mb']} -> {c['web_worker_rss_after_mb']} MB "
                                 f"(max growth {c['web_worker_rss_growth_max_mb']} MB)"),
        ]
    if f := r.get("first_frame"):
        rows.append(("first frame 10 Mbit/s", f"median {f['first_draw_median_ms']} ms {f['first_draw_ms']}, "
                                              f"page {f['page_kb']} KB"))
    if d := r.get("delta"):
        rows.append(("after re-propagation", f"{d['frames_written']} frames written: delta {d['delta_frames']} "
                                             f"frames {d['delta_kb']} KB vs whole {d['full_frames']} frames "
                                             f"{d['full_kb']} KB ({d['delta_vs_full']}); summary {d['summary_kb']} KB"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=900)
    parser.add_argument("--propagate", type=int, default=0, help="propagate over the first N frames (0: all)")
    parser.add_argument("--repropagate", type=int, default=100, help="0: skip the delta-traffic step")
    parser.add_argument("--read-seconds", type=float, default=30)
    parser.add_argument("--clients", choices=("processes", "threads", "both"), default="processes",
                        help="the 8 readers and the timer: each its own process, threads of this one, or "
                             "both in turn on the same stack (bench/read_clients.py)")
    parser.add_argument("--read-rounds", type=int, default=1, help="repeat the concurrent reads (with --clients "
                                                                   "both: threads, processes, threads, ...)")
    parser.add_argument("--browser-runs", type=int, default=3, help="0: skip the first-frame step")
    parser.add_argument("--revalidate", action="store_true",
                        help="the 8 readers send back each path's ETag (If-None-Match), as browsers do")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (manage.py serve: 2)")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per worker (manage.py serve: 4)")
    parser.add_argument("--web-mixes", default="", help="compare the concurrent reads across gunicorn mixes, "
                                                        "e.g. 2x4,4x2 (restarted on the same port)")
    parser.add_argument("--model", default="mobile", help="a checkpoint in weights/ (mobile, starter)")
    parser.add_argument("--variant", default="mobile", help="its variant (mobile; light for starter)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-long-video-"))
    load_before = os.getloadavg()  # the machine is shared: record how busy it was
    try:
        result = run(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    result |= {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
               "load_average_start_end": [load_before, os.getloadavg()],
               "command": " ".join(["bench/long_video.py", *sys.argv[1:]])}
    out = REPO / "var" / "bench" / f"long_video-{args.frames}-{args.web_workers}x{args.web_threads}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(table(result))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
