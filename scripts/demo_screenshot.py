"""Screenshots of `make run`'s demo in a real browser: one box on the tennis player, propagate, look.

    .venv/bin/python scripts/demo_screenshot.py                      # -> docs/images/demo_workspace.png
    .venv/bin/python scripts/demo_screenshot.py --keep-frames /tmp/shots --frames 0,20,40,69

What it does, as a person would:

1. builds the front end (`make frontend`, as `make run` does; --no-build skips it) and starts the app
   the way `make run` does (`.venv/bin/python manage.py serve`, PORT and
   SIAMLABEL_DEMO_PASSWORD set) in its own process group, on a fresh temporary state folder: the
   SQLite database, media, static files and the embedded broker's folders live there
   (SIAMLABEL_VAR_DIR), so neither var/ nor the checkout is touched.
   It waits for /api/health, and stops everything it started at the end, also on errors.
2. drives Debian's headless Chromium (/usr/bin/chromium; never `playwright install`): signs in as
   `demo`, opens the Demo project, waits for the tennis clip's frames, opens it in the workspace,
   draws one box around the player on frame 0 (frame pixels x=300 y=110 w=165 h=250, turned into
   screen points by the canvas's own imageToClient, like tests/e2e/pages.py), presses P, waits for
   the job in the propagation panel, then screenshots the workspace at each --frames frame (frame
   number field + Enter, as the e2e tests do) and writes a 2x2 (rows of two) combined PNG to --out.
3. prints the default checkpoint (the project's `default_model`, the job's `model`), the job's
   status and frames, and each screenshot's annotation.

The demo clip has 70 frames (0-69), so the default frames are four spread over the clip
(0, 23, 46, 69); --frames takes any list, checked against the clip's length before propagating.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("SIAMLABEL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "demo-screenshot-password"
BOX = (300, 110, 165, 250)  # x, y, w, h in frame pixels: the player on frame 0 of the tennis clip
VIEWPORT = {"width": 1280, "height": 800}
DONE = ("succeeded", "failed", "cancelled")

class Failure(Exception):
    """Something the demo should have done and did not; the message says what."""


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


class Deadline:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return max(self.end - time.monotonic(), 0.0)

    def ms(self, at_least: float = 1.0) -> float:
        """What is left in milliseconds, for Playwright timeouts (at least `at_least` seconds)."""
        return max(self.left(), at_least) * 1000


# ---- the app ---------------------------------------------------------------------------------------

def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def child_pids(pid: int) -> list[int]:
    """All descendants of `pid` (serve starts gunicorn and the workers in sessions of their own)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class App:
    """`.venv/bin/python manage.py serve` on a temporary state folder, in its own process group."""

    def __init__(self, port: int, state: Path):
        self.port = port
        self.state = state
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = state / "serve.log"
        self.process: subprocess.Popen | None = None
        self.groups: set[int] = set()

    def start(self) -> None:
        python = ROOT / ".venv" / "bin" / "python"
        if not python.exists():
            python = Path(sys.executable)
        env = {k: v for k, v in os.environ.items()
               if k not in ("CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "HOST", "FILE_UPLOAD_TEMP_DIR",
                             "DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE", "DEBUG")}
        env |= {
            "PORT": str(self.port), "SIAMLABEL_DEMO_PASSWORD": PASSWORD,
            # the embedded mode's whole state (database, media, static, broker) in the temp folder
            "SIAMLABEL_VAR_DIR": str(self.state),
        }
        command = [str(python), "manage.py", "serve"]
        log(f"starting the app: PORT={self.port} {' '.join(command)}  (state in {self.state}, log {self.log_path})")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                        stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.groups.add(self.process.pid)

    def remember_children(self) -> None:
        if self.process is None:
            return
        for pid in child_pids(self.process.pid):
            try:
                self.groups.add(os.getpgid(pid))
            except ProcessLookupError:
                pass

    def wait_healthy(self, deadline: Deadline) -> dict:
        import json

        last = "no answer yet"
        while deadline.left() > 0:
            if self.process.poll() is not None:
                raise Failure(f"`manage.py serve` exited with status {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=5) as r:
                    body = json.load(r)
                # the demo propagates: wait for the workers too (they alone leave `status` ok)
                if body.get("status") == "ok" and body.get("workers") == "ok":
                    self.remember_children()
                    return body
                last = json.dumps(body)
            except urllib.error.HTTPError as e:
                last = f"HTTP {e.code}"
            except (OSError, ValueError) as e:
                last = str(e)
            time.sleep(1)
        raise Failure(f"/api/health did not answer ok in time (last: {last})")

    def stop(self) -> None:
        """SIGTERM to serve (it stops its children), then whatever is left of every group it started."""
        if self.process is None:
            return
        began = time.monotonic()
        self.remember_children()
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=25)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            alive = [g for g in self.groups if _group_alive(g)]
            if not alive:
                break
            for group in alive:
                try:
                    os.killpg(group, sig)
                except ProcessLookupError:
                    pass
            time.sleep(3)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        left = [g for g in self.groups if _group_alive(g)]
        log(f"stopped the app in {time.monotonic() - began:.0f} s" + (f" (process groups still alive: {left})" if left else ""))

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


