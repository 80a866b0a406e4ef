import pytest

from tests.annotator.labelled import label_video


@pytest.fixture
def labelled(cast, ready_video):
    """The clip of project P with the three tracks of tests.annotator.labelled."""
    label_video(ready_video, by=cast.alice)
    return ready_video
