"""Tracks of one label told apart: each its own colour; hide and lock per track, kept across a reload."""

import pytest
from django.db import close_old_connections

from annotator.masks import box_mask, encode_mask
from annotator.models import Track
from annotator.services import tracks as track_services
from tests.e2e.conftest import screenshot
from tests.e2e.pages import annotation, colour_distance, drag, pixel, to_client, wait_for_frame

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MASK_ALPHA = 0.45  # canvas/maskOverlay.ts MASK_ALPHA: unselected tracks' masks
A_MASK = [60, 45, 25, 25]  # both over the clip's plain background (the square is at x 20..50)
B_MASK = [110, 45, 25, 25]


def paint_mask(track, box) -> None:
    close_old_connections()
    track = Track.objects.get(pk=track.pk)
    track_services.set_frame_annotation(track=track, frame_index=0, version=track.version,
                                        mask_rle=encode_mask(box_mask(box, 120, 160)))


def region(page, box) -> list[float]:
    """Mean RGB of the frame layer over a 4x4 grid inside an image box (averages out the clip's noise)."""
    x, y, w, h = box
    samples = [pixel(page, x + w * (i + 0.5) / 4, y + h * (j + 0.5) / 4) for i in range(4) for j in range(4)]
    return [sum(s[c] for s in samples) / len(samples) for c in range(3)]


def mask_colour(shown, hidden) -> list[float]:
    """The overlay colour that turned `hidden` (the frame alone) into `shown`."""
    return [(s - (1 - MASK_ALPHA) * b) / MASK_ALPHA for s, b in zip(shown, hidden, strict=True)]


def rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]


def test_tracks_of_one_label_get_their_own_colours_and_can_be_hidden_and_locked(e2e_cast, new_page, video_with_track):
    video, a = video_with_track
    b = track_services.create_track(video=video, label=a.label, frame_index=0, bbox=B_MASK, by=e2e_cast.alice)
    paint_mask(a, A_MASK)
    paint_mask(b, B_MASK)
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?frame=0")
    wait_for_frame(page, 0, masks=2)
    row = lambda t: f".track[data-track='{t.pk}']"  # noqa: E731
    swatch_a = page.get_attribute(f"{row(a)} .swatch", "data-colour")
    swatch_b = page.get_attribute(f"{row(b)} .swatch", "data-colour")
    assert swatch_a == a.label.colour and colour_distance(rgb(swatch_a), rgb(swatch_b)) > 60
    shown_a, shown_b = region(page, A_MASK), region(page, B_MASK)
    screenshot(page, "track-colours")

    # hide B with its eye: its pixels go, A's stay, and a click there picks nothing
    page.click(f"{row(b)} input[aria-label=visible]")
    wait_for_frame(page, 0, masks=1)
    bare_b = region(page, B_MASK)
    assert colour_distance(shown_b, bare_b) > 60
    assert colour_distance(region(page, A_MASK), shown_a) < 6
    page.mouse.click(*to_client(page, 122, 57))
    assert page.evaluate("() => window.siamlabel.workspace.store.selectedId") is None
    screenshot(page, "track-hidden")

    # the mask colours on the canvas are the two swatches: visibly different
    page.click(f"{row(a)} input[aria-label=visible]")
    wait_for_frame(page, 0, masks=0)
    bare_a = region(page, A_MASK)
    drawn_a, drawn_b = mask_colour(shown_a, bare_a), mask_colour(shown_b, bare_b)
    assert colour_distance(drawn_a, rgb(swatch_a)) < 30, (drawn_a, swatch_a)
    assert colour_distance(drawn_b, rgb(swatch_b)) < 30, (drawn_b, swatch_b)
    assert colour_distance(drawn_a, drawn_b) > 60
    page.click(f"{row(a)} input[aria-label=visible]")
    wait_for_frame(page, 0, masks=1)

    # lock A: a brush stroke on it is refused and its mask stays as it was
    page.click(f"{row(a)} input[aria-label=locked]")
    page.click(f"{row(a)} .name")
    page.wait_for_selector(f"{row(a)}.selected.locked")
    before = annotation(a.pk, 0).mask_rle
    page.keyboard.press("b")
    drag(page, (72, 57), (72, 100))
    page.wait_for_selector(".toast.show.error")
    assert "locked" in page.inner_text(".toast")
    screenshot(page, "track-locked")
    assert annotation(a.pk, 0).mask_rle == before
    assert page.evaluate("(id) => window.siamlabel.workspace.store.annotation(id, 0).source", a.pk) == "manual_mask"

    # hidden and locked are this user's view of the video: they survive a reload
    page.reload()
    wait_for_frame(page, 0, masks=1)
    assert page.is_checked(f"{row(a)} input[aria-label=locked]")
    assert not page.is_checked(f"{row(b)} input[aria-label=visible]")

    # unlocked, the same stroke goes through (the refusal above was the lock, not the stroke)
    close_old_connections()
    version = Track.objects.get(pk=a.pk).version
    page.click(f"{row(a)} input[aria-label=locked]")
    page.click(f"{row(a)} .name")
    page.keyboard.press("b")
    drag(page, (72, 57), (72, 100))
    page.wait_for_function("([id, v]) => window.siamlabel.workspace.store.state(id).track.version > v", arg=[a.pk, version])
    assert annotation(a.pk, 0).area > 25 * 25
    assert not page.js_errors, page.js_errors
