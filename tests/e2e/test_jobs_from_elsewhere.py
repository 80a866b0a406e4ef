"""A job started elsewhere while the workspace is open (an admin's batch) shows its progress there and
fills the frames it writes, without a reload (found missing by a browser QA pass, 2026-12-02)."""

import pytest

from annotator.models import FrameAnnotation
from tests.e2e.pages import FINISHED, wait_for_frame

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]


def test_an_open_workspace_follows_a_batch_job_started_after_it_opened(e2e_cast, new_page, worker, video_with_track):
    from annotator.services.batches import start_batch

    video, track = video_with_track
    alice = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=5")
    wait_for_frame(alice, 5)
    assert alice.get_attribute(".propagation-panel", "data-job-id") is None  # nothing running when it opened
    job = start_batch(videos=[video], by=e2e_cast.carol).jobs.get()
    alice.wait_for_function(
        """([id, finished]) => {
            const d = document.querySelector('.propagation-panel').dataset;
            return d.jobId === String(id) && finished.includes(d.jobStatus);
        }""", arg=[job.pk, list(FINISHED)], timeout=120_000)
    assert alice.get_attribute(".propagation-panel", "data-job-status") == "succeeded", alice.inner_text(".job-status")
    assert FrameAnnotation.objects.filter(track=track, frame_index=5, source="propagated").exists()
    # the frame on screen got the batch's mask: the track's frame list in the page says so
    alice.wait_for_function(
        "(t) => window.siamlabel.workspace.store.annotation(t, 5)?.source === 'propagated'", arg=track.pk, timeout=10_000)
    assert not alice.js_errors, alice.js_errors
