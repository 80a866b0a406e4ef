"""Fault scenarios against a running Stack. Each returns an Outcome with what was checked, so the
tests assert on it and bench/reliability/faults.py reports it as figures.

"Nothing finished was lost": every annotation stored before the fault (masks of finished chunks,
manual anchors, a correction saved just before) is still there, unchanged, afterwards.
"Nothing duplicated": each (track, frame) has exactly one row and each job ran to one result.
"""

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests import clips
from tests.reliability.stack import Stack, wait_until


@dataclass
class Outcome:
    scenario: str
    frames_expected: int = 0
    frames_stored: int = 0
    lost: int = 0  # annotations stored before the fault and missing or changed after
    duplicated: int = 0  # (track, frame) pairs with more than one row
    recovery_s: float = 0.0  # from the fault until the job (or request) succeeded
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.frames_stored == self.frames_expected


def write_clip(folder: Path, frames: int, width: int = 320, height: int = 240) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return clips.write_video(folder / f"clip-{frames}-{width}x{height}.avi", n=frames, width=width, height=height)


class Scene:
    """One ready video in the stack, with helpers to make and propagate tracks as an annotator."""

    def __init__(self, stack: Stack, clip: Path, name: str):
        self.stack = stack
        self.video = stack.upload_clip(clip, name)
        self.width = self.video["width"]
        self.api = stack.client(stack.annotator_tokens[0])

    def new_track(self, frame: int = 0) -> int:
        box = clips.square_box(frame, self.width)
        response = self.api.post(f"/api/videos/{self.video['id']}/tracks/",
                                 json={"label": self.stack.label, "frame": frame, "box": box})
        response.raise_for_status()
        return response.json()["id"]

    def propagate(self, track_id: int, frame: int = 0) -> int:
        response = self.api.post(f"/api/tracks/{track_id}/propagate/", json={"frame": frame, "direction": "forward"})
        assert response.status_code == 202, response.text
        return response.json()["id"]

    def wait_frames_done(self, job_id: int, at_least: int, timeout: float = 120) -> None:
        wait_until(lambda: self.stack.job(job_id)["frames_done"] >= at_least, timeout, f"job {job_id} to write a chunk")

    def snapshot(self, track_id: int) -> dict[int, tuple]:
        """(track's frames) -> (source, mask counts, bbox), read straight from PostgreSQL."""
        rows = self.stack.postgres.query(
            "SELECT frame_index, source, mask_rle::text, bbox::text FROM annotator_frameannotation WHERE track_id = %s",
            track_id,
        )
        return {frame: rest for frame, *rest in rows}

    def check(self, outcome: Outcome, track_id: int, before: dict[int, tuple]) -> Outcome:
        counts = self.stack.postgres.query(
            "SELECT frame_index, count(*) FROM annotator_frameannotation WHERE track_id = %s GROUP BY frame_index",
            track_id,
        )
        after = self.snapshot(track_id)
        outcome.frames_expected = self.video["frame_count"]
        outcome.frames_stored = len(after)
        outcome.duplicated += sum(1 for _, n in counts if n > 1)
        outcome.lost += sum(1 for frame, value in before.items() if after.get(frame) != value)
        return outcome


def worker_killed(scene: Scene) -> Outcome:
    """SIGKILL the gpu worker mid-job; a fresh worker resumes the job after its lease."""
    outcome = Outcome("gpu worker SIGKILLed mid-job")
    track = scene.new_track()
    job = scene.propagate(track)
    scene.wait_frames_done(job, 8)
    scene.stack.workers["gpu"].kill()
    before = scene.snapshot(track)
    fault = time.monotonic()
    scene.stack.start_worker("gpu")
    result = scene.stack.wait_job(job)
    outcome.recovery_s = time.monotonic() - fault
    outcome.notes.append(f"{len(before)} frames stored before the kill; job attempts {result['attempts']}")
    assert result["status"] == "succeeded", result
    return scene.check(outcome, track, before)


