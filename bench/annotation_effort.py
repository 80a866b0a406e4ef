"""Annotator effort: manual frames per 100 to get every frame's mask to a target IoU (issue 18).

    .venv/bin/python bench/annotation_effort.py                       # held-out sequences, first 30 frames
    .venv/bin/python bench/annotation_effort.py --frames 0 --sequences dance-twirl   # every frame

A simulated annotator works only through the public HTTP API of a server started the way
`make run` does (`manage.py serve`: embedded SQLite, filesystem broker, web + workers, in a
temporary SIAMLABEL_VAR_DIR). Per sequence of a DAVIS-layout folder (`<seq>/frames/*.jpg`,
`<seq>/masks/*.png`): upload the first N frames, draw the first frame's box (from its true mask),
propagate forward, then repeatedly paint the true mask on one frame and re-propagate from it,
until every frame's mask reaches the target IoU with the ground truth.

Arms (each on a fresh video, the same frames):
  fusion      saving the correction re-propagates by itself (the project's auto_repropagate, on by
              default) both ways to the next manual frames, fused between two anchors;
  no-fusion   auto_repropagate off; the annotator asks for the same re-propagation with `fusion: false`.
Picking (--pick): `gt` corrects the frame with the lowest IoU (an oracle), `quality` the propagated
frame with the lowest predicted quality (what a reviewer following the review queue would pick;
a frame with no mask comes first). Either way the loop ends when the ground truth says so.

Prints one row per sequence and arm: manual frames per 100 frames, J (mean IoU) after the first
propagation and after the first correction, rounds, wall time; then the overall rows.
"""

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from PIL import Image
from tqdm import tqdm

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from annotator import masks  # noqa: E402  (pure RLE helpers: no Django setup)

HELD_OUT = ["dance-twirl", "kite-surf", "libby"]  # never read by training (docs/models.md)
PASSWORD = "bench-effort-password"


@dataclass
class Sequence:
    name: str
    jpegs: list[bytes]
    truth: list[np.ndarray]  # HxW bool per frame


@dataclass
class Outcome:
    sequence: str
    arm: str
    frames: int
    manual: set[int] = field(default_factory=set)
    j_first: float = 0.0  # mean IoU after the first propagation
    j_corrected: float | None = None  # ... after the first correction's re-propagation
    rounds: int = 0
    seconds: float = 0.0

    @property
    def per_100(self) -> float:
        return 100 * len(self.manual) / self.frames


def load_sequence(root: Path, name: str, frames: int) -> Sequence:
    jpgs = sorted((root / name / "frames").glob("*.jpg"))
    pngs = sorted((root / name / "masks").glob("*.png"))
    if frames:
        jpgs, pngs = jpgs[:frames], pngs[:frames]
    return Sequence(name, [p.read_bytes() for p in jpgs], [np.array(Image.open(p)) == 1 for p in pngs])


def iou(mask: np.ndarray | None, truth: np.ndarray) -> float:
    if mask is None:
        return 0.0
    union = (mask | truth).sum()
    return 1.0 if union == 0 else float((mask & truth).sum() / union)


class Server:
    """`manage.py serve` (what `make run` runs) on a free port, in a temporary var dir."""

    def __init__(self, var_dir: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # the embedded defaults, as `make run` has them on a fresh machine
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("DATABASE_URL", "CELERY_", "MEDIA_ROOT", "DEBUG", "SECRET_KEY"))}
        self.env = keep | {"SIAMLABEL_VAR_DIR": str(var_dir), "SIAMLABEL_DEMO_PASSWORD": PASSWORD,
                           "PORT": str(self.port)}
        self.log = open(var_dir / "serve.log", "wb")

    def __enter__(self) -> "Server":
        self.proc = subprocess.Popen([sys.executable, "manage.py", "serve"], cwd=REPO, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(1)
        raise SystemExit(f"the server did not start; see {self.log.name}")

    def __exit__(self, *exc):
        import signal

        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=60)


