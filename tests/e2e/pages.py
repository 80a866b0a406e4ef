"""Small helpers to drive the workspace from Playwright: image coordinates, canvas pixels, waits."""

from django.db import close_old_connections

from annotator.models import FrameAnnotation, Track

FINISHED = ("succeeded", "failed", "cancelled")


def wait_for_frame(page, frame: int, masks: int | None = None) -> None:
    """Wait until the canvas has drawn `frame` (and that many masks over it, when given)."""
    extra = "" if masks is None else f"[data-mask-count='{masks}']"
    page.wait_for_selector(f".canvas-host[data-rendered-frame='{frame}']{extra}")


def go_to_frame(page, frame: int) -> None:
    page.fill(".frame-input", str(frame))
    page.press(".frame-input", "Enter")
    wait_for_frame(page, frame)


def to_client(page, x: float, y: float) -> tuple[float, float]:
    p = page.evaluate("([x, y]) => window.siamlabel.canvas.imageToClient({x, y})", [x, y])
    return p["x"], p["y"]


def drag(page, start, end, steps: int = 8) -> None:
    """Press at image point `start`, move to `end`, release (a box or a brush stroke)."""
    page.mouse.move(*to_client(page, *start))
    page.mouse.down()
    page.mouse.move(*to_client(page, *end), steps=steps)
    page.mouse.up()


def pixel(page, x: float, y: float) -> list[int]:
    """RGBA of the frame layer (frame + masks) at an image point, as drawn on screen."""
    return page.evaluate(
        """([x, y]) => {
            const host = document.querySelector('.canvas-host');
            const canvas = host.querySelector('canvas.frame-layer');
            const c = window.siamlabel.canvas.imageToClient({x, y});
            const r = host.getBoundingClientRect();
            const dpr = canvas.width / r.width;
            const d = canvas.getContext('2d').getImageData(Math.floor((c.x - r.left) * dpr), Math.floor((c.y - r.top) * dpr), 1, 1).data;
            return Array.from(d);
        }""",
        [x, y],
    )


def annotation(track_id: int, frame: int) -> FrameAnnotation | None:
    close_old_connections()
    return FrameAnnotation.objects.filter(track_id=track_id, frame_index=frame).first()


def only_track() -> Track:
    close_old_connections()
    tracks = list(Track.objects.all())
    assert len(tracks) == 1, tracks
    return tracks[0]


def colour_distance(a, b) -> int:
    return sum(abs(int(x) - int(y)) for x, y in zip(a[:3], b[:3], strict=True))


def propagate_and_wait(page, key: str = "p") -> None:
    """Start propagation with a key press and wait until that (new) job has succeeded."""
    previous = page.get_attribute(".propagation-panel", "data-job-id")
    page.keyboard.press(key)
    page.wait_for_function(
        """([previous, finished]) => {
            const d = document.querySelector('.propagation-panel').dataset;
            return d.jobId && d.jobId !== previous && finished.includes(d.jobStatus);
        }""",
        arg=[previous, list(FINISHED)], timeout=120_000,
    )
    status = page.get_attribute(".propagation-panel", "data-job-status")
    assert status == "succeeded", page.inner_text(".job-status")


def timeline_pixel(page, frame: int, row: int = 0) -> list[int]:
    """RGBA of the timeline at a frame of a track's row, a quarter into the frame (clear of the playhead)."""
    return page.evaluate(
        """([frame, row]) => {
            const canvas = document.querySelector('.filmstrip-canvas');
            const frames = window.siamlabel.workspace.video.frame_count;
            const rowHeight = canvas.height / document.querySelectorAll('.filmstrip-name').length;
            const x = Math.floor((frame + 0.25) * canvas.width / frames);
            const d = canvas.getContext('2d').getImageData(x, Math.floor((row + 0.5) * rowHeight), 1, 1).data;
            return Array.from(d);
        }""",
        [frame, row],
    )


def frames_in_workspace(page, track_id: int) -> dict[int, tuple[str, bool]]:
    """The workspace's annotations of a track: frame -> (source, has a mask)."""
    rows = page.evaluate(
        """(id) => [...window.siamlabel.workspace.store.state(id).annotations.values()]
            .map((a) => [a.frame, a.source, a.mask !== null])""",
        track_id,
    )
    return {frame: (source, has_mask) for frame, source, has_mask in rows}


def download_coco(page, row, tmp_path):
    """Click a finished export row's download link; return the archive's COCO file loaded with pycocotools."""
    import zipfile

    from pycocotools.coco import COCO

    with page.expect_download() as download:
        row.locator("a.download").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        (tmp_path / "instances.json").write_bytes(archive.read("annotations/instances.json"))
    return COCO(str(tmp_path / "instances.json"))
