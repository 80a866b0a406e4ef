"""Issue 15's acceptance path: from an empty project list to a downloaded COCO export, all in the browser.

A manager (carol) creates a project, a label and a member, uploads a clip, boxes the object,
propagates, corrects a frame with a scribble, marks the last frames "not visible", submits,
accepts, exports COCO, downloads it and the file loads with pycocotools. Every step is real mouse
and keyboard input against a real server, database, broker and Celery worker.
"""

import re

import pytest
from django.db import close_old_connections

from annotator.choices import Source
from annotator.models import FrameAnnotation, Membership, Project, PropagationJob, Track
from tests import clips
from tests.conftest import wait_for
from tests.e2e.conftest import screenshot
from tests.e2e.pages import download_coco, drag, go_to_frame, propagate_and_wait, wait_for_frame
from tests.e2e.test_project_setup import add_label, type_into

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

FRAMES, WIDTH, HEIGHT = 24, 320, 240
CORRECTED = 12  # the square sits at x 56..86, y 40..70 on this frame (tests/clips.py)
OUTSIDE = range(20, FRAMES)


def sources(track_id: int) -> dict[int, str]:
    close_old_connections()
    return dict(FrameAnnotation.objects.filter(track_id=track_id).values_list("frame_index", "source"))


def jobs_idle(track_id: int) -> bool:
    close_old_connections()
    return not PropagationJob.objects.filter(tracks=track_id, status__in=["queued", "running"]).exists()


def test_a_manager_goes_from_an_empty_project_list_to_a_downloaded_coco_export(
    e2e_cast, new_page, worker, tmp_path
):
    carol = new_page(e2e_cast.carol, "/projects/")

    # project, label, member
    type_into(carol, "section.new-project input[name=name]", "Factory line")
    carol.click("section.new-project button[type=submit]")
    carol.wait_for_url("**/settings/")
    close_old_connections()
    project = Project.objects.get(name="Factory line")
    add_label(carol, "widget", "#00aa55")
    type_into(carol, "form.invite-member input[name=username]", "alice")
    carol.keyboard.press("Enter")
    carol.locator("tr[data-member='alice']").wait_for()
    assert Membership.objects.get(project=project, user=e2e_cast.alice).role == "annotator"
    screenshot(carol, "workflow-1-project-setup")

    # upload; the worker extracts the frames while the page polls
    carol.goto(f"/projects/{project.pk}/")
    clip = clips.write_video(tmp_path / "line.avi", n=FRAMES, width=WIDTH, height=HEIGHT)
    carol.set_input_files("form.upload input[type=file]", str(clip))
    carol.click("form.upload button[type=submit]")
    carol.wait_for_selector("tr[data-status='ready']", timeout=60_000)
    screenshot(carol, "workflow-2-uploaded")
    carol.click("tr[data-status='ready'] a.button")
    wait_for_frame(carol, 0)

    # one box, then propagation over the clip
    carol.keyboard.press("r")
    drag(carol, (20, 40), (50, 70))
    carol.wait_for_selector("li.track.selected")
    close_old_connections()
    track = Track.objects.get(video__project=project)
    assert track.label.name == "widget"
    propagate_and_wait(carol)
    assert sources(track.pk) == {0: Source.MANUAL_BOX} | {f: Source.PROPAGATED for f in range(1, FRAMES)}
    screenshot(carol, "workflow-3-propagated")

    # a scribble correction on a propagated frame: stored as a manual mask
    go_to_frame(carol, CORRECTED)
    wait_for_frame(carol, CORRECTED, masks=1)
    carol.click("button.tool[data-tool=scribble]")
    drag(carol, (60, 44), (82, 66))  # a foreground stroke across the object
    wait_for(lambda: sources(track.pk).get(CORRECTED) == Source.MANUAL_MASK, 30, "the scribble's mask saved")
    carol.wait_for_selector(".canvas-host:not([data-busy])")
    wait_for(lambda: jobs_idle(track.pk), 120, "any re-propagation after the correction to end")
    screenshot(carol, "workflow-4-scribble")

    # the last frames: the object is not visible there
    go_to_frame(carol, OUTSIDE[0])
    carol.keyboard.press("Alt+o")
    carol.wait_for_selector("dialog.dialog[open]")
    carol.click("dialog .range-last")
    carol.keyboard.press("Control+a")
    carol.keyboard.type(str(OUTSIDE[-1]))
    carol.keyboard.press("Enter")
    carol.wait_for_selector("dialog.dialog", state="detached")
    wait_for(lambda: all(sources(track.pk).get(f) == Source.OUTSIDE for f in OUTSIDE), 15, "the outside range saved")
    screenshot(carol, "workflow-5-outside")

    # submit, then review and accept (a manager may review)
    carol.click("button.submit-review")
    wait_for(lambda: Track.objects.get(pk=track.pk).review_status == "in_review", 15, "submit")
    carol.goto("/review/")
    carol.click(f"tr[data-track='{track.pk}'] a.open")
    carol.wait_for_selector(".canvas-host[data-rendered-frame]")
    carol.click("button.accept")
    wait_for(lambda: Track.objects.get(pk=track.pk).review_status == "accepted", 15, "accept")
    screenshot(carol, "workflow-6-accepted")

    # export COCO from the project page and download it
    carol.goto(f"/projects/{project.pk}/")
    carol.click("a:has-text('Export and import')")
    carol.wait_for_selector(".export-form")
    carol.select_option(".export-format", "coco")
    carol.click(".export-status[value='accepted']")
    carol.click(".export-form button[type=submit]")
    row = carol.locator("tr[data-export][data-status='succeeded']")
    row.wait_for(timeout=60_000)
    screenshot(carol, "workflow-7-exported")
    coco = download_coco(carol, row, tmp_path)
    assert len(coco.getImgIds()) == FRAMES
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["widget"]
    frame_of = {i["id"]: int(re.search(r"(\d+)\.\w+$", i["file_name"]).group(1)) for i in coco.loadImgs(coco.getImgIds())}
    annotations = coco.loadAnns(coco.getAnnIds())
    # every visible frame has the object's mask; the outside frames have no annotation at all
    assert sorted(frame_of[a["image_id"]] for a in annotations) == [f for f in range(FRAMES) if f not in OUTSIDE]
    corrected = next(a for a in annotations if frame_of[a["image_id"]] == CORRECTED)
    assert coco.annToMask(corrected)[55, 70] == 1  # inside the square the scribble went across
    assert all(coco.annToMask(a).sum() > 0 for a in annotations)
    assert not carol.js_errors, carol.js_errors
