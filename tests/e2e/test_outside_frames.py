"""Marking frames "object not visible" from the workspace with the keyboard and the range dialog."""

import pytest
from django.db import close_old_connections

from annotator.choices import Source
from annotator.models import FrameAnnotation
from tests.conftest import wait_for
from tests.e2e.conftest import screenshot
from tests.e2e.pages import colour_distance, frames_in_workspace, go_to_frame, timeline_pixel, wait_for_frame

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OUTSIDE_COLOUR = [0x8E, 0x7C, 0xC3]  # timeline/Filmstrip.ts OUTSIDE_COLOUR


def sources(track_id: int) -> dict[int, str]:
    close_old_connections()
    return dict(FrameAnnotation.objects.filter(track_id=track_id).values_list("frame_index", "source"))


def test_marking_a_range_and_a_frame_outside_survives_reloading_the_page(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    FrameAnnotation.objects.bulk_create([FrameAnnotation(track=track, frame_index=f, source=Source.PROPAGATED,
                                                         bbox=[10, 10, 20, 20]) for f in range(1, 7)])
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=3")
    wait_for_frame(page, 3)

    # Alt+O: the range dialog starts at this frame; type the last one, confirm with Enter
    page.keyboard.press("Alt+o")
    page.wait_for_selector("dialog.dialog[open]")
    assert page.input_value("dialog .range-first") == "3"
    page.click("dialog .range-last")
    page.keyboard.press("Control+a")
    page.keyboard.type("5")
    screenshot(page, "outside-range-dialog")
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog.dialog", state="detached")
    wait_for(lambda: sources(track.pk) == {0: Source.MANUAL_BOX, 1: Source.PROPAGATED, 2: Source.PROPAGATED,
                                           3: Source.OUTSIDE, 4: Source.OUTSIDE, 5: Source.OUTSIDE,
                                           6: Source.PROPAGATED}, 10, "frames 3-5 marked outside")

    # Shift+O on frame 9 marks that one frame
    go_to_frame(page, 9)
    page.keyboard.press("Shift+O")
    wait_for(lambda: sources(track.pk).get(9) == Source.OUTSIDE, 10, "frame 9 marked outside")

    page.goto(f"/videos/{video.pk}/?track={track.pk}&frame=4")  # a fresh load: what the server kept
    wait_for_frame(page, 4, masks=0)  # nothing drawn on an outside frame
    shown = frames_in_workspace(page, track.pk)
    assert {f for f, (source, _) in shown.items() if source == "outside"} == {3, 4, 5, 9}
    assert colour_distance(timeline_pixel(page, 4), OUTSIDE_COLOUR) < 30
    assert colour_distance(timeline_pixel(page, 2), OUTSIDE_COLOUR) > 60  # a propagated frame looks different
    assert "outside" in page.inner_text(f"li.track[data-track='{track.pk}'] .frame-info")
    screenshot(page, "outside-frames")

    # Shift+O again clears the mark; Ctrl+Z puts it back
    page.keyboard.press("Shift+O")
    wait_for(lambda: 4 not in sources(track.pk), 10, "frame 4's mark cleared")
    page.keyboard.press("Control+z")
    wait_for(lambda: sources(track.pk).get(4) == Source.OUTSIDE, 10, "the mark put back by undo")
    assert not page.js_errors, page.js_errors
