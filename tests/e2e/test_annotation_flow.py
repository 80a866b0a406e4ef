"""The whole path in a real browser: upload, box, propagate, correct, re-propagate, review."""

import time

import pytest
from django.db import close_old_connections

from annotator.models import PropagationJob, Track
from tests import clips
from tests.e2e.conftest import screenshot
from tests.e2e.pages import (
    annotation,
    colour_distance,
    drag,
    frames_in_workspace,
    go_to_frame,
    only_track,
    pixel,
    propagate_and_wait,
    wait_for_frame,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

FRAMES, WIDTH, HEIGHT = 24, 320, 240


def wait_until(condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_annotate_propagate_correct_and_accept(e2e_cast, new_page, worker, tmp_path):
    alice = new_page(e2e_cast.alice, f"/projects/{e2e_cast.project.pk}/")

    # upload a generated clip; the worker extracts its frames while the page polls
    clip = clips.write_video(tmp_path / "square.avi", n=FRAMES, width=WIDTH, height=HEIGHT)
    alice.set_input_files("form.upload input[type=file]", str(clip))
    alice.click("form.upload button[type=submit]")
    alice.wait_for_selector(".upload-message:has-text('Uploaded')")
    alice.wait_for_selector("tr[data-status='ready']", timeout=60_000)
    alice.click("tr[data-status='ready'] a.button")
    wait_for_frame(alice, 0)

    # draw a box around the square with the mouse: a new track with the first label
    alice.keyboard.press("r")
    drag(alice, (20, 40), (50, 70))
    alice.wait_for_selector("li.track.selected")
    track = only_track()
    first = annotation(track.pk, 0)
    assert first.source == "manual_box"
    assert first.bbox == pytest.approx(clips.square_box(0), abs=1.0)

    # propagate forward and see the mask drawn on a later frame (canvas pixels, masks on vs off)
    propagate_and_wait(alice)
    assert annotation(track.pk, 12).source == "propagated"
    go_to_frame(alice, 12)
    centre = (20 + 3 * 12 + 15, 40 + (12 % 3) + 15)
    wait_for_frame(alice, 12, masks=1)
    with_mask = pixel(alice, *centre)
    alice.keyboard.press("m")
    wait_for_frame(alice, 12, masks=0)
    without_mask = pixel(alice, *centre)
    alice.keyboard.press("m")
    wait_for_frame(alice, 12, masks=1)
    assert colour_distance(with_mask, without_mask) > 40, (with_mask, without_mask)
    screenshot(alice, "workspace-propagated")

    # correct frame 12 with the brush: paint a stripe under the square
    alice.keyboard.press("b")
    outside = (centre[0], centre[1] + 40)
    before = pixel(alice, *outside)
    drag(alice, (outside[0] - 10, outside[1]), (outside[0] + 10, outside[1]))
    corrected = wait_until(lambda: (a := annotation(track.pk, 12)) and a.source == "manual_mask" and a, what="brush save")
    assert corrected.area > 900
    alice.wait_for_function("() => window.siamlabel.workspace.store.annotation(%d, 12)?.source === 'manual_mask'" % track.pk)
    wait_for_frame(alice, 12, masks=1)
    assert colour_distance(pixel(alice, *outside), before) > 40
    screenshot(alice, "workspace-brushed")

    # the correction re-propagates by itself, both ways (the project's auto_repropagate): the panel
    # names that job, and later frames come from it
    alice.keyboard.press("v")
    alice.wait_for_function(
        """() => {
            const panel = document.querySelector('.propagation-panel');
            return panel.querySelector('.progress-text').textContent.includes('refreshing after the correction on frame 12')
                && panel.dataset.jobStatus === 'succeeded';
        }""", timeout=120_000)
    close_old_connections()
    last_job = PropagationJob.objects.order_by("-id").first()
    assert (last_job.start_frame, last_job.direction, last_job.status) == (12, "both", "succeeded")
    assert annotation(track.pk, 20).job_id == last_job.pk
    assert annotation(track.pk, 12).source == "manual_mask"  # anchors are never overwritten

    # send to review
    alice.click("button.submit-review")
    wait_until(lambda: Track.objects.get(pk=track.pk).review_status == "in_review", what="submit")
    assert not alice.js_errors, alice.js_errors

    # the reviewer finds it in the queue, opens its worst frame and accepts it
    bob = new_page(e2e_cast.bob, "/review/")
    bob.wait_for_selector(f"tr[data-track='{track.pk}']")
    bob.click(f"tr[data-track='{track.pk}'] a.open")
    bob.wait_for_selector(".canvas-host[data-rendered-frame]")
    bob.click("button.accept")
    wait_until(lambda: Track.objects.get(pk=track.pk).review_status == "accepted", what="accept")
    screenshot(bob, "review-accepted")
    assert not bob.js_errors, bob.js_errors


def test_a_job_shows_every_frame_it_wrote_the_keyframe_included_without_a_reload(
    e2e_cast, new_page, worker, video_with_track
):
    video, track = video_with_track
    alice = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=0")
    wait_for_frame(alice, 0, masks=0)  # the keyframe is a box, no mask yet
    propagate_and_wait(alice)
    wait_for_frame(alice, 0, masks=1)  # the worker gave the keyframe a mask: drawn without a reload
    close_old_connections()
    written = {a.frame_index: (a.source, a.mask_rle is not None) for a in track.annotations.all()}
    assert written == {0: ("manual_box", True)} | {f: ("propagated", True) for f in range(1, 12)}
    assert frames_in_workspace(alice, track.pk) == written
    go_to_frame(alice, 11)
    wait_for_frame(alice, 11, masks=1)
    assert not alice.js_errors, alice.js_errors
