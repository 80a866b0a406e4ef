"""What the concurrent-read bench's requests cost the server alone: the small request and a reader's reads.

Seeds, in the database named by DATABASE_URL (a scratch one: it adds a user, --projects projects, a
video and a track, and removes them at the end), a member of --projects projects, the first of
which (managed by the user) holds a track of --frames propagated 1080p frames (bench/annotation_window_cost.py's fill), then times,
through the Django test client (middleware included) with the bench's token header and gzip:
GET /api/projects/ (bench/read_clients.py's SMALL_PATH), a repeated 500-frame annotation window
and the track's summary (what bench/long_video.py's readers loop over). Prints each one's median
and min over --reads requests and its SQL queries per request; with --profile, cProfile of each
by time spent in each function.

    DATABASE_URL=postgres://.../scratch .venv/bin/python bench/small_request_cost.py [--reads 200] [--profile]
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.annotation_window_cost import fill  # noqa: E402  (sets Django up)

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from annotator.choices import Role  # noqa: E402
from annotator.models import Membership, Project, Track  # noqa: E402

READER = "bench-window-reader"  # fill()'s user


def timed(client: Client, url: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def queries_of(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--projects", type=int, default=5, help="projects the user is a member of")
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    project, track = fill(args.frames)
    user = get_user_model().objects.get(username=READER)
    others = [Project.objects.create(name=f"bench project {i}") for i in range(1, args.projects)]
    Membership.objects.bulk_create(Membership(project=p, user=user, role=Role.ANNOTATOR) for p in others)
    token = Token.objects.get_or_create(user=user)[0].key
    try:
        with override_settings(SECURE_SSL_REDIRECT=False, ALLOWED_HOSTS=["*"]):
            client = Client(headers={"Authorization": f"Token {token}", "Accept-Encoding": "gzip"})
            paths = {"GET /api/projects/": "/api/projects/",
                     "annotations, 500 frames": f"/api/tracks/{track.pk}/annotations/?from=0&to=499",
                     f"summary, {args.frames} frames": f"/api/tracks/{track.pk}/summary/?from=0&to={args.frames - 1}"}
            for name, url in paths.items():
                timed(client, url, 5)  # warm: connection, caches, the window's cached body
                times = timed(client, url, args.reads)
                print(f"{name}: median {statistics.median(times):.2f} ms, min {min(times):.2f} ms "
                      f"({args.reads} reads), {queries_of(client, url)} queries")
                if args.profile:
                    profiler = cProfile.Profile()
                    profiler.enable()
                    timed(client, url, args.reads)
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    finally:
        Track.objects.filter(video__project=project).delete()  # Label is protected by its tracks
        Project.objects.filter(pk__in=[project.pk, *(p.pk for p in others)]).delete()
        user.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
