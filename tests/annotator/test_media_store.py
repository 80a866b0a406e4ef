"""The media store behaves alike on local disk and in a real S3 bucket (SeaweedFS on loopback)."""

import pytest
from django.core.files.base import ContentFile

from annotator import media_store


@pytest.fixture(params=["local", "s3"])
def store(request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "s3":
        request.getfixturevalue("s3_media")
    return media_store.get()


def test_the_setting_picks_the_backend(store, settings):
    assert store.remote == bool(settings.SIAMLABEL_MEDIA_S3_BUCKET)


def test_saved_bytes_read_back_open_and_stat(store):
    store.save("videos/1/source.avi", ContentFile(b"x" * 1000))
    assert store.read_bytes("videos/1/source.avi") == b"x" * 1000
    with store.open("videos/1/source.avi") as body:
        assert body.read(10) == b"x" * 10
    assert store.stat("videos/1/source.avi").size == 1000
    assert store.stat("videos/1/nothing.avi") is None


def test_a_missing_key_reads_as_file_not_found(store):
    with pytest.raises(FileNotFoundError):
        store.read_bytes("videos/9/frames/00000.jpg")
    with pytest.raises(FileNotFoundError):
        with store.fetched("videos/9/source.mp4"):
            pass


def test_a_written_folder_lands_whole_and_replaces_the_old_one(store):
    with store.writing_dir("videos/2/frames") as folder:
        folder.mkdir()
        for i in range(3):
            (folder / f"{i:05d}.jpg").write_bytes(bytes([i]) * 10)
    with store.writing_dir("videos/2/frames") as folder:
        folder.mkdir()
        (folder / "00000.jpg").write_bytes(b"new")
    assert store.read_bytes("videos/2/frames/00000.jpg") == b"new"
    assert store.stat("videos/2/frames/00001.jpg") is None


def test_a_failed_write_leaves_nothing(store):
    with pytest.raises(RuntimeError):
        with store.writing_file("exports/3/p.zip") as path:
            path.write_bytes(b"half")
            raise RuntimeError("crash mid-write")
    assert store.stat("exports/3/p.zip") is None
    with store.writing_file("exports/3/p.zip") as path:
        path.write_bytes(b"whole")
    with store.fetched("exports/3/p.zip") as local:
        assert local.read_bytes() == b"whole"


def test_deleting_a_prefix_removes_only_its_objects(store):
    for key in ("videos/4/source.avi", "videos/4/frames/00000.jpg", "videos/41/source.avi"):
        store.save(key, ContentFile(b"data"))
    store.delete_prefix("videos/4")
    assert store.stat("videos/4/source.avi") is None and store.stat("videos/4/frames/00000.jpg") is None
    assert store.stat("videos/41/source.avi").size == 4
    assert [(f.key, f.pk, f.bytes) for f in store.folders("videos")] == [("videos/41", 41, 4)]


def test_deleting_a_key_removes_only_it_and_a_missing_one_is_no_error(store):
    for key in ("finetune/5/state-1.pth", "finetune/5/state-2.pth"):
        store.save(key, ContentFile(b"state"))
    store.delete("finetune/5/state-1.pth")
    store.delete("finetune/5/state-9.pth")
    assert store.stat("finetune/5/state-1.pth") is None and store.stat("finetune/5/state-2.pth").size == 5


def test_bucket_media_never_touches_media_root(s3_media, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    media_store.get().save("videos/5/source.avi", ContentFile(b"data"))
    assert "videos/5/source.avi" in s3_media.keys("videos/")
    assert not (tmp_path / "media" / "videos").exists()