def postgres_restarted(scene: Scene) -> Outcome:
    """Crash-restart PostgreSQL mid-job (immediate stop, WAL recovery); requests meanwhile get 503."""
    outcome = Outcome("PostgreSQL crash-restarted mid-job")
    track = scene.new_track()
    correction = scene.new_track()
    job = scene.propagate(track)
    scene.wait_frames_done(job, 8)
    version = scene.api.get(f"/api/tracks/{correction}/").json()["version"]
    saved = scene.api.put(f"/api/tracks/{correction}/annotations/3/", json={"version": version, "box": [30, 40, 30, 30]})
    assert saved.status_code == 200, saved.text
    before, before_correction = scene.snapshot(track), scene.snapshot(correction)
    fault = time.monotonic()
    scene.stack.postgres.crash()
    during = scene.api.get(f"/api/tracks/{track}/annotations/")
    stroke = {"version": version + 1, "box": [34, 44, 30, 30]}
    refused = scene.api.put(f"/api/tracks/{correction}/annotations/7/", json=stroke)
    outcome.notes.append(f"while the database was down a read answered {during.status_code}, a save {refused.status_code}")
    assert during.status_code == 503 and refused.status_code == 503, (during.text, refused.text)
    # The rule (annotator/request_transaction.py): a 503 with maybe_saved false means nothing was saved.
    assert refused.json()["maybe_saved"] is False, refused.text
    time.sleep(2)
    scene.stack.postgres.start()
    after_restart = scene.api.get(f"/api/tracks/{correction}/").json()["version"]
    outcome.notes.append(f"after the restart the refused save had not landed: version {after_restart}")
    assert after_restart == version + 1 and 7 not in scene.snapshot(correction), "a 503 save landed"
    # What the browser does with such a 503: send the same edit again; it lands once, nothing is lost.
    resent = scene.api.put(f"/api/tracks/{correction}/annotations/7/", json=stroke)
    assert resent.status_code == 200 and resent.json()["version"] == version + 2, resent.text
    result = scene.stack.wait_job(job)
    outcome.recovery_s = time.monotonic() - fault
    assert result["status"] == "succeeded", result
    outcome.notes.append(f"{len(before)} frames stored before the crash; job attempts {result['attempts']}")
    scene.check(outcome, track, before)
    after_correction = scene.snapshot(correction)
    outcome.lost += sum(1 for k, v in before_correction.items() if after_correction.get(k) != v)
    outcome.lost += 7 not in after_correction  # the edit resent after the restart
    return outcome


def redis_restarted(scene: Scene, clip: Path) -> Outcome:
    """SIGKILL Redis mid-job; while it is down, a propagation and an upload are accepted (outbox)."""
    outcome = Outcome("Redis killed and restarted mid-job")
    track, waiting_track = scene.new_track(), scene.new_track()
    job = scene.propagate(track)
    scene.wait_frames_done(job, 8)
    before = scene.snapshot(track)
    fault = time.monotonic()
    scene.stack.redis.kill()
    second = scene.propagate(waiting_track)  # accepted: the message waits in the outbox
    with scene.stack.client(scene.stack.manager_token) as manager, open(clip, "rb") as f:
        upload = manager.post(f"/api/projects/{scene.stack.project}/videos/", data={"name": f"during-redis-{fault}"},
                              files={"file": (clip.name, f, "application/octet-stream")})
    assert upload.status_code == 201, upload.text
    time.sleep(2)
    scene.stack.redis.start()
    result = scene.stack.wait_job(job)
    assert result["status"] == "succeeded", result
    second_result = scene.stack.wait_job(second)
    assert second_result["status"] == "succeeded", second_result
    with scene.stack.client(scene.stack.manager_token) as manager:
        video = wait_until(lambda: _extracted(manager, upload.json()["id"]), 120, "the upload made during the outage")
    outcome.recovery_s = time.monotonic() - fault
    outcome.notes.append(f"{len(before)} frames stored before the kill; the job queued during the outage "
                         f"succeeded; the clip uploaded during it has {video['frame_count']} frames")
    scene.check(outcome, track, before)
    second_outcome = scene.check(Outcome("second"), waiting_track, {})
    outcome.duplicated += second_outcome.duplicated
    outcome.frames_expected += second_outcome.frames_expected
    outcome.frames_stored += second_outcome.frames_stored
    return outcome


def _extracted(api: httpx.Client, video_id: int) -> dict | None:
    video = api.get(f"/api/videos/{video_id}/").json()
    return video if video["status"] == "ready" else None


