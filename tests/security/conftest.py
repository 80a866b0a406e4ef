"""The security suite plays the annotator suite's cast: alice (annotator in P), bob (reviewer in P),
carol (manager in P), mallory (only in Q). Re-exported, not copied, so both suites share one cast."""

from tests.annotator.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    cast,
    client_for,
    clients,
    make_user,
    media_root,
    ready_video,
    track,
)
