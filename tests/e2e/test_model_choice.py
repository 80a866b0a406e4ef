"""A manager chooses the project's default model in the browser; workspace propagations run it or an override."""

import pytest
from django.db import close_old_connections

from annotator.models import ModelCheckpoint, PropagationJob
from annotator.services.checkpoints import register_checkpoint
from tests.e2e.conftest import screenshot
from tests.e2e.pages import propagate_and_wait, wait_for_frame

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]


def latest_job() -> PropagationJob:
    close_old_connections()
    return PropagationJob.objects.select_related("checkpoint").latest("id")


def test_a_manager_sets_the_default_model_and_a_workspace_propagation_uses_it(
    e2e_cast, new_page, worker, video_with_track
):
    video, track = video_with_track
    server_default = ModelCheckpoint.objects.get(is_default=True)
    chosen = register_checkpoint(name="starter copy", file=str(worker.checkpoint), variant="light",
                                 metrics={"J&F": 0.42, "evaluated_on": {"sequences": ["camel", "cows"]}})
    carol = new_page(e2e_cast.carol, f"/projects/{e2e_cast.project.pk}/")
    carol.click("a:has-text('Model:')")
    row = carol.locator(f"tr[data-checkpoint='{chosen.pk}']")
    assert "0.420" in row.inner_text() and chosen.sha256[:16] in row.inner_text()
    assert row.locator(".measured-on").inner_text() == "on camel, cows"
    assert "manage.py register_checkpoint" in carol.inner_text(".register-command")
    row.locator("button.make-default").click()
    row.locator(".badge").wait_for()
    assert "this project's choice" in carol.inner_text(".current-model")
    screenshot(carol, "models-project-default")
    e2e_cast.project.refresh_from_db()
    assert e2e_cast.project.default_checkpoint == chosen

    carol.goto(f"/videos/{video.pk}/?track={track.pk}&frame=0")
    wait_for_frame(carol, 0)
    propagate_and_wait(carol)
    assert latest_job().checkpoint == chosen

    # the panel overrides the model and the precision for the next job
    carol.wait_for_selector(f"select.propagate-model option[value='{server_default.pk}']", state="attached")
    carol.focus("select.propagate-model")
    carol.keyboard.press("ArrowDown")  # the first listed: the server's default
    carol.focus("select.propagate-precision")
    carol.keyboard.press("End")  # fast
    propagate_and_wait(carol)
    job = latest_job()
    assert (job.checkpoint, job.precision) == (server_default, "fast")
    screenshot(carol, "workspace-model-override")
    assert not carol.js_errors, carol.js_errors
