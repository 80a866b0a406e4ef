"""A propagation that loses its target says where in the workspace, and one click sets up the re-anchor."""

import pytest

from annotator.models import Track
from tests.e2e.conftest import screenshot
from tests.e2e.pages import annotation, colour_distance, drag, propagate_and_wait, timeline_pixel, wait_for_frame

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

LOST_ORANGE = [255, 159, 10]  # LOST_COLOUR in frontend/src/timeline/Filmstrip.ts


@pytest.fixture(scope="module")
def e2e_worker_env():
    # no score reaches 1.01: the tracker judges every frame low and drops the target after 3 of them
    return {"SIAMLABEL_LOST_SCORE_THRESHOLD": "1.01", "SIAMLABEL_LOST_PATIENCE": "3"}


def test_a_lost_target_is_named_marked_on_the_timeline_and_one_click_from_a_re_anchor(
    e2e_cast, new_page, worker, video_with_track
):
    video, track = video_with_track
    alice = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=0")
    wait_for_frame(alice, 0)
    assert alice.locator(".lost-panel").is_hidden()
    propagate_and_wait(alice)

    # the message says where and why, the progress says it stopped early (not 100%)
    lost = alice.locator(".lost-target")
    lost.wait_for()
    assert lost.get_attribute("data-frame") == "1"
    assert "person #1: target lost at frame 1 (score " in lost.inner_text()
    assert "under 1.01" in lost.inner_text()
    assert "stopped early" in alice.inner_text(".job-status")
    assert "3/11" in alice.inner_text(".propagation-panel .progress-text")
    assert alice.get_attribute(".filmstrip-name", "data-lost-frames") == "1"
    assert colour_distance(timeline_pixel(alice, 1), LOST_ORANGE) < 30
    assert colour_distance(timeline_pixel(alice, 5), LOST_ORANGE) > 100  # only the stop is marked
    screenshot(alice, "workspace-target-lost")

    # the button goes there with the box tool on this track: the box drawn re-anchors it
    alice.click(".lost-target button.reanchor")
    wait_for_frame(alice, 1)
    assert "active" in alice.get_attribute("button.tool[data-tool='box']", "class")
    assert alice.get_attribute("li.track.selected", "data-track") == str(track.pk)
    drag(alice, (25, 40), (55, 70))
    alice.locator(".lost-panel").wait_for(state="hidden")  # re-anchored: nothing left to do there
    assert annotation(track.pk, 1).source == "manual_box"
    assert Track.objects.filter(video=video).count() == 1  # the same track, not a new one
    assert not alice.js_errors, alice.js_errors
