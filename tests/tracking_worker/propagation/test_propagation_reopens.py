"""A propagation job that writes frames of an accepted track makes it a draft again (a real worker)."""

import pytest

from annotator.choices import ReviewStatus
from annotator.models import PropagationJob, TrackEvent
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def finished(job_id):
    job = PropagationJob.objects.get(pk=job_id)
    return job if not job.is_active else None


def test_a_job_writing_an_accepted_track_makes_it_a_draft_in_its_history(clients, track, checkpoint, start_worker):
    from annotator.services.review import accept_track, submit_for_review

    track = accept_track(track=submit_for_review(track=track, version=1), version=2)
    worker = start_worker(SIAMLABEL_LOST_PATIENCE="1000000")
    job = clients.alice.post(f"/api/tracks/{track.pk}/propagate/", {"frame": 0}, format="json").json()
    job = wait_for(lambda: finished(job["id"]), 120, "the job to finish", worker)
    assert job.status == "succeeded", job.error
    track.refresh_from_db()
    assert track.review_status == ReviewStatus.DRAFT
    assert track.version == 4  # a reviewer's accept from the old version now gets a 409
    changes = list(TrackEvent.objects.filter(track=track).values_list("change", "from_status", "to_status", "job"))
    assert changes == [("submitted", "draft", "in_review", None), ("accepted", "in_review", "accepted", None),
                       ("propagated", "accepted", "draft", job.pk)]