def web_restarted_during_upload(stack: Stack, clip: Path) -> Outcome:
    """Kill gunicorn while a slow upload streams, start it again, retry: one video, nothing half-made.

    Then a graceful reload (SIGHUP) during another slow upload: that upload completes.
    """
    outcome = Outcome("web server restarted during an upload")
    name = f"upload-{time.time_ns()}"
    payload = clip.read_bytes()
    failure: list[Exception] = []
    thread = threading.Thread(target=lambda: _slow_upload(stack, name, payload, failure, record=True))
    thread.start()
    time.sleep(0.5)
    fault = time.monotonic()
    stack.web.kill()
    thread.join(timeout=60)
    outcome.notes.append(f"the interrupted upload got: {type(failure[0]).__name__ if failure else 'no error'}")
    assert failure, "the upload should have been cut off by the kill"
    stack.web.start()
    videos = _videos_named(stack, name)
    outcome.lost += 0
    outcome.duplicated += len(videos)  # the cut-off upload must not have left a video behind
    retry: list = []
    _slow_upload(stack, name, payload, retry, record=True, delay=0)
    assert retry and retry[0].status_code == 201, retry
    outcome.recovery_s = time.monotonic() - fault
    reloaded: list = []
    graceful_name = f"{name}-graceful"
    thread = threading.Thread(target=lambda: _slow_upload(stack, graceful_name, payload, reloaded, record=True))
    thread.start()
    time.sleep(0.5)
    stack.web.reload()
    thread.join(timeout=120)
    outcome.notes.append(f"upload during a graceful reload (SIGHUP) answered {getattr(reloaded[0], 'status_code', reloaded[0])}")
    assert reloaded and getattr(reloaded[0], "status_code", None) == 201, reloaded
    outcome.frames_expected = 2
    outcome.frames_stored = len(_videos_named(stack, name)) + len(_videos_named(stack, graceful_name))
    return outcome


def _slow_upload(stack: Stack, name: str, payload: bytes, out: list, record: bool, delay: float = 0.05) -> None:
    """POST a multipart upload in 32 KiB pieces with a pause between them (a slow uplink)."""
    boundary = f"reliability{time.time_ns()}"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.avi\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode()
    body = head + payload + f"\r\n--{boundary}--\r\n".encode()

    def pieces():
        for start in range(0, len(body), 32768):
            yield body[start : start + 32768]
            time.sleep(delay)

    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(len(body))}
    try:
        with stack.client(stack.manager_token, timeout=120) as api:
            out.append(api.post(f"/api/projects/{stack.project}/videos/", content=pieces(), headers=headers))
    except httpx.HTTPError as exc:
        out.append(exc)


def _videos_named(stack: Stack, name: str) -> list[dict]:
    with stack.client(stack.manager_token) as api:
        return [v for v in api.get(f"/api/projects/{stack.project}/videos/").json()["results"] if v["name"] == name]


def concurrent_saves(scene: Scene, rounds: int = 20) -> Outcome:
    """Two annotators save the same frame from the same version at the same instant, `rounds` times."""
    outcome = Outcome("two annotators save one frame at once")
    track = scene.new_track()
    apis = [scene.stack.client(token) for token in scene.stack.annotator_tokens[:2]]
    wins = conflicts = 0
    for i in range(rounds):
        version = apis[0].get(f"/api/tracks/{track}/").json()["version"]
        barrier, answers = threading.Barrier(2), [None, None]

        def save(k):
            box = [10 + k * 50, 20 + i, 30, 30]
            barrier.wait()
            answers[k] = (box, apis[k].put(f"/api/tracks/{track}/annotations/5/", json={"version": version, "box": box}))

        threads = [threading.Thread(target=save, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for _, r in answers)
        assert codes == [200, 409], [r.text for _, r in answers]
        winner = next(box for box, r in answers if r.status_code == 200)
        stored = apis[0].get(f"/api/tracks/{track}/annotations/", params={"from": 5, "to": 5}).json()[0]
        if [round(v) for v in stored["bbox"]] != winner:
            outcome.lost += 1  # the winner's save was overwritten by the loser
        if apis[0].get(f"/api/tracks/{track}/").json()["version"] != version + 1:
            outcome.duplicated += 1  # both saves applied
        wins, conflicts = wins + 1, conflicts + 1
    for api in apis:
        api.close()
    outcome.frames_expected = outcome.frames_stored = rounds
    outcome.notes.append(f"{rounds} rounds: {wins} saves won, {conflicts} got 409")
    return outcome
