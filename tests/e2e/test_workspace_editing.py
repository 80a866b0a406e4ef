"""Editing in the browser: stale edits, undo/redo, shortcuts help, rejected tracks (the worker only extracts)."""

import re
from datetime import datetime, timezone

import pytest
from django.db import close_old_connections

from annotator.models import Track
from annotator.services import review as review_services
from annotator.services import tracks as track_services
from tests.e2e.conftest import ROOT, screenshot
from tests.e2e.pages import annotation, drag, go_to_frame, to_client, wait_for_frame

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def current_version(track) -> int:
    close_old_connections()
    return Track.objects.get(pk=track.pk).version


def box_after_their_edit(e2e_cast, new_page, video, track, *, their_frame: int):
    """Open frame 3, let someone else box `their_frame` after the page loaded the track, draw a box on 3."""
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=3")
    wait_for_frame(page, 3)
    track_services.set_frame_annotation(track=track, frame_index=their_frame, version=track.version, bbox=[1, 1, 10, 10])
    page.keyboard.press("r")
    drag(page, (30, 40), (60, 70))
    return page


def test_a_stale_edit_is_refused_with_a_reload_button(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    page = box_after_their_edit(e2e_cast, new_page, video, track, their_frame=5)
    page.wait_for_selector(".conflict-banner:not([hidden])")
    assert "changed by someone else" in page.inner_text(".conflict-banner")
    assert annotation(track.pk, 3) is None  # nothing was overwritten
    screenshot(page, "workspace-conflict")
    page.click(".reload-track")
    page.wait_for_selector(".conflict-banner", state="hidden")
    drag(page, (30, 40), (60, 70))  # with the reloaded version the same edit goes through
    page.wait_for_function("() => !!window.siamlabel.workspace.store.annotation(%d, 3)" % track.pk)
    assert annotation(track.pk, 3).bbox == pytest.approx([30, 40, 30, 30], abs=1.0)
    assert not page.js_errors, page.js_errors


def test_a_refused_edit_is_saved_again_on_top_of_the_other_change_with_one_click(e2e_cast, new_page,
                                                                               video_with_track):
    video, track = video_with_track
    page = box_after_their_edit(e2e_cast, new_page, video, track, their_frame=3)
    again = page.locator(".conflict-banner .save-again")
    again.wait_for()  # the box drawn is offered back, not lost
    assert "box on frame 3" in again.inner_text() and "replaces their change" in again.get_attribute("title")
    assert annotation(track.pk, 3).bbox == pytest.approx([1, 1, 10, 10])  # theirs, until asked
    again.click()
    page.wait_for_selector(".conflict-banner", state="hidden")
    page.wait_for_function("() => window.siamlabel.workspace.store.annotation(%d, 3)?.bbox?.[0] > 20" % track.pk)
    assert annotation(track.pk, 3).bbox == pytest.approx([30, 40, 30, 30], abs=1.0)
    page.wait_for_selector("button.undo:not([disabled])")  # the saved edit is undoable like any other
    assert not page.js_errors, page.js_errors


def test_undo_and_redo_a_box_and_a_brush_stroke(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=0")
    wait_for_frame(page, 0)
    go_to_frame(page, 4)
    page.keyboard.press("r")
    drag(page, (30, 42), (60, 72))
    page.wait_for_selector("button.undo:not([disabled])")
    assert annotation(track.pk, 4).source == "manual_box"
    page.keyboard.press("b")
    drag(page, (45, 57), (45, 90))
    page.wait_for_function("() => window.siamlabel.workspace.store.annotation(%d, 4)?.source === 'manual_mask'" % track.pk)
    painted = annotation(track.pk, 4)
    assert painted.source == "manual_mask" and painted.area > 50

    page.keyboard.press("Control+z")  # back to the box
    page.wait_for_function("() => window.siamlabel.workspace.store.annotation(%d, 4)?.source === 'manual_box'" % track.pk)
    page.keyboard.press("Control+z")  # back to nothing
    page.wait_for_function("() => !window.siamlabel.workspace.store.annotation(%d, 4)" % track.pk)
    assert annotation(track.pk, 4) is None
    page.keyboard.press("Control+Shift+z")
    page.keyboard.press("Control+Shift+z")
    page.wait_for_function("() => window.siamlabel.workspace.store.annotation(%d, 4)?.source === 'manual_mask'" % track.pk)
    assert annotation(track.pk, 4).area == painted.area

    # delete the frame with the keyboard, then undo that too
    page.keyboard.press("Delete")
    page.wait_for_function("() => !window.siamlabel.workspace.store.annotation(%d, 4)" % track.pk)
    page.keyboard.press("Control+z")
    page.wait_for_function("() => !!window.siamlabel.workspace.store.annotation(%d, 4)" % track.pk)
    assert annotation(track.pk, 4).area == painted.area
    assert not page.js_errors, page.js_errors


def test_help_lists_the_shortcuts_and_keys_move_frames(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/")
    wait_for_frame(page, 0)
    page.keyboard.press("ArrowRight")
    wait_for_frame(page, 1)
    page.keyboard.press("Shift+ArrowRight")
    wait_for_frame(page, 11)
    page.keyboard.press("Home")
    wait_for_frame(page, 0)
    page.keyboard.press("?")
    help_text = page.inner_text(".help-overlay")
    for action in ("next frame", "play / pause", "brush", "eraser", "undo", "redo", "propagate forward", "low-confidence"):
        assert action in help_text
    screenshot(page, "workspace-help")
    page.keyboard.press("Escape")
    page.wait_for_selector(".help-overlay", state="detached")


def test_the_workspace_names_the_jobs_model_and_suggests_the_official_weights(e2e_cast, new_page, video_with_track):
    from annotator.models import ModelCheckpoint
    from annotator.services.checkpoints import file_sha256
    from annotator.services.propagation import start_propagation

    video, track = video_with_track
    starter = ROOT / "weights" / "starter.pth"
    if not starter.is_file():
        pytest.skip("weights/starter.pth not present")
    ModelCheckpoint.objects.create(name="starter (light)", file=str(starter), sha256=file_sha256(starter),
                                   variant="light", is_default=True)
    # a queued job never sent to the worker: the reopened workspace follows it and names its model
    start_propagation(tracks=[track], start_frame=0, direction="forward", by=e2e_cast.alice, enqueue=False)
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/")
    wait_for_frame(page, 0)
    page.wait_for_selector(".job-model:has-text('starter (light)')")
    assert "light variant, built-in" in page.inner_text(".job-model")
    assert "manage.py fetch_weights davis --default" in page.inner_text(".model-hint")
    screenshot(page, "workspace-model-hint")


def test_the_annotator_sees_rejected_tracks_with_their_comments(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    track = review_services.submit_for_review(track=track, version=track.version)
    review_services.reject_track(track=track, version=track.version, comment="the mask misses the left edge",
                                 frame_index=7, by=e2e_cast.bob)
    page = new_page(e2e_cast.alice, "/review/?status=rejected")
    page.wait_for_selector(f"tr[data-track='{track.pk}']")
    page.click(f"tr[data-track='{track.pk}'] a.open")
    page.wait_for_selector(".comment:has-text('misses the left edge')")
    assert "frame 7" in page.inner_text(".comments")
    # when it was written: the server's timestamp, shown as a time of day (it was written today)
    stamp = page.locator(".comment time.comment-time")
    written = datetime.fromisoformat(stamp.get_attribute("datetime").replace("Z", "+00:00"))
    assert abs((datetime.now(timezone.utc) - written).total_seconds()) < 300
    assert re.search(r"\d{1,2}:\d{2}", stamp.inner_text()), stamp.inner_text()
    assert "rejected" in page.inner_text(".review-panel")
    page.click(".comment a.frame-link")
    wait_for_frame(page, 7)
    screenshot(page, "workspace-rejected")


def tracks_of(video) -> list[Track]:
    close_old_connections()
    return list(Track.objects.filter(video=video).order_by("object_id"))


def box_mode(page) -> str:
    """The mode the toolbar shows as on: what a box drawn now does."""
    return page.get_attribute(".box-mode[aria-pressed='true']", "data-mode")


def test_a_box_after_a_new_track_starts_another_until_re_anchor_is_chosen(e2e_cast, new_page, video_with_track):
    video, first = video_with_track
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?frame=0")
    wait_for_frame(page, 0)
    assert box_mode(page) == "new"
    page.keyboard.press("r")
    drag(page, (100, 10), (130, 40))
    page.wait_for_selector("li.track >> nth=1")
    second = tracks_of(video)[1]
    assert page.get_attribute("li.track.selected", "data-track") == str(second.pk)  # P would propagate it
    assert box_mode(page) == "new"  # ... but the next box is not silently a re-anchor of it
    drag(page, (100, 70), (140, 100))
    page.wait_for_selector("li.track >> nth=2")
    third = tracks_of(video)[2]
    assert annotation(second.pk, 0).bbox == pytest.approx([100, 10, 30, 30], abs=1.0)  # untouched
    assert annotation(third.pk, 0).bbox == pytest.approx([100, 70, 40, 30], abs=1.0)

    # A: boxes now re-anchor the selected track, and the toolbar says which
    page.keyboard.press("a")
    assert box_mode(page) == "reanchor"
    assert f"#{third.object_id}" in page.inner_text(".box-mode[data-mode='reanchor']")
    go_to_frame(page, 5)
    drag(page, (104, 72), (144, 102))
    page.wait_for_function("() => !!window.siamlabel.workspace.store.annotation(%d, 5)" % third.pk)
    assert annotation(third.pk, 5).bbox == pytest.approx([104, 72, 40, 30], abs=1.0)
    assert len(tracks_of(video)) == 3

    # clicking a track in the list picks it to work on (re-anchor); N goes back to new tracks
    page.click(f"li.track[data-track='{first.pk}']")
    assert box_mode(page) == "reanchor"
    assert f"#{first.object_id}" in page.inner_text(".box-mode[data-mode='reanchor']")
    page.keyboard.press("n")
    assert box_mode(page) == "new"
    assert page.is_disabled(".box-mode[data-mode='reanchor']")  # nothing selected to re-anchor
    assert not page.js_errors, page.js_errors


def test_notices_stay_off_the_frame_controls_toolbar_and_timeline(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=0")
    wait_for_frame(page, 0)
    controls = [".ws-toolbar", ".ws-frames", ".frame-slider", ".frame-input", "button.play", ".ws-timeline", ".ws-side"]

    def overlaps(a, b) -> bool:
        return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
            a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]

    for key, text in (("Delete", "nothing on this frame"), ("n", "draw a box around the new object")):
        go_to_frame(page, 3)
        page.keyboard.press(key)
        toast = page.locator("#toast.show")
        toast.wait_for()
        assert text in toast.inner_text()
        page.wait_for_timeout(300)  # its slide-in transition
        box = toast.bounding_box()
        for selector in controls:
            other = page.locator(selector).bounding_box()
            assert not overlaps(box, other), (text, selector, box, other)
    screenshot(page, "workspace-toast")
    assert not page.js_errors, page.js_errors


def test_a_tiny_drag_draws_nothing_and_a_deleted_video_is_named(e2e_cast, new_page, video_with_track):
    """QA items 4, 5, 7 and 8: a 3x3-pixel drag is a click; the pointer readout does not shrink the
    slider; the frame step buttons are a pair; a box on a video deleted elsewhere says so."""
    from annotator.models import Video
    from annotator.services import videos as video_services

    video, track = video_with_track
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?frame=2")
    wait_for_frame(page, 2)
    assert (page.inner_text("button.step-back"), page.inner_text("button.step-forward")) == ("◀◀", "▶▶")
    slider = page.locator(".frame-slider").bounding_box()["width"]
    page.keyboard.press("r")
    x, y = to_client(page, 80, 60)
    page.mouse.move(x, y)
    page.wait_for_function("() => document.querySelector('.pointer-pos').textContent.startsWith('x ')")
    assert page.locator(".frame-slider").bounding_box()["width"] == pytest.approx(slider, abs=0.5)
    page.mouse.down()
    page.mouse.move(x + 3, y + 3, steps=3)
    page.mouse.up()
    page.locator("#toast.show:has-text('drag a larger box')").wait_for()
    assert len(tracks_of(video)) == 1  # no sliver of a track
    screenshot(page, "workspace-tiny-drag")

    close_old_connections()
    video_services.delete_video(video=Video.objects.get(pk=video.pk))  # "in another tab"
    drag(page, (30, 40), (60, 70))
    page.locator("#toast.show:has-text('this video no longer exists')").wait_for()
    assert "No Video matches" not in page.inner_text("#toast")
    screenshot(page, "workspace-video-deleted")
    assert not page.js_errors, page.js_errors


def test_a_reviewer_gets_no_editing_tools_but_keeps_review_and_comments(e2e_cast, new_page, video_with_track):
    """QA item 6: bob (reviewer) sees Box, Brush, Eraser, propagation and frame deletion disabled,
    with the reason on hover; Pan, navigation, review and comments still work."""
    video, track = video_with_track
    track = review_services.submit_for_review(track=track, version=track.version)
    page = new_page(e2e_cast.bob, f"/videos/{video.pk}/?track={track.pk}&frame=0")
    wait_for_frame(page, 0)
    locked = ["button.tool[data-tool='box']", "button.tool[data-tool='brush']", "button.tool[data-tool='eraser']",
              "button.tool[data-tool='scribble']", "button.tool[data-tool='polygon']", "button.new-track",
              "button[data-direction='forward']", "button[data-direction='backward']", "button[data-direction='both']",
              ".edit-row button:has-text('Delete frame')", ".box-mode[data-mode='new']", ".box-mode[data-mode='reanchor']"]
    for selector in locked:
        assert page.is_disabled(selector), selector
        assert "cannot edit tracks" in page.get_attribute(selector, "title"), selector
    assert page.is_enabled("button.tool[data-tool='pan']")
    native = []  # the browser's own confirm/prompt must never open
    page.on("dialog", lambda d: (native.append(d.type), d.dismiss()))
    reason = "your role in this project (reviewer) cannot edit tracks; editing needs the annotator role"
    page.keyboard.press("r")  # the shortcut is refused too
    page.locator(f"#toast.show:has-text('{reason}')").wait_for()
    assert page.get_attribute("button.tool.active", "data-tool") == "pan"
    for key in ("p", "Delete", "Shift+O"):  # every refused shortcut words it the same (roles.ts)
        page.evaluate("document.getElementById('toast')?.classList.remove('show')")
        page.keyboard.press(key)
        page.locator(f"#toast.show:has-text('{reason}')").wait_for()
    page.keyboard.press("ArrowRight")
    wait_for_frame(page, 1)
    assert page.is_enabled(".review-panel button:has-text('Accept')")
    page.fill(".comment-input", "looks right on frame 1")
    page.dblclick("button.post-comment")
    page.locator(".comment:has-text('looks right on frame 1')").wait_for()
    page.wait_for_timeout(500)
    assert page.locator(".comment:has-text('looks right on frame 1')").count() == 1  # one comment per double click
    screenshot(page, "workspace-reviewer-read-only")

    # Shift+R: the reason is asked for in the in-page dialog, not the browser's prompt
    page.evaluate("document.activeElement?.blur()")
    page.keyboard.press("Shift+R")
    page.wait_for_selector("dialog.dialog[open] input.reject-reason")
    assert "frame 1" in page.inner_text("dialog.dialog[open]")
    page.keyboard.type("the mask misses the rider's arm")
    screenshot(page, "workspace-reject-dialog")
    page.click("dialog.dialog[open] button[type=submit]")
    page.locator("#toast.show:has-text('track rejected')").wait_for()
    close_old_connections()
    assert Track.objects.get(pk=track.pk).review_status == "rejected"
    assert list(Track.objects.get(pk=track.pk).comments.filter(text__contains="rider").values_list("frame_index", flat=True)) == [1]
    assert not native, native
    assert not page.js_errors, page.js_errors
