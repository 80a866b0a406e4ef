"""A manager exports labels from the browser and downloads them; an import shows why it was refused."""

import json

import pytest

from annotator.services import review as review_services
from tests.e2e.conftest import screenshot
from tests.e2e.pages import download_coco

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]


def test_a_manager_exports_accepted_tracks_as_coco_and_downloads_the_zip(
    e2e_cast, new_page, worker, video_with_track, tmp_path
):
    video, track = video_with_track
    track = review_services.submit_for_review(track=track, version=track.version, by=e2e_cast.alice)
    review_services.accept_track(track=track, version=track.version, by=e2e_cast.bob)
    carol = new_page(e2e_cast.carol, f"/projects/{e2e_cast.project.pk}/")
    carol.click("a:has-text('Export and import')")
    carol.wait_for_selector(".export-form")
    assert carol.input_value(".export-format") == "coco"
    carol.click(f".export-video[value='{video.pk}']")
    carol.click(".export-status[value='accepted']")
    assert not carol.is_checked(".export-frames")  # COCO's default: labels only
    carol.click(".export-form button[type=submit]")

    row = carol.locator("tr[data-export][data-status='succeeded']")
    row.wait_for(timeout=60_000)
    assert row.locator(".settings").inner_text() == "COCO · clip · accepted only · labels only"
    screenshot(carol, "export-coco-done")
    coco = download_coco(carol, row, tmp_path)
    assert len(coco.getImgIds()) == video.frame_count
    annotations = coco.loadAnns(coco.getAnnIds())
    assert [a["attributes"]["track_id"] for a in annotations] == [track.object_id]
    assert coco.annToMask(annotations[0]).sum() > 0  # the keyframe's box, as a polygon
    assert not carol.js_errors, carol.js_errors

    # the past export stays listed with its settings
    carol.reload()
    assert "accepted only" in carol.inner_text("table.exports")

    # polygons instead of RLE: offered for COCO only
    carol.wait_for_selector(".export-form")
    carol.select_option(".export-format", "davis")
    assert carol.locator(".export-masks").is_hidden()
    carol.select_option(".export-format", "coco")
    carol.select_option(".export-masks", "polygon")
    carol.click(".export-form button[type=submit]")
    polygons = carol.locator("tr[data-export][data-status='succeeded'] .settings", has_text="masks as polygons")
    polygons.wait_for(timeout=60_000)
    assert polygons.inner_text() == "COCO · masks as polygons · all ready videos · all review statuses · labels only"
    assert not carol.js_errors, carol.js_errors


def test_an_import_of_unknown_videos_and_labels_lists_what_was_refused(e2e_cast, new_page, worker, tmp_path):
    labels = {"images": [{"id": 1, "file_name": "ghost/00000.jpg", "width": 160, "height": 120}],
              "categories": [{"id": 1, "name": "person"}], "annotations": []}
    upload = tmp_path / "labels.json"
    upload.write_text(json.dumps(labels))
    carol = new_page(e2e_cast.carol, f"/projects/{e2e_cast.project.pk}/transfers/")
    carol.wait_for_selector(".import-form")
    carol.set_input_files(".import-file", str(upload))
    carol.click(".import-form button[type=submit]")
    row = carol.locator("tr[data-import][data-status='failed']")
    row.wait_for(timeout=60_000)
    assert "the archive has videos this project does not: ghost" in row.locator(".result").inner_text()
    screenshot(carol, "import-refused")

    carol.set_input_files(".import-file", str(tmp_path / "labels.json"))
    carol.select_option(".import-format", "davis")
    carol.click(".import-form button[type=submit]")
    carol.wait_for_selector(".import-message.error")
    assert "Refused: a davis import must be a .zip file" in carol.inner_text(".import-message")
    assert not carol.js_errors, carol.js_errors
