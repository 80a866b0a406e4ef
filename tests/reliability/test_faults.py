"""Faults against the server as deployed (gunicorn, private PostgreSQL and Redis, real workers):
each ends with a check that nothing finished was lost and nothing was duplicated.

Short clips here (make test); bench/reliability/faults.py runs the same scenarios on longer ones.
"""

import pytest

from tests.reliability import scenarios
from tests.reliability.stack import Stack, Unavailable

pytestmark = [pytest.mark.slow]
FRAMES = 60


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    try:
        with Stack(tmp_path_factory.mktemp("stack"), annotators=2) as stack:
            yield stack
    except Unavailable as exc:
        pytest.skip(f"cannot run the deployed stack here: {exc}")


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return scenarios.write_clip(tmp_path_factory.mktemp("clips"), FRAMES)


@pytest.fixture
def scene(stack, clip, request):
    scene = scenarios.Scene(stack, clip, request.node.name)
    yield scene
    scene.api.close()


def assert_nothing_lost(outcome: scenarios.Outcome, stack: Stack) -> None:
    assert outcome.ok, f"{outcome}\n{stack.logs()}"


def test_gpu_worker_killed_mid_job(scene, stack):
    assert_nothing_lost(scenarios.worker_killed(scene), stack)


def test_postgres_crash_restart_mid_job(scene, stack):
    assert_nothing_lost(scenarios.postgres_restarted(scene), stack)


def test_redis_killed_mid_job(scene, stack, clip):
    assert_nothing_lost(scenarios.redis_restarted(scene, clip), stack)


def test_web_server_restarted_during_upload(stack, tmp_path):
    big = scenarios.write_clip(tmp_path, 150, 640, 480)  # a few MB: the upload takes a while
    assert_nothing_lost(scenarios.web_restarted_during_upload(stack, big), stack)


def test_two_annotators_saving_one_frame_at_once(scene, stack):
    assert_nothing_lost(scenarios.concurrent_saves(scene, rounds=10), stack)
