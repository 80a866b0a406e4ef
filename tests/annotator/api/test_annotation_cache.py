"""Repeated reads of a track's frames: ETag and 304, the cached gzip body, and streamed wide ranges.

The cached body must never outlive a write: every path that writes a track's frames is exercised
below, each followed by a read that sends the old ETag back and must get the new frames.
"""

import gzip
import json

import numpy as np
import pytest
from django.core.cache import cache
from rest_framework.renderers import JSONRenderer

from annotator import masks, selectors
from annotator.api import frame_ranges
from annotator.api.serializers import AnnotationSerializer
from annotator.choices import Source
from annotator.models import FrameAnnotation, PropagationJob, Track
from annotator.services import propagation as propagation_services
from annotator.services.tracks import create_track
from tests import clips

pytestmark = pytest.mark.django_db
WINDOW = "?from=0&to=499"  # the workspace's window (frontend/src/store/frameWindows.ts)
RLE = {"size": [120, 160], "counts": "0"}


def add_frames(track, frames, job=None):
    FrameAnnotation.objects.bulk_create([
        FrameAnnotation(track=track, frame_index=f, source=Source.PROPAGATED, bbox=[1, 1, 4, 4], score=0.9,
                        area=16, mask_rle=RLE, job=job) for f in frames])


def read(client, track, query=WINDOW, **headers):
    return client.get(f"/api/tracks/{track.pk}/annotations/{query}", HTTP_ACCEPT_ENCODING="gzip",
                      **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})


def frames_in(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


def stored(track) -> list[dict]:
    """The track's frames as a fresh, uncached serialization answers them."""
    return json.loads(JSONRenderer().render(AnnotationSerializer(selectors.annotations_of(track), many=True).data))


def version(track) -> int:
    return Track.objects.get(pk=track.pk).version


def test_a_matching_etag_answers_304_without_a_body(clients, track):
    add_frames(track, range(1, 10))
    first = read(clients.alice, track)
    assert first.status_code == 200 and first["ETag"].startswith('W/"')
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    again = read(clients.bob, track, if_none_match=first["ETag"])  # any member: the body is the same
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and "Accept-Encoding" in again["Vary"]
    assert read(clients.alice, track, if_none_match='W/"something-else"').status_code == 200


def test_an_outsider_gets_404_even_with_the_etag(clients, track):
    etag = read(clients.alice, track)["ETag"]
    assert read(clients.mallory, track, if_none_match=etag).status_code == 404


def test_a_repeated_read_is_answered_from_the_cache_gzipped(clients, track):
    add_frames(track, range(1, 200))
    first = read(clients.alice, track)
    assert first["Content-Encoding"] == "gzip" and frames_in(first) == stored(track)
    encoding, body = cache.get(f"json-body:{first['ETag']}:gzip")
    assert encoding == "gzip" and body == first.content
    cache.set(f"json-body:{first['ETag']}:gzip", ("", b'["from the cache"]'))
    assert read(clients.alice, track).content == b'["from the cache"]'
    plain = clients.alice.get(f"/api/tracks/{track.pk}/annotations/{WINDOW}")
    assert "Content-Encoding" not in plain and plain.json() == stored(track) and plain["ETag"] == first["ETag"]


def test_each_window_and_delta_has_its_own_tag(clients, track):
    add_frames(track, range(1, 20))
    tags = {read(clients.alice, track, query)["ETag"]
            for query in (WINDOW, "?from=0&to=9", "?from=10&to=19", f"{WINDOW}&changed_since=2020-01-01T00:00:00Z")}
    assert len(tags) == 4


# -- every path that writes a track's frames ---------------------------------------------------
def put_box(clients, track):
    saved = clients.alice.put(f"/api/tracks/{track.pk}/annotations/5/", {"version": version(track),
                                                                       "box": [2, 2, 9, 9]}, format="json")
    assert saved.status_code == 200, saved.json()


def put_mask(clients, track):
    mask = {"size": [120, 160], "counts": [200, 30, 18970]}
    saved = clients.alice.put(f"/api/tracks/{track.pk}/annotations/6/", {"version": version(track), "mask": mask},
                              format="json")
    assert saved.status_code == 200, saved.json()


def delete_frame(clients, track):
    deleted = clients.alice.delete(f"/api/tracks/{track.pk}/annotations/3/?version={version(track)}")
    assert deleted.status_code == 204


def delete_range(clients, track):
    deleted = clients.alice.post(f"/api/tracks/{track.pk}/annotations/delete-range/",
                                 {"version": version(track), "first": 2, "last": 4}, format="json")
    assert deleted.status_code == 200 and deleted.json()["deleted"] == 3


def mark_outside(clients, track):
    marked = clients.alice.post(f"/api/tracks/{track.pk}/outside/", {"version": version(track), "first": 7,
                                                                    "last": 8}, format="json")
    assert marked.status_code == 200, marked.json()


def clear_outside(clients, track):
    cleared = clients.alice.delete(f"/api/tracks/{track.pk}/outside/", {"version": version(track), "first": 10,
                                                                       "last": 10}, format="json")
    assert cleared.status_code == 200 and cleared.json()["frames"] == 1


def merge_in(clients, track):
    other = create_track(video=track.video, label=track.label, frame_index=11, bbox=clips.square_box(11), by=None)
    merged = clients.alice.post(f"/api/tracks/{track.pk}/merge/", {"version": version(track), "other": other.pk,
                                                                  "other_version": 1}, format="json")
    assert merged.status_code == 200, merged.json()


def split_off(clients, track):
    split = clients.alice.post(f"/api/tracks/{track.pk}/split/", {"version": version(track), "frame": 5},
                               format="json")
    assert split.status_code == 201, split.json()


def start_job(track) -> PropagationJob:
    return propagation_services.start_propagation(tracks=[track], start_frame=0, direction="forward", by=None,
                                                  enqueue=False)


def propagation_chunk(clients, track):
    from tracking_worker.propagation.writer import FrameRecord, flush

    records = [FrameRecord(track_id=track.pk, frame_index=f, score=0.5, bbox=[3, 3, 6, 6], rotated_box=[],
                           mask_rle=RLE, area=36) for f in range(1, 5)]
    flush(start_job(track), records, step=1, frames_done=0, fps=None)


def stale_frames_removed(clients, track):
    from tracking_worker.propagation.writer import remove_stale_frames

    assert remove_stale_frames(start_job(track), track.pk, [8, 9]) == 2


def keyframe_mask_filled(clients, track):
    from tracking_worker.propagation.writer import FrameRecord, fill_keyframe_mask

    whole = masks.encode_mask(np.ones((120, 160), bool))  # the tracker's mask, cut to the drawn box when stored
    record = FrameRecord(track_id=track.pk, frame_index=0, score=0.8, bbox=[1, 1, 5, 5], rotated_box=[],
                         mask_rle=whole, area=120 * 160)
    fill_keyframe_mask(start_job(track), record)


def job_reverted(clients, track):
    job = track.annotations.exclude(job=None).values_list("job", flat=True)[0]
    reverted = clients.alice.post(f"/api/jobs/{job}/revert/")
    assert reverted.status_code == 200 and reverted.json()["deleted"] == 9, reverted.json()


def job_deleted(clients, track):
    PropagationJob.objects.filter(annotations__track=track).delete()  # the frames keep, with job null


WRITES = [put_box, put_mask, delete_frame, delete_range, mark_outside, clear_outside, merge_in, split_off,
          propagation_chunk, stale_frames_removed, keyframe_mask_filled, job_reverted, job_deleted]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__ for w in WRITES])
