"""Annotations carry the model's confidence in the mask (`quality`); hand-made frames carry none."""

import pytest

from annotator.choices import Source
from annotator.models import FrameAnnotation


def annotations(client, track) -> dict[int, dict]:
    return {a["frame"]: a for a in client.get(f"/api/tracks/{track.pk}/annotations/").json()}


@pytest.mark.django_db
def test_annotations_return_the_quality_and_null_without_a_quality_head(clients, track):
    FrameAnnotation.objects.create(track=track, frame_index=1, source=Source.PROPAGATED, score=0.97, quality=0.71,
                                   area=900, bbox=[1, 1, 5, 5])
    FrameAnnotation.objects.create(track=track, frame_index=2, source=Source.PROPAGATED, score=0.95, area=900,
                                   bbox=[1, 1, 5, 5])
    frames = annotations(clients.bob, track)
    assert (frames[1]["score"], frames[1]["quality"]) == (pytest.approx(0.97), pytest.approx(0.71))
    assert (frames[2]["score"], frames[2]["quality"]) == (pytest.approx(0.95), None)
    assert (frames[0]["source"], frames[0]["quality"]) == ("manual_box", None)


@pytest.mark.django_db
def test_a_manual_edit_drops_the_predicted_quality(clients, track):
    FrameAnnotation.objects.create(track=track, frame_index=3, source=Source.PROPAGATED, score=0.9, quality=0.4,
                                   area=900, bbox=[1, 1, 5, 5])
    saved = clients.alice.put(f"/api/tracks/{track.pk}/annotations/3/", {"version": 1, "box": [10, 10, 20, 20]},
                              format="json")
    assert saved.status_code == 200, saved.json()
    assert (saved.json()["score"], saved.json()["quality"]) == (None, None)
    assert FrameAnnotation.objects.get(track=track, frame_index=3).quality is None


@pytest.mark.django_db
def test_the_schema_types_quality_as_a_nullable_number(client):
    schema = client.get("/api/schema/?format=json").json()
    quality = schema["components"]["schemas"]["Annotation"]["properties"]["quality"]
    assert (quality["type"], quality.get("nullable"), quality.get("readOnly")) == ("number", True, True)
