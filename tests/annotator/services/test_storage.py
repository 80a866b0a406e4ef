"""cleanup_media: orphaned media folders go, owned and young ones stay."""

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command


def aged(folder, hours: float, name: str = "source.avi"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"x" * 2048)
    past = time.time() - hours * 3600
    for path in (folder / name, folder):
        os.utime(path, (past, past))
    return folder


@pytest.mark.django_db
def test_only_old_folders_without_a_row_are_removed(settings, ready_video, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "tmp-uploads"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    cut_off = settings.FILE_UPLOAD_TEMP_DIR / "tmpab12cd.upload.mp4"  # a crashed request's upload
    cut_off.write_bytes(b"x" * 100)
    os.utime(cut_off, (time.time() - 7200,) * 2)
    receiving = settings.FILE_UPLOAD_TEMP_DIR / "tmpef34gh.upload.zip"  # a request receiving right now
    receiving.write_bytes(b"x")
    media = settings.MEDIA_ROOT
    owned = media / "videos" / str(ready_video.pk)
    os.utime(owned, (time.time() - 7200,) * 2)
    orphan_video = aged(media / "videos" / "999999", hours=2)
    orphan_export = aged(media / "exports" / "888888", hours=2)
    young = aged(media / "videos" / "777777", hours=0.1)  # an upload whose row has not committed yet

    out = StringIO()
    call_command("cleanup_media", "--dry-run", stdout=out)
    assert "3 orphaned folders and files" in out.getvalue()
    assert orphan_video.exists() and orphan_export.exists()

    call_command("cleanup_media", "--quiet", stdout=StringIO())
    assert not orphan_video.exists() and not orphan_export.exists()
    assert owned.exists() and young.exists()
    assert not cut_off.exists() and receiving.exists()


@pytest.mark.django_db
def test_training_states_go_once_their_fine_tune_ended_or_was_deleted(settings, cast):
    from annotator.models import FineTuneRun

    def states(run_pk, hours: float):
        return aged(settings.MEDIA_ROOT / "finetune" / str(run_pk), hours=hours, name="state-4.pth")

    done = FineTuneRun.objects.create(project=cast.project, status="done")
    failed = FineTuneRun.objects.create(project=cast.project, status="failed")
    running = FineTuneRun.objects.create(project=cast.project, status="running")
    ended = states(done.pk, hours=2)  # delete_states failed when it ended
    deleted = states(999999, hours=2)  # its row is gone
    active = states(running.pk, hours=2)
    (active / "state-6.pth").write_bytes(b"x")  # unrecorded newer state: its next save tidies it
    young = states(failed.pk, hours=0.1)

    out = StringIO()
    call_command("cleanup_media", "--dry-run", stdout=out)
    assert f"finetune/{done.pk}  " in out.getvalue() and "finetune/999999  " in out.getvalue()
    assert "2 orphaned folders and files" in out.getvalue()

    call_command("cleanup_media", "--quiet", stdout=StringIO())
    assert not ended.exists() and not deleted.exists()
    assert sorted(p.name for p in active.iterdir()) == ["state-4.pth", "state-6.pth"]
    assert young.exists()


@pytest.mark.django_db
def test_orphaned_prefixes_in_the_bucket_are_removed_and_owned_ones_stay(s3_media, cast, tmp_path):
    from django.core.files.base import ContentFile

    from annotator import media_store
    from annotator.services import videos as video_services
    from tests import clips

    clip = clips.write_video(tmp_path / "clip.avi")
    video = video_services.create_video(project=cast.project, name="clip", by=cast.alice,
                                        upload=ContentFile(clip.read_bytes(), name="clip.avi"))
    media_store.get().save("exports/888888/p.zip", ContentFile(b"x" * 2048))

    out = StringIO()
    call_command("cleanup_media", "--dry-run", "--min-age-hours", "0", stdout=out)
    assert "s3://siamlabel-media/exports/888888  0.0 MB" in out.getvalue()
    call_command("cleanup_media", "--quiet", "--min-age-hours", "0", stdout=StringIO())
    assert s3_media.keys("exports/") == []
    assert s3_media.keys(f"videos/{video.pk}/") == [f"videos/{video.pk}/source.avi"]
