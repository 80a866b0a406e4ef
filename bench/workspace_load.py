"""Benchmark: open the workspace on a 20,000-frame track in headless Chromium; time and JS heap.

    DATABASE_URL=postgres://.../siamlabel_bench .venv/bin/python bench/workspace_load.py [--frames 20000] [--runs 3]

Writes a 320x180 video of FRAMES frames (one tiny JPEG hard-linked FRAMES times) and one track
with a propagated mask on every frame straight through the ORM into the database DATABASE_URL
names (migrated first; the bench's rows are deleted again at the end), starts `manage.py
runserver` on it, and for each run, in a fresh browser context:

- range: opens /videos/{id}/?frame=10000 (the workspace as shipped: the summary of the whole track,
  masks of the 500-frame windows around the frame) and takes the time from navigation start to the
  first frame drawn with its mask, and the JS heap after a forced GC;
- full: in the same page, then fetches every annotation of the track (1000-frame requests, all in
  parallel) into a Map, as the store did before range loading before it drew anything, and takes
  the time that took and the heap with them held.

Prints JSON. The two are interleaved in each run; the machine is shared, so compare within a run.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "bench-password-123"
WIDTH, HEIGHT = 320, 180

FULL_LOAD_JS = """async ([trackId, frames]) => {
  const t0 = performance.now();
  const spans = [];
  for (let a = 0; a < frames; a += 1000) spans.push([a, Math.min(frames - 1, a + 999)]);
  const lists = await Promise.all(spans.map(([a, b]) =>
    fetch(`/api/tracks/${trackId}/annotations/?from=${a}&to=${b}`).then((r) => r.json())));
  window.__all = new Map(lists.flat().map((x) => [x.frame, x]));
  return { ms: performance.now() - t0, held: window.__all.size };
}"""


def setup_django(media: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["MEDIA_ROOT"] = str(media)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def write_world(media: Path, frames: int) -> dict:
    """Create the user, project, video (frames on disk) and one track with a mask on every frame."""
    import cv2
    import numpy as np
    from django.contrib.auth import get_user_model

    from annotator.choices import Source, VideoStatus
    from annotator.masks import encode_mask, mask_bbox
    from annotator.models import FrameAnnotation, Track, Video
    from annotator.services.projects import create_project

    user = get_user_model().objects.create_user(username=f"bench-{os.getpid()}", password=PASSWORD)
    project = create_project(name=f"bench {os.getpid()}", by=user, labels=["thing"])
    video = Video.objects.create(project=project, name="long", source_file="none", status=VideoStatus.READY,
                                 width=WIDTH, height=HEIGHT, fps=25, frame_count=frames, extraction_progress=1)
    video.frames_dir.mkdir(parents=True)
    image = np.full((HEIGHT, WIDTH, 3), 90, np.uint8)
    first = video.frame_path(0)
    cv2.imwrite(str(first), image)
    for n in range(1, frames):
        os.link(first, video.frame_path(n))
    track = Track.objects.create(video=video, label=project.labels.get(), object_id=1, created_by=user)
    rows, ys, xs = [], *np.mgrid[0:HEIGHT, 0:WIDTH]
    for n in range(frames):
        cx, cy = 60 + (n % 200), 90 + 30 * np.sin(n / 50)
        mask = ((xs - cx) ** 2 / 40**2 + (ys - cy) ** 2 / 25**2 <= 1).astype(np.uint8)
        rows.append(FrameAnnotation(track=track, frame_index=n, source=Source.PROPAGATED, mask_rle=encode_mask(mask),
                                    bbox=mask_bbox(mask), score=0.9, quality=0.8, area=int(mask.sum())))
    FrameAnnotation.objects.bulk_create(rows, batch_size=2000)
    return {"user": user.username, "project": project.pk, "video": video.pk, "track": track.pk}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, media: Path) -> subprocess.Popen:
    env = os.environ | {"DEBUG": "1", "MEDIA_ROOT": str(media), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("the server did not start")


def heap_mb(cdp) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    return round(cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20, 1)


def one_run(browser, base: str, world: dict, frames: int) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=base)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto("/login/?next=/projects/")
    page.fill("#id_username", world["user"])
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/projects/*")
    cdp = context.new_cdp_session(page)
    start = frames // 2
    page.goto(f"/videos/{world['video']}/?frame={start}")
    drawn = page.wait_for_function(
        f"""() => document.querySelector(".canvas-host[data-rendered-frame='{start}'][data-mask-count='1']")
                  && performance.now()""", polling="raf").json_value()
    store = f"window.siamlabel.workspace.store"
    held = page.evaluate(f"() => {store}.state({world['track']}).annotations.size")
    summary = page.evaluate(f"() => {store}.frameTotal({world['track']})")
    range_heap = heap_mb(cdp)
    full = page.evaluate(FULL_LOAD_JS, [world["track"], frames])
    full_heap = heap_mb(cdp)
    context.close()
    return {"range_first_draw_ms": round(drawn), "range_masks_held": held, "range_summary_frames": summary,
            "range_heap_mb": range_heap, "full_fetch_ms": round(full["ms"]), "full_masks_held": full["held"],
            "range_plus_full_heap_mb": full_heap}


def response_sizes(base: str, world: dict, frames: int, cookie: str) -> dict:
    """Bytes on the wire of the summary, one window and all annotations: plain, and gzipped as browsers ask."""
    def size(path: str, encoding: str) -> int:
        request = urllib.request.Request(base + path, headers={"Cookie": cookie, "Accept-Encoding": encoding})
        return len(urllib.request.urlopen(request).read())

    track = world["track"]
    paths = {"summary": [f"/api/tracks/{track}/summary/"],
             "one_window": [f"/api/tracks/{track}/annotations/?from=0&to=499"],
             "all_annotations": [f"/api/tracks/{track}/annotations/?from={a}&to={min(frames - 1, a + 999)}"
                                 for a in range(0, frames, 1000)]}
    return {f"{name}_{encoding}_bytes": sum(size(p, encoding) for p in group)
            for name, group in paths.items() for encoding in ("identity", "gzip")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    media = Path(tempfile.mkdtemp(prefix="bench-media-"))
    setup_django(media)
    from django.contrib.auth import get_user_model
    t0 = time.monotonic()
    world = write_world(media, args.frames)
    setup_s = round(time.monotonic() - t0, 1)
    port = free_port()
    server = start_server(port, media)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
            runs = [one_run(browser, base, world, args.frames) for _ in range(args.runs)]
            browser.close()
        from django.contrib.sessions.backends.db import SessionStore

        session = SessionStore()
        user = get_user_model().objects.get(username=world["user"])
        session.update({"_auth_user_id": str(user.pk), "_auth_user_hash": user.get_session_auth_hash(),
                        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend"})
        session.create()
        sizes = response_sizes(base, world, args.frames, f"sessionid={session.session_key}")
    finally:
        server.terminate()
        server.wait(timeout=15)
        from annotator.models import Project
        from annotator.services.projects import delete_project

        delete_project(project=Project.objects.get(pk=world["project"]))
        get_user_model().objects.filter(username=world["user"]).delete()
        shutil.rmtree(media, ignore_errors=True)
    print(json.dumps({"frames": args.frames, "setup_s": setup_s, "runs": runs, **sizes}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