def test_no_cached_body_is_served_after_a_write(clients, track, write):
    job = start_job(track)
    add_frames(track, range(1, 10), job=job)
    propagation_services.finish_job(job, "succeeded")  # the next job may start
    FrameAnnotation.objects.create(track=track, frame_index=10, source=Source.OUTSIDE)
    before = read(clients.alice, track)
    assert before.status_code == 200 and read(clients.alice, track)["ETag"] == before["ETag"]  # cached now
    old = frames_in(before)
    write(clients, track)
    after = read(clients.alice, track, if_none_match=before["ETag"])
    assert after.status_code == 200, "a write left the tag as it was"
    assert after["ETag"] != before["ETag"] and frames_in(after) == stored(track) != old


# -- the whole track, streamed ------------------------------------------------------------------
def test_a_wide_range_streams_the_same_json_gzipped(clients, track, monkeypatch):
    monkeypatch.setattr(frame_ranges, "STREAM_CHUNK", 4)
    add_frames(track, range(1, 30))
    whole = read(clients.alice, track, "")
    assert whole.streaming and whole["Content-Encoding"] == "gzip"
    body = gzip.decompress(b"".join(whole.streaming_content))
    assert body == JSONRenderer().render(AnnotationSerializer(selectors.annotations_of(track), many=True).data)
    window = read(clients.alice, track, "?from=0&to=29")
    assert not window.streaming and frames_in(window) == json.loads(body)
    assert read(clients.alice, track, "", if_none_match=whole["ETag"]).status_code == 304


def test_a_streamed_range_past_the_cap_links_to_the_rest(clients, track, monkeypatch):
    monkeypatch.setattr(frame_ranges, "STREAM_CHUNK", 3)
    monkeypatch.setattr(frame_ranges, "MAX_ANNOTATIONS", 10)
    add_frames(track, range(1, 25))
    response = read(clients.alice, track, "?from=0&to=100")
    assert response.streaming and [a["frame"] for a in frames_in(response)] == list(range(10))
    assert "from=10" in response["Link"] and "to=100" in response["Link"] and 'rel="next"' in response["Link"]


def test_a_frame_written_while_streaming_is_answered_not_lost(clients, track, monkeypatch):
    monkeypatch.setattr(frame_ranges, "STREAM_CHUNK", 4)
    add_frames(track, [f for f in range(1, 30) if f != 13])
    response = clients.alice.get(f"/api/tracks/{track.pk}/annotations/")  # plain: one chunk read per next()
    chunks = iter(response.streaming_content)
    head = next(chunks) + next(chunks)  # "[" and frames 0-3: the rest is not read yet
    add_frames(track, [13])
    frames = [a["frame"] for a in json.loads(head + b"".join(chunks))]
    assert frames == list(range(30))
