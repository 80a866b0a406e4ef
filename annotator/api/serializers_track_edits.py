"""Requests and answers of merging and splitting tracks (annotator/services/track_merge.py)."""

from rest_framework import serializers

from annotator.api.serializers import TrackSerializer, VersionSerializer


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
