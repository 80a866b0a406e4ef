"""The admin's pages, as a superuser sees them."""

import pytest
from django.test import Client

from annotator.models import PropagationJob, Video


@pytest.fixture
def admin_client_(cast, django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "root-pw-123"))
    return client


def test_frame_rates_are_shown_to_one_decimal(admin_client_, cast):
    video = Video.objects.create(project=cast.project, name="ntsc", source_file="x.mp4", fps=29.97002997)
    job = PropagationJob.objects.create(video=video, start_frame=0, fps=12.3456)
    listing = admin_client_.get("/admin/annotator/video/").content.decode()
    assert "30.0" in listing and "29.97" not in listing
    form = admin_client_.get(f"/admin/annotator/video/{video.pk}/change/").content.decode()
    assert "30.0" in form and "29.97" not in form
    jobs = admin_client_.get("/admin/annotator/propagationjob/").content.decode()
    assert "12.3" in jobs and "12.34" not in jobs
    assert "12.3" in admin_client_.get(f"/admin/annotator/propagationjob/{job.pk}/change/").content.decode()


def test_the_batch_action_says_which_videos_it_left_out_and_why(admin_client_, cast, ready_video, track):
    from annotator.models import BatchPropagation

    broken = Video.objects.create(project=cast.project, name="broken", source_file="x.mp4", status="failed")
    done = Video.objects.create(project=cast.project, name="empty", source_file="y.mp4", status="ready", frame_count=5,
                                width=160, height=120)
    response = admin_client_.post("/admin/annotator/video/", {
        "action": "propagate_videos", "_selected_action": [ready_video.pk, broken.pk, done.pk]}, follow=True)
    [message] = [str(m) for m in response.context["messages"]]
    batch = BatchPropagation.objects.get()
    assert message == (f"Batch {batch.pk}: 1 video(s), 1 propagation job(s) queued. Not ready, left out: broken (failed). "
                       "Nothing to propagate (no stale segment, or another batch holds its tracks): empty.")
    assert batch.project == cast.project  # one project selected: the batch is labelled with it


def test_a_batch_page_lists_its_jobs_with_their_stops_and_the_batch_can_be_cancelled(admin_client_, cast, ready_video,
                                                                                     track):
    from annotator.services.batches import start_batch

    batch = start_batch(videos=[ready_video], by=cast.carol, max_running=1, backward=True)
    job = batch.jobs.get()
    PropagationJob.objects.filter(pk=job.pk).update(
        frames_total=11, frames_done=4, stop_reasons={"1": {str(track.pk): {"reason": "target lost", "frame": 4}}})
    page = admin_client_.get(f"/admin/annotator/batchpropagation/{batch.pk}/change/").content.decode()
    assert "clip" in page and "target lost: 1" in page  # the job's video and why its track stopped
    listing = admin_client_.get("/admin/annotator/batchpropagation/").content.decode()
    assert "36% (queued: 1; target lost: 1)" in listing
    response = admin_client_.post("/admin/annotator/batchpropagation/", {
        "action": "cancel_batches", "_selected_action": [batch.pk]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"Batch {batch.pk}: 1 unfinished job(s) cancelled or asked to stop."]
    assert PropagationJob.objects.get(pk=job.pk).status == "cancelled"  # queued: ended at once
