"""Smart correction in the browser: a GrabCut scribble and a polygon edit, each undone with Ctrl+Z.

The clip's square sits at x 20..50, y 40..70 on frame 0 (tests/clips.py).
"""

import numpy as np
import pytest

from annotator import masks
from annotator.services import tracks as track_services
from tests import clips
from tests.e2e.conftest import screenshot
from tests.e2e.pages import annotation, drag, to_client, wait_for_frame

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SQUARE = masks.box_mask(clips.square_box(0), 120, 160)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def stored_mask(track_id: int) -> np.ndarray:
    return masks.decode_mask(annotation(track_id, 0).mask_rle)


def wait_for_a_new_save(page, track_id: int, before: str) -> None:
    """Wait until the workspace holds a newer frame-0 annotation than `before` (its updated_at)."""
    page.wait_for_function(
        "([id, before]) => (window.siamlabel.workspace.store.annotation(id, 0)?.updated_at ?? '') !== before",
        arg=[track_id, before])


def saved_at(page, track_id: int) -> str:
    return page.evaluate("(id) => window.siamlabel.workspace.store.annotation(id, 0)?.updated_at ?? ''", track_id)


def test_a_scribble_refines_the_mask_and_undo_restores_it(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    # a drifted mask: 12 px right of the square, so its left strip is missing and its right is background
    drifted = masks.box_mask([32, 40, 30, 30], 120, 160)
    track_services.set_frame_annotation(track=track, frame_index=0, version=track.version,
                                        mask_rle=masks.encode_mask(drifted))
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=0")
    wait_for_frame(page, 0, masks=1)
    page.click("button.tool[data-tool=scribble]")  # the mouse way; the S key is checked below
    page.keyboard.press("v")
    page.keyboard.press("s")
    assert "active" in page.get_attribute("button.tool[data-tool=scribble]", "class")

    before = saved_at(page, track.pk)
    drag(page, (24, 48), (30, 62))  # foreground: on the square's left strip, outside the mask
    wait_for_a_new_save(page, track.pk, before)
    after_fg = stored_mask(track.pk)
    assert after_fg[55, 25] and not drifted[55, 25]

    before = saved_at(page, track.pk)
    page.keyboard.down("Shift")
    drag(page, (57, 45), (57, 66))  # background: the drifted mask's right strip
    page.keyboard.up("Shift")
    wait_for_a_new_save(page, track.pk, before)
    page.wait_for_selector(".canvas-host:not([data-busy])")
    refined = stored_mask(track.pk)
    assert iou(refined, SQUARE) > 0.85 > iou(drifted, SQUARE)
    assert annotation(track.pk, 0).source == "manual_mask"
    screenshot(page, "workspace-scribble-refine")

    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    # both undos are queued at once: wait until the second has finished its request, not only started
    page.wait_for_function("() => !window.siamlabel.workspace.history.busy"
                           " && !window.siamlabel.workspace.history.state.canUndo")
    assert (stored_mask(track.pk) == drifted).all()
    assert not page.js_errors, page.js_errors


def test_dragging_polygon_vertices_reshapes_the_mask_and_undo_restores_the_box(e2e_cast, new_page, video_with_track):
    video, track = video_with_track  # frame 0 holds a box: its polygon is the box's four corners
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=0")
    wait_for_frame(page, 0)
    page.keyboard.press("y")
    assert "active" in page.get_attribute("button.tool[data-tool=polygon]", "class")

    drag(page, (50, 70), (65, 85))  # the bottom-right corner outwards
    page.mouse.dblclick(*to_client(page, 35, 40))  # a new vertex in the middle of the top edge...
    drag(page, (35, 40), (35, 28))  # ...pulled up
    screenshot(page, "workspace-polygon-edit")
    assert annotation(track.pk, 0).source == "manual_box"  # nothing is stored before Enter
    page.keyboard.press("Enter")
    page.wait_for_function("(id) => window.siamlabel.workspace.store.annotation(id, 0)?.source === 'manual_mask'",
                           arg=track.pk)
    mask = stored_mask(track.pk)
    assert mask[80, 60] and mask[31, 35]  # inside the moved corner and the pulled-up top
    assert not mask[31, 22] and not mask[80, 25]
    # the polygon (20,40) (35,28) (50,40) (65,85) (20,70): shoelace area 1530 px
    assert abs(int(mask.sum()) - 1530) < 60

    page.keyboard.press("Control+z")
    page.wait_for_function("(id) => window.siamlabel.workspace.store.annotation(id, 0)?.source === 'manual_box'",
                           arg=track.pk)
    assert annotation(track.pk, 0).bbox == pytest.approx(clips.square_box(0))
    assert not page.js_errors, page.js_errors