class Annotator:
    """The simulated annotator: every step is one public API call (or a poll of one)."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=f"{url}/api", timeout=120)
        token = self.call("POST", "/auth/token/", json={"username": "demo", "password": PASSWORD})["token"]
        self.http.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, **kw) -> dict:
        answer = self.http.request(method, path, **kw)
        if answer.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else {}

    def project(self, name: str, *, auto: bool) -> tuple[int, int]:
        project = self.call("POST", "/projects/", json={"name": name, "labels": ["object"], "auto_repropagate": auto})
        labels = self.call("GET", f"/projects/{project['id']}/labels/")
        return project["id"], results(labels)[0]["id"]

    def upload(self, project: int, seq: Sequence) -> dict:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for i, data in enumerate(seq.jpegs):
                zf.writestr(f"{seq.name}/{i:05d}.jpg", data)
        video = self.call("POST", f"/projects/{project}/videos/", data={"name": seq.name},
                          files={"file": (f"{seq.name}.zip", buffer.getvalue(), "application/zip")})
        while video["status"] not in ("ready", "failed"):
            time.sleep(0.5)
            video = self.call("GET", f"/videos/{video['id']}/")
        if video["status"] != "ready":
            raise RuntimeError(f"{seq.name}: extraction failed: {video.get('error')}")
        return video

    def wait(self, job: dict) -> dict:
        while job["status"] in ("queued", "running"):
            time.sleep(0.3)
            job = self.call("GET", f"/jobs/{job['id']}/")
        if job["status"] != "succeeded":
            raise RuntimeError(f"job {job['id']} {job['status']}: {job['error']}")
        return job

    def frames(self, track: int, count: int) -> dict[int, dict]:
        rows = self.call("GET", f"/tracks/{track}/annotations/", params={"from": 0, "to": count - 1})
        return {r["frame"]: r for r in results(rows)}


def results(answer: dict | list) -> list:
    """The rows of a list answer, paginated (`results`) or not."""
    return answer["results"] if isinstance(answer, dict) else answer


def run_arm(api: Annotator, seq: Sequence, *, fusion: bool, pick: str, target: float, bar) -> Outcome:
    started = time.monotonic()
    count = len(seq.truth)
    project, label = api.project(f"{seq.name} {'fusion' if fusion else 'no-fusion'} {pick}", auto=fusion)
    video = api.upload(project, seq)
    box = masks.mask_bbox(seq.truth[0])
    track = api.call("POST", f"/videos/{video['id']}/tracks/", json={"label": label, "frame": 0, "box": box})
    out = Outcome(seq.name, f"{'fusion' if fusion else 'no-fusion'}/{pick}", count, manual={0})
    api.wait(api.call("POST", f"/tracks/{track['id']}/propagate/",
                      json={"frame": 0, "direction": "forward", "fusion": fusion}))
    version = track["version"]
    while True:
        rows = api.frames(track["id"], count)
        ious = [iou(masks.decode_mask(rows[f]["mask"]) if f in rows and rows[f]["mask"] else None, seq.truth[f])
                for f in range(count)]
        if out.rounds == 0:
            out.j_first = float(np.mean(ious))
        elif out.rounds == 1:
            out.j_corrected = float(np.mean(ious))
        bar.set_postfix_str(f"{seq.name} {out.arm} manual {len(out.manual)} worst IoU {min(ious):.2f}")
        todo = [f for f in range(count) if ious[f] < target]
        if not todo:
            break
        frame = pick_frame(todo, ious, rows, pick)
        rle = masks.encode_mask(seq.truth[frame].astype(np.uint8))
        saved = api.call("PUT", f"/tracks/{track['id']}/annotations/{frame}/", json={"version": version, "mask": rle})
        version = saved["version"]
        out.manual.add(frame)
        out.rounds += 1
        job = saved["repropagation"]
        if job is None:  # fusion off (auto_repropagate off), or the frame had no mask: ask for the same run
            job = api.call("POST", f"/tracks/{track['id']}/propagate/",
                           json={"frame": frame, "direction": "both", "fusion": fusion})
        api.wait(job)
        bar.update(1)
    out.seconds = time.monotonic() - started
    return out


def pick_frame(todo: list[int], ious: list[float], rows: dict[int, dict], pick: str) -> int:
    """The frame to paint: the lowest IoU (gt), or the lowest predicted quality (quality) among frames under target."""
    if pick == "gt":
        return min(todo, key=lambda f: ious[f])

    def confidence(f: int) -> float:
        row = rows.get(f)
        if row is None or row["source"] != "propagated" or not row["mask"]:
            return -1.0  # no mask yet, or a box-only frame: first in the queue
        return row["quality"] if row["quality"] is not None else (row["score"] or 0.0)

    # a real reviewer sees every frame's quality, not the ground truth; that only ends the loop
    return min((f for f in range(len(ious)) if rows.get(f, {}).get("source") != "manual_mask"), key=confidence)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "davis2016")
    parser.add_argument("--sequences", default=",".join(HELD_OUT))
    parser.add_argument("--frames", type=int, default=30, help="first N frames of each sequence (0: all)")
    parser.add_argument("--target", type=float, default=0.8)
    parser.add_argument("--pick", default="gt,quality", help="gt, quality, or both comma-separated")
    parser.add_argument("--arms", default="fusion,no-fusion")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"SKIPPED: no DAVIS-layout folder at {args.data} (issue 18's benchmark needs ../shared/data/davis2016)")
        return
    sequences = [load_sequence(args.data, name, args.frames) for name in args.sequences.split(",")]
    plan = [(seq, arm == "fusion", pick) for seq in sequences for pick in args.pick.split(",")
            for arm in args.arms.split(",")]  # arms interleaved: load from elsewhere hits both
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="effort-") as var_dir, Server(Path(var_dir)) as server:
        api = Annotator(server.url)
        model = next(c for c in results(api.call("GET", "/checkpoints/")) if c["is_default"])
        with tqdm(desc="corrections", unit="frame") as bar:
            for seq, fusion, pick in plan:
                outcomes.append(run_arm(api, seq, fusion=fusion, pick=pick, target=args.target, bar=bar))
                bar.write(f"done: {outcomes[-1]}")  # a long run cut short still leaves its finished rows
    print_table(outcomes, args, model)


def print_table(outcomes: list[Outcome], args, model: dict) -> None:
    print(f"\nmodel {model['name']} ({model['variant']}, sha256 {model['sha256'][:12]}); target IoU {args.target} "
          f"on every frame; first {args.frames or 'all'} frames")
    print(f"{'sequence':<16}{'arm':<20}{'manual/100':>11}{'J first':>9}{'J 1st fix':>10}{'rounds':>8}{'wall s':>8}")
    for o in outcomes:
        fixed = f"{o.j_corrected:.3f}" if o.j_corrected is not None else "-"
        print(f"{o.sequence:<16}{o.arm:<20}{o.per_100:>11.1f}{o.j_first:>9.3f}{fixed:>10}{o.rounds:>8}{o.seconds:>8.0f}")
    for arm in dict.fromkeys(o.arm for o in outcomes):
        rows = [o for o in outcomes if o.arm == arm]
        manual, frames = sum(len(o.manual) for o in rows), sum(o.frames for o in rows)
        print(f"{'overall':<16}{arm:<20}{100 * manual / frames:>11.1f}{'':>9}{'':>10}"
              f"{sum(o.rounds for o in rows):>8}{sum(o.seconds for o in rows):>8.0f}")


if __name__ == "__main__":
    main()
