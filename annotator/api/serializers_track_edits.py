"""Requests and answers of merging and splitting tracks (services/track_merge.py) and of outside frames."""

from rest_framework import serializers

from annotator.api.serializers import TrackSerializer, VersionSerializer
from annotator.choices import ReviewStatus


class MergeSerializer(VersionSerializer):
    other = serializers.IntegerField(help_text="The track merged in (and then deleted): another track of the video.")
    other_version = serializers.IntegerField(help_text="The version of `other` you last saw.")


class MergedSerializer(serializers.Serializer):
    track = TrackSerializer(help_text="The track that was kept, with its new version.")
    moved = serializers.IntegerField(help_text="Frames that came from the other track.")
    dropped = serializers.IntegerField(help_text="Frames of the other track where the kept track had one (dropped).")


class SplitSerializer(VersionSerializer):
    frame = serializers.IntegerField(min_value=0, help_text="The first frame of the new track.")


class SplitResultSerializer(serializers.Serializer):
    track = TrackSerializer(help_text="The track, now ending before `frame`.")
    new_track = TrackSerializer(help_text="The new track (same label): the frames from `frame` on.")


class StrokeSerializer(serializers.Serializer):
    foreground = serializers.BooleanField(help_text="true: object pixels; false: background pixels.")
    radius = serializers.FloatField(min_value=0.5, max_value=100, help_text="Brush radius in image pixels.")
    points = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        min_length=1, max_length=4096, help_text="The polyline, [[x, y], ...] in 0-based image pixels.")


class RefineSerializer(serializers.Serializer):
    strokes = serializers.ListField(child=StrokeSerializer(), min_length=1, max_length=64)


class RefinedSerializer(serializers.Serializer):
    mask = serializers.JSONField(help_text="The refined mask as COCO RLE (not saved: PUT it to keep it).")
    area = serializers.IntegerField(help_text="Pixels in the refined mask (0: GrabCut found nothing).")
    window = serializers.ListField(child=serializers.IntegerField(), help_text="[x, y, w, h] where GrabCut ran.")


class OutsideResultSerializer(serializers.Serializer):
    frames = serializers.IntegerField(help_text="How many frames were marked outside (POST) or cleared (DELETE).")
    version = serializers.IntegerField(help_text="The track's version after the change.")
    review_status = serializers.ChoiceField(
        choices=ReviewStatus.choices, help_text="The track's status after the change: a reviewed track is a draft again.")
