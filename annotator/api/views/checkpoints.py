"""The registered model checkpoints, for choosing a project's default model and a job's weights.

Registering a file stays a command (`manage.py register_checkpoint`): it hashes and checks a file
on the server's disk, which a browser upload would not make safer or simpler.
"""

from rest_framework import generics

from annotator import selectors
from annotator.api.serializers import CheckpointSerializer


class CheckpointListView(generics.ListAPIView):
    """Every registered checkpoint, the server's default first. Any signed-in user."""

    serializer_class = CheckpointSerializer

    def get_queryset(self):
        return selectors.checkpoints_listed()
