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
"""

from datetime import timedelta

from django.utils import timezone

from rest_framework import serializers
from rest_framework.response import Response

from annotator import selectors
from annotator.api.serializers import AnnotationSerializer, FrameWindowSerializer
from annotator.api.views.base import validated

MAX_ANNOTATIONS = 1000
CURSOR_MARGIN = timedelta(seconds=30)


class ChangedSinceSerializer(serializers.Serializer):
    changed_since = serializers.DateTimeField(required=False, help_text="a `cursor` from the summary: only frames "
                                                                        "written since then")


def annotation_range_response(request, track) -> Response:
    """Answer the annotations of frames `?from=`..`?to=` (inclusive), at most MAX_ANNOTATIONS, with a next link."""
    window = validated(FrameWindowSerializer, request.query_params)
    rows = selectors.annotations_of(track).filter(frame_index__gte=window["from"], frame_index__lte=window["to"])
    since = validated(ChangedSinceSerializer, request.query_params).get("changed_since")
    if since is not None:
        rows = rows.filter(updated_at__gt=since)
    rows = list(rows[:MAX_ANNOTATIONS + 1])
    response = Response(AnnotationSerializer(rows[:MAX_ANNOTATIONS], many=True).data)
    if len(rows) > MAX_ANNOTATIONS:
        query = request.query_params.copy()
        query["from"] = str(rows[MAX_ANNOTATIONS].frame_index)
        query["to"] = str(window["to"])
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
    return response


class TrackSummarySerializer(serializers.Serializer):
    """One entry per annotated frame, as parallel arrays in frame order (about 20 bytes a frame)."""

    frame = serializers.ListField(child=serializers.IntegerField(), help_text="0-based frame indices, ascending")
    source = serializers.ListField(child=serializers.CharField(), help_text="each frame's source")
    score = serializers.ListField(child=serializers.FloatField(allow_null=True), help_text="tracker score or null")
    quality = serializers.ListField(child=serializers.FloatField(allow_null=True),
                                    help_text="predicted IoU or null (models without a quality head)")
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
