"""The browser's HTTP cache keeps the workspace's annotation windows and revalidates them (ETag, 304).

No page code sends If-None-Match: `Cache-Control: private, no-cache` and the ETag of
annotator/api/response_cache.py make Chromium do it for the workspace's fetches.
"""

import pytest

from annotator.choices import Source
from annotator.models import FrameAnnotation, Track
from annotator.services import outside as outside_services
from tests.conftest import wait_for
from tests.e2e.pages import frames_in_workspace, wait_for_frame

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def window_reads(page) -> list:
    """Collect the annotation-window responses the page gets from now on."""
    seen = []
    page.on("response", lambda r: seen.append(r) if "/annotations/?" in r.url else None)
    return seen


def held(page, track, frame: int, source: str) -> None:
    wait_for_frame(page, frame)
    wait_for(lambda: frames_in_workspace(page, track.pk).get(frame, ("",))[0] == source, 10,
             f"the workspace to hold frame {frame} as {source}")


def test_a_reload_revalidates_the_windows_and_a_write_is_seen(e2e_cast, new_page, video_with_track):
    video, track = video_with_track
    FrameAnnotation.objects.bulk_create([FrameAnnotation(track=track, frame_index=f, source=Source.PROPAGATED,
                                                         bbox=[10, 10, 20, 20]) for f in range(1, 7)])
    page = new_page(e2e_cast.alice, f"/videos/{video.pk}/?track={track.pk}&frame=3")
    held(page, track, 3, "propagated")
    first = window_reads(page)
    page.reload()
    held(page, track, 3, "propagated")
    assert first, "the reload read no annotation window"
    sent = first[0].request.all_headers()  # what went on the wire, the cache's header included
    assert sent.get("if-none-match") == first[0].all_headers()["etag"], sent

    outside_services.mark_outside(track=track, version=Track.objects.get(pk=track.pk).version, first=3, last=3)
    second = window_reads(page)
    page.reload()
    held(page, track, 3, "outside")  # the new frame, not the kept body
    assert second and second[0].all_headers()["etag"] != first[0].all_headers()["etag"]