# ---- the browser -----------------------------------------------------------------------------------

def to_client(page, x: float, y: float) -> tuple[float, float]:
    p = page.evaluate("([x, y]) => window.siamlabel.canvas.imageToClient({x, y})", [x, y])
    return p["x"], p["y"]


def wait_for_frame(page, frame: int, masks: int | None = None, timeout: float = 30_000) -> None:
    extra = "" if masks is None else f"[data-mask-count='{masks}']"
    page.wait_for_selector(f".canvas-host[data-rendered-frame='{frame}']{extra}", timeout=timeout)


def go_to_frame(page, frame: int) -> None:
    page.fill(".frame-input", str(frame))
    page.press(".frame-input", "Enter")
    wait_for_frame(page, frame)


def api_get(page, path: str) -> dict | list:
    response = page.request.get(path)
    if not response.ok:
        raise Failure(f"GET {path}: HTTP {response.status} {response.text()[:200]}")
    return response.json()


def model_text(model: dict | None) -> str:
    if not model:
        return "none"
    return f"{model['name']} (variant {model['variant']}, {'built-in' if model.get('builtin') else 'not built-in'})"


def spread(frame_count: int, n: int = 4) -> list[int]:
    return sorted({round(i * (frame_count - 1) / (n - 1)) for i in range(n)})


def drive(browser, app: App, args, deadline: Deadline, shots: Path) -> list[tuple[int, Path, str]]:
    context = browser.new_context(viewport=VIEWPORT, base_url=app.url)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text} ({m.location.get('url')})"))
    try:
        return _drive(page, app, args, deadline, shots)
    finally:
        if errors:
            log("the browser reported errors:\n  " + "\n  ".join(errors))
        context.close()


