"""Reads of a track's frames for the workspace: a frame range of full annotations, and a light summary.

    GET /api/tracks/7/annotations/?from=500&to=999   -> [annotation, ...]  (at most MAX_ANNOTATIONS rows)
    GET /api/tracks/7/summary/?from=0&to=19999       -> {"frame": [...], "source": [...], ..., "cursor": "..."}
    GET /api/tracks/7/annotations/?from=500&to=999&changed_since=<cursor>   -> only frames written since

A range that holds more than MAX_ANNOTATIONS frames answers the first MAX_ANNOTATIONS and a
`Link: <...?from=F&to=T>; rel="next"` header (RFC 8288) for the rest, so one response stays bounded
while a client that asked for a small range (the workspace asks for 500 frames) gets a plain list.

The cursor is a time CURSOR_MARGIN before the summary was read: a row's `updated_at` is set before
its transaction commits, so a write that committed just after the read may carry an earlier time.
Reading a few frames twice is harmless; missing one is not. Deleted frames are not in a delta: they
are the frames of a range missing from a fresh summary of it.

An annotations answer's ETag digests each answered row's frame, job and `updated_at`: every write
sets `updated_at` or adds or removes rows, so it changes the tag, and a repeated read of unchanged
frames is a 304 or a cached body (annotator/api/response_cache.py, docs/api.md).
"""

from datetime import timedelta

from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from annotator import selectors
from annotator.api import response_cache
from annotator.api.serializers import AnnotationSerializer, FrameWindowSerializer
from annotator.api.views.base import validated

MAX_ANNOTATIONS = 1000
CURSOR_MARGIN = timedelta(seconds=30)
STREAM_CHUNK = 250  # rows serialized at a time when a wide range is streamed (about 0.6 MB of 1080p masks)
ANSWER_FIELDS = ",".join(AnnotationSerializer.Meta.fields)  # in the ETag: a new field is a new answer


class ChangedSinceSerializer(serializers.Serializer):
    changed_since = serializers.DateTimeField(required=False, help_text="a `cursor` from the summary: only frames "
                                                                        "written since then")


def annotation_range_response(request, track) -> HttpResponseBase:
    """Answer the annotations of frames `?from=`..`?to=` (inclusive), at most MAX_ANNOTATIONS, with a next link.

    A 304 when the client's If-None-Match still names them; a window of the workspace's size from
    the response cache (annotator/api/response_cache.py); a wider range of many rows streamed.
    """
    window = validated(FrameWindowSerializer, request.query_params)
    rows = selectors.annotations_of(track).filter(frame_index__gte=window["from"], frame_index__lte=window["to"])
    since = validated(ChangedSinceSerializer, request.query_params).get("changed_since")
    if since is not None:
        rows = rows.filter(updated_at__gt=since)
    # Read before the body, so a body is never older than its tag (a write in between makes it newer only).
    # `updated_at` as the database's text: parsing it into datetimes cost more than the rest of a cached
    # read (docs/benchmarks.md, "Small requests").
    stamps = list(rows.values_list("frame_index", "job_id", Cast("updated_at", TextField()))[:MAX_ANNOTATIONS + 1])
    etag = response_cache.etag_of("annotations", track.pk, window["from"], window["to"], since, ANSWER_FIELDS,
                                  *(f"{f},{j},{t}" for f, j, t in stamps))
    response = response_cache.not_modified(request, etag)
    if response is not None:
        return response
    frames = [f for f, _, _ in stamps[:MAX_ANNOTATIONS]]
    if window["to"] - window["from"] >= MAX_ANNOTATIONS and len(frames) > STREAM_CHUNK:
        response = response_cache.with_validators(
            StreamingHttpResponse(_streamed_rows(rows, frames), content_type="application/json"), etag)
    else:
        response = response_cache.cached_json(
            request, etag, lambda: JSONRenderer().render(AnnotationSerializer(rows[:MAX_ANNOTATIONS], many=True).data))
    if len(stamps) > MAX_ANNOTATIONS:
        query = request.query_params.copy()
        query["from"] = str(stamps[MAX_ANNOTATIONS][0])
        query["to"] = str(window["to"])
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
    return response


def _streamed_rows(rows, frames: list[int]):
    """Yield the JSON list of `rows` over `frames`, STREAM_CHUNK rows a query: the same bytes as one render."""
    yield b"["
    first = True
    for i in range(0, len(frames), STREAM_CHUNK):
        # contiguous ranges: a frame written since `frames` was read is answered too (newer, never older)
        last = frames[i + STREAM_CHUNK] - 1 if i + STREAM_CHUNK < len(frames) else frames[-1]
        chunk = rows.filter(frame_index__gte=frames[i], frame_index__lte=last)
        items = JSONRenderer().render(AnnotationSerializer(chunk, many=True).data)[1:-1]
        if items:
            yield items if first else b"," + items
            first = False
    yield b"]"


class TrackSummarySerializer(serializers.Serializer):
    """One entry per annotated frame, as parallel arrays in frame order (about 20 bytes a frame)."""

    frame = serializers.ListField(child=serializers.IntegerField(), help_text="0-based frame indices, ascending")
    source = serializers.ListField(child=serializers.CharField(), help_text="each frame's source")
    score = serializers.ListField(child=serializers.FloatField(allow_null=True), help_text="tracker score or null")
    quality = serializers.ListField(child=serializers.FloatField(allow_null=True),
                                    help_text="the mask's quality (models/tracks.py) or null (models without one)")
    area = serializers.ListField(child=serializers.IntegerField(), help_text="mask pixels")
    cursor = serializers.DateTimeField(help_text="pass as ?changed_since= to the annotations to read only the frames "
                                                 "written after this summary")


def track_summary(request, track) -> dict:
    """Return per-frame source, score, quality and area of frames `?from=`..`?to=`, without masks or boxes."""
    window = validated(FrameWindowSerializer, request.query_params)
    cursor = timezone.now() - CURSOR_MARGIN  # before the read: see the module docstring
    rows = list(selectors.annotation_summary_of(track).filter(
        frame_index__gte=window["from"], frame_index__lte=window["to"]))
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    summary = {name: list(values) for name, values in zip(("frame", "source", "score", "quality", "area"), columns,
                                                            strict=True)}
    return TrackSummarySerializer({**summary, "cursor": cursor}).data
