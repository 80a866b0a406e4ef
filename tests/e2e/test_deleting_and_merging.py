"""Deleting with in-page confirmation dialogs: a frame range, tracks (merge, split, delete), videos
(a failed upload, and one a running job protects) and projects."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections

from annotator.choices import Source
from annotator.models import FrameAnnotation, Project, Track, Video
from annotator.services import propagation as propagation_services
from annotator.services import tracks as track_services
from annotator.services import videos as video_services
from tests.conftest import wait_for
from tests.e2e.conftest import screenshot
from tests.e2e.pages import wait_for_frame

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def frames_of(track_id: int) -> list[int]:
    close_old_connections()
    return list(FrameAnnotation.objects.filter(track_id=track_id).order_by("frame_index")
                .values_list("frame_index", flat=True))


def type_into(page, selector: str, text: str) -> None:
    """Click a field, select what it holds and type over it (real keyboard input)."""
    page.click(selector)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def test_range_split_merge_and_delete_tracks_through_dialogs(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    FrameAnnotation.objects.bulk_create([FrameAnnotation(track=track, frame_index=f, source=Source.PROPAGATED,
                                                         bbox=[10, 10, 20, 20]) for f in range(1, 7)])
    other = track_services.create_track(video=video, label=track.label, frame_index=8, bbox=[5, 5, 20, 20],
                                        by=e2e_cast.alice)
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=2")
    wait_for_frame(page, 2)

    # Shift+Delete: an in-page dialog for the range, not the browser's prompt
    page.keyboard.press("Shift+Delete")
    page.wait_for_selector("dialog.dialog[open]")
    type_into(page, "dialog .range-last", "99")
    page.click("dialog button[type=submit]")
    assert "whole numbers from 0 to 11" in page.inner_text("dialog .dialog-error")  # stays open, says why
    type_into(page, "dialog .range-last", "3")
    screenshot(page, "delete-range-dialog")
    page.click("dialog button[type=submit]")
    page.wait_for_selector("dialog.dialog", state="detached")
    wait_for(lambda: frames_of(track.pk) == [0, 1, 4, 5, 6], 10, "frames 2-3 deleted")

    # Split at frame 5: frames 5 and 6 become a new track with the same label
    page.click("button.track-split")
    type_into(page, "dialog .split-frame", "5")
    page.click("dialog button[type=submit]")
    wait_for(lambda: frames_of(track.pk) == [0, 1, 4], 10, "the split")
    close_old_connections()
    new = Track.objects.exclude(pk__in=[track.pk, other.pk]).get()
    assert frames_of(new.pk) == [5, 6] and new.label_id == track.label_id
    page.wait_for_selector(f"li.track[data-track='{new.pk}']")
    screenshot(page, "track-split")

    # Merge track #2 (frame 8) into #1
    page.click(f"li.track[data-track='{track.pk}']")
    page.click("button.track-merge")
    page.select_option("dialog .merge-other", str(other.pk))
    page.click("dialog button[type=submit]")
    page.wait_for_selector(f"li.track[data-track='{other.pk}']", state="detached")
    assert frames_of(track.pk) == [0, 1, 4, 8]
    assert not Track.objects.filter(pk=other.pk).exists()
    screenshot(page, "track-merged")

    # Delete the split-off track: Cancel keeps it, Escape keeps it, the red button deletes it
    page.click(f"li.track[data-track='{new.pk}']")
    page.click("button.track-delete")
    assert "cannot be undone" in page.inner_text("dialog .dialog-message")
    page.click("dialog .dialog-cancel")
    page.click("button.track-delete")
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog.dialog", state="detached")
    assert Track.objects.filter(pk=new.pk).exists()
    page.click("button.track-delete")
    screenshot(page, "delete-track-dialog")
    page.click("dialog button.danger")
    page.wait_for_selector(f"li.track[data-track='{new.pk}']", state="detached")
    close_old_connections()
    assert not Track.objects.filter(pk=new.pk).exists()
    assert not page.js_errors, page.js_errors


def test_a_manager_deletes_a_failed_upload_a_guarded_video_and_the_project(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    failed = video_services.create_video(project=e2e_cast.project, name="broken", by=e2e_cast.alice,
                                         upload=SimpleUploadedFile("broken.mp4", b"\x00garbage" * 200))
    wait_for(lambda: Video.objects.filter(pk=failed.pk, status="failed").exists(), 60, "the upload to fail")
    job = propagation_services.start_propagation(tracks=[track], start_frame=0, direction="forward",
                                                 by=e2e_cast.alice, enqueue=False)  # queued: guards the video
    page = new_page(e2e_cast.carol, f"/projects/{e2e_cast.project.pk}/")

    page.click(f"tr[data-video='{failed.pk}'] button.delete-video")
    assert "the failed upload" in page.inner_text("dialog .dialog-message")
    screenshot(page, "delete-failed-upload-dialog")
    page.click("dialog button.danger")
    page.wait_for_selector(f"tr[data-video='{failed.pk}']", state="detached")
    close_old_connections()
    assert not Video.objects.filter(pk=failed.pk).exists()

    page.click(f"tr[data-video='{video.pk}'] button.delete-video")
    page.click("dialog button.danger")
    page.wait_for_selector(f"#toast:has-text('propagation job {job.pk} is queued')")
    screenshot(page, "delete-video-refused")
    assert Video.objects.filter(pk=video.pk).exists()

    propagation_services.cancel_job(job=job)
    page.goto("/projects/")
    page.click(f"tr[data-project='{e2e_cast.project.pk}'] button.delete-project")
    page.click("dialog button.danger")
    page.wait_for_selector(f"tr[data-project='{e2e_cast.project.pk}']", state="detached")
    screenshot(page, "project-deleted")
    close_old_connections()
    assert not Project.objects.filter(pk=e2e_cast.project.pk).exists()
    assert not page.js_errors, page.js_errors
