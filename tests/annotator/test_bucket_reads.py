"""Whole-object reads from a real bucket (SeaweedFS on loopback) on the lean GET path."""

import threading

import pytest
from django.core.files.base import ContentFile

from annotator import media_store


@pytest.fixture
def store(s3_media):
    return media_store.get()


def test_reads_return_what_boto3_reads_for_keys_that_need_quoting(store):
    keys = ["videos/5/frames/00000.jpg", "imports/6/with space+plus.json", "exports/7/ünïcode ~%.zip"]
    for i, key in enumerate(keys):
        store.save(key, ContentFile(bytes(range(256)) * (i + 1)))
    for key in keys:
        body = store.client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
        assert store.read_bytes(key) == body


def test_a_missing_key_is_file_not_found_and_names_the_key(store):
    with pytest.raises(FileNotFoundError, match="videos/9/frames/00003.jpg"):
        store.read_bytes("videos/9/frames/00003.jpg")


def test_wrong_credentials_give_a_clear_error_not_a_missing_file(s3_media, settings):
    secret, settings.AWS_SECRET_ACCESS_KEY = settings.AWS_SECRET_ACCESS_KEY, "not-the-secret"
    try:
        with pytest.raises(media_store.BucketError, match=r"refused reading videos/1/frames/00000.jpg: HTTP 403"):
            media_store.get().read_bytes("videos/1/frames/00000.jpg")
    finally:
        settings.AWS_SECRET_ACCESS_KEY = secret  # s3_media empties the bucket afterwards


def test_threads_share_the_reader(store):
    payloads = {f"videos/8/frames/{i:05d}.jpg": bytes([i]) * (1000 + i) for i in range(24)}
    for key, data in payloads.items():
        store.save(key, ContentFile(data))
    read: dict[str, bytes] = {}

    def reader(keys):
        for key in keys:
            read[key] = store.read_bytes(key)

    keys = sorted(payloads)
    threads = [threading.Thread(target=reader, args=(keys[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert read == payloads