def _drive(page, app: App, args, deadline: Deadline, shots: Path) -> list[tuple[int, Path, str]]:
    # sign in and find the demo clip the way a person does
    page.goto("/login/?next=/projects/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/projects/")
    page.click("table.list a:text-is('Demo')")
    page.wait_for_selector("table.videos")
    log("signed in as demo; waiting for the tennis clip's frames to be extracted")
    page.wait_for_function(
        """() => [...document.querySelectorAll('table.videos tr[data-video]')]
            .some((tr) => tr.textContent.includes('tennis') && ['ready', 'failed'].includes(tr.dataset.status))""",
        timeout=deadline.ms(), polling=1000)
    row = page.locator("table.videos tr[data-video]", has_text="tennis")
    if row.get_attribute("data-status") != "ready":
        raise Failure(f"the tennis clip's extraction failed: {row.inner_text()}")
    video_id = int(row.get_attribute("data-video"))
    projects = api_get(page, "/api/projects/?page_size=500")["results"]  # a paginated list (docs/api.md)
    project = next(p for p in projects if p["name"] == "Demo")
    video = api_get(page, f"/api/videos/{video_id}/")
    log(f"project 'Demo' (id {project['id']}): default model {model_text(project['default_model'])}")
    log(f"video '{video['name']}' (id {video_id}): {video['frame_count']} frames, {video['width']}x{video['height']}")
    last = video["frame_count"] - 1
    frames = args.frames or spread(video["frame_count"])
    outside = [f for f in frames if not 0 <= f <= last]
    if outside:
        raise Failure(f"--frames {outside} are outside the clip (frames 0-{last})")
    if project["default_model"] is None:
        raise Failure("the demo registered no default checkpoint (no weights/mobile.pth or weights/starter.pth?)")

    row.locator("a.button").click()
    wait_for_frame(page, 0, timeout=deadline.ms())
    page.wait_for_selector(".propagation-panel")

    # one box around the player on frame 0: a new track with the first label (person)
    x, y, w, h = BOX
    page.keyboard.press("r")
    page.mouse.move(*to_client(page, x, y))
    page.mouse.down()
    page.mouse.move(*to_client(page, x + w, y + h), steps=8)
    page.mouse.up()
    page.wait_for_selector("li.track.selected")
    track_id = int(page.get_attribute("li.track.selected", "data-track"))
    page.wait_for_function("(t) => !!window.siamlabel.workspace.store.annotation(t, 0)", arg=track_id)
    anchor = page.evaluate("(t) => window.siamlabel.workspace.store.annotation(t, 0)", track_id)
    log(f"drew a box on frame 0: track {track_id}, saved bbox {[round(v, 1) for v in anchor['bbox']]} ({anchor['source']})")

    # propagate forward (P) and follow the panel until the job ends
    started = time.monotonic()
    page.keyboard.press("p")
    page.wait_for_function("() => !!document.querySelector('.propagation-panel').dataset.jobId")
    job_id = int(page.get_attribute(".propagation-panel", "data-job-id"))
    log(f"propagation job {job_id} started; waiting (timeout {deadline.left():.0f} s)")
    page.wait_for_function(
        "(done) => done.includes(document.querySelector('.propagation-panel').dataset.jobStatus)",
        arg=list(DONE), timeout=deadline.ms(), polling=1000)
    job = api_get(page, f"/api/jobs/{job_id}/")
    log(f"job {job_id}: {job['status']} in {time.monotonic() - started:.0f} s, frames {job['frames_done']}/{job['frames_total']}"
        f" ({job['direction']} from {job['start_frame']}), {job['fps'] or 0:.1f} fps, model {model_text(job['model'])}"
        + (f", stop reasons {job['stop_reasons']}" if job.get("stop_reasons") else "")
        + (f", error: {job['error']}" if job.get("error") else ""))
    log(f"panel: {page.inner_text('.propagation-panel .job-status')} | {page.inner_text('.propagation-panel .job-model')}")
    if job["status"] != "succeeded":
        raise Failure(f"propagation {job['status']}: {job.get('error') or page.inner_text('.job-status')}")

    # look at each frame: pan tool, pointer off the canvas, the toast gone
    page.keyboard.press("v")
    page.mouse.move(2, 2)
    page.wait_for_selector("#toast.show", state="hidden", timeout=15_000)
    results = []
    for frame in frames:
        go_to_frame(page, frame)
        a = page.evaluate("([t, f]) => window.siamlabel.workspace.store.annotation(t, f)", [track_id, frame])
        if a and a.get("mask"):
            wait_for_frame(page, frame, masks=1)
        page.wait_for_timeout(300)  # one more animation frame for the box layer
        path = shots / f"frame_{frame:05d}.png"
        page.screenshot(path=str(path))
        if a is None:
            what = "no annotation"
        else:
            what = f"{a['source']}, bbox {[round(v) for v in a['bbox']]}" if a.get("bbox") else a["source"]
            if a.get("score") is not None:
                what += f", score {a['score']:.2f}"
            if a.get("area"):
                what += f", mask {a['area']} px"
        log(f"frame {frame}: {what} -> {path}")
        results.append((frame, path, what))
    return results


# ---- the picture -----------------------------------------------------------------------------------

