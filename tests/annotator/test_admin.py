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