def combine(results: list[tuple[int, Path, str]], out: Path, tile_width: int) -> None:
    """Rows of two screenshots, each with its frame number in a bar above it."""
    import cv2
    import numpy as np

    tiles = []
    for frame, path, _ in results:
        image = cv2.imread(str(path))
        if image.shape[1] != tile_width:
            height = round(image.shape[0] * tile_width / image.shape[1])
            image = cv2.resize(image, (tile_width, height), interpolation=cv2.INTER_AREA)
        bar = np.full((36, image.shape[1], 3), 32, np.uint8)
        cv2.putText(bar, f"frame {frame}", (12, 26), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2, cv2.LINE_AA)
        tiles.append(np.vstack([bar, image]))
    while len(tiles) % 2:
        tiles.append(np.zeros_like(tiles[0]))
    gap = 6
    rows = []
    for i in range(0, len(tiles), 2):
        rows.append(np.hstack([tiles[i], np.full((tiles[i].shape[0], gap, 3), 255, np.uint8), tiles[i + 1]]))
    grid = rows[0]
    for row in rows[1:]:
        grid = np.vstack([grid, np.full((gap, grid.shape[1], 3), 255, np.uint8), row])
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), grid):
        raise Failure(f"could not write {out}")


# ---- main ------------------------------------------------------------------------------------------

def frame_list(text: str) -> list[int]:
    try:
        frames = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("frames are comma-separated integers, e.g. 0,23,46,69") from None
    if not frames:
        raise argparse.ArgumentTypeError("give at least one frame")
    return frames


def checkout_entries() -> set[str]:
    """The names at the top of the checkout and in var/ (the run must add none)."""
    names = {p.name for p in ROOT.iterdir()}
    if (ROOT / "var").is_dir():
        names |= {f"var/{p.name}" for p in (ROOT / "var").iterdir()}
    return names


def _interrupt(*_):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "demo_workspace.png",
                        help="the combined PNG (default docs/images/demo_workspace.png)")
    parser.add_argument("--keep-frames", type=Path, metavar="DIR", help="keep the single screenshots in DIR")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--timeout", type=float, default=900, help="seconds for the whole run (default 900)")
    parser.add_argument("--frames", type=frame_list, default=None,
                        help="frames to screenshot, e.g. 0,20,40,69 (default: four spread over the clip)")
    parser.add_argument("--tile-width", type=int, default=960, help="width of each screenshot in the combined image")
    parser.add_argument("--no-build", action="store_true", help="do not run `make frontend` first")
    parser.add_argument("--keep-state", action="store_true", help="keep the temporary state folder (database, media, log)")
    args = parser.parse_args(argv)

    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed in this environment (run it with .venv/bin/python)", file=sys.stderr)
        return 2
    if not port_is_free(args.port):
        print(f"port {args.port} is in use; pick another with --port", file=sys.stderr)
        return 2

    begin = time.monotonic()
    deadline = Deadline(args.timeout)
    if not args.no_build:
        log("building the front end (make frontend)")
        subprocess.run(["make", "--no-print-directory", "frontend"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    if not (ROOT / "annotator" / "static" / "annotator" / "dist" / "app.js").exists():
        print("the front end is not built (make frontend)", file=sys.stderr)
        return 2

    # SIGTERM (a CI timeout, kill) stops the app too
    signal.signal(signal.SIGTERM, _interrupt)
    before = checkout_entries()
    state = Path(tempfile.mkdtemp(prefix="siamlabel-demo-"))
    shots = args.keep_frames or state / "frames"
    shots.mkdir(parents=True, exist_ok=True)
    app = App(args.port, state)
    ok = False
    try:
        app.start()
        health = app.wait_healthy(deadline)
        # the public answer is ok/degraded per component (docs/operations.md, "Health"); the model
        # in use is printed from the project and the job below
        log(f"healthy after {time.monotonic() - begin:.0f} s: "
            + ", ".join(f"{part} {health.get(part)}" for part in ("database", "broker", "workers")))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                results = drive(browser, app, args, deadline, shots)
            finally:
                browser.close()
        combine(results, args.out, args.tile_width)
        log(f"wrote {args.out} ({len(results)} screenshots" + (f", kept in {shots})" if args.keep_frames else ")"))
        ok = True
    except (Failure, PlaywrightError, subprocess.CalledProcessError) as e:
        log(f"FAILED: {e}")
        log(f"last lines of the app's log ({app.log_path}):\n{app.tail()}")
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        app.stop()
        if args.keep_state or not ok:
            log(f"kept the temporary state folder {state}")
        else:
            shutil.rmtree(state, ignore_errors=True)
        after = checkout_entries()
        if after != before:
            log(f"warning: the run added or removed in the checkout: {sorted(after ^ before)}")
    log(f"{'done' if ok else 'failed'} in {time.monotonic() - begin:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
