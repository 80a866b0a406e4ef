"""The settings page's Model panel: the last fine-tune's old-vs-new table and decision, and switching back."""

import pytest
from django.db import close_old_connections

from annotator.models import FineTuneRun
from annotator.services.checkpoints import register_checkpoint, set_project_checkpoint
from annotator.services.finetune import finish_finetune
from tests.e2e.conftest import ROOT, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

WEIGHTS = ROOT / "weights" / "starter.pth"
OLD = {"J": 0.612, "F": 0.655, "JF": 0.634, "quality_auc": 0.71, "score_auc": 0.66, "n_sequences": 2, "n_frames": 130}
NEW = {"J": 0.702, "F": 0.641, "JF": 0.672, "quality_auc": 0.74, "score_auc": 0.69, "n_sequences": 2, "n_frames": 130}


@pytest.fixture
def promoted_finetune(e2e_cast):
    """Project P uses a base model, then a finished fine-tune of it promoted through the service (no worker)."""
    if not WEIGHTS.is_file():
        pytest.skip(f"no weights at {WEIGHTS}")
    base = register_checkpoint(name="starter base", file=str(WEIGHTS), variant="light")
    set_project_checkpoint(project=e2e_cast.project, checkpoint=base)
    run = FineTuneRun.objects.create(project=e2e_cast.project, parent_checkpoint=base, status="evaluating",
                                     steps_done=40, steps_total=40, loss=0.4321, train_videos=[1, 2, 3],
                                     heldout_videos=[4, 5], frames=96)
    run = finish_finetune(run=run, file=str(WEIGHTS), evaluation={"old": OLD, "new": NEW},
                          lineage={"steps": 40, "frames": 96, "train_videos": [1, 2, 3], "heldout_videos": [4, 5]},
                          promote=True, reason="J&F +0.038 beats the +0.010 margin")
    return base, run


def test_a_manager_sees_the_promoted_finetune_and_switches_back_to_its_parent(e2e_cast, new_page, promoted_finetune):
    base, run = promoted_finetune
    child = run.checkpoint
    carol = new_page(e2e_cast.carol, f"/projects/{e2e_cast.project.pk}/settings/")
    panel = carol.locator(f"section.model-panel[data-checkpoint='{child.pk}']")
    panel.wait_for()
    assert f"{child.name} (light), this project's model" in panel.locator(".model-in-use").inner_text()
    assert panel.locator(".lineage li").all_inner_texts()[1].startswith(f"{base.name} ·")
    assert "40 steps · 96 trusted frames · 3 training videos" in panel.locator(".lineage li").first.inner_text()

    # the old-vs-new table on the held-out videos, and the decision with its reason
    jf = panel.locator("table.finetune-comparison tr[data-metric='J&F']")
    assert [jf.locator(c).inner_text() for c in ("td.old", "td.new", "td.change")] == ["0.634", "0.672", "+0.038"]
    assert panel.locator("tr[data-metric='F (boundary)'] td.change.worse").inner_text() == "-0.014"
    assert "2 held-out videos, 130 frames" in panel.locator("table.finetune-comparison caption").inner_text()
    decision = panel.locator(".finetune-run[data-decision='promoted'] .decision")
    assert decision.inner_text() == (f"Promoted: {child.name} is now the project's model: "
                                     "J&F +0.038 beats the +0.010 margin")
    panel.scroll_into_view_if_needed()
    screenshot(carol, "settings-model-panel")

    # one click back to the parent; the API now reports it
    carol.click(f"button.switch-back:has-text('Switch back to {base.name}')")
    carol.locator(f"section.model-panel[data-checkpoint='{base.pk}'][data-source='project']").wait_for()
    answer = carol.request.get(f"/api/projects/{e2e_cast.project.pk}/model/").json()
    assert answer["checkpoint"]["id"] == base.pk and answer["source"] == "project"
    close_old_connections()
    e2e_cast.project.refresh_from_db()
    assert e2e_cast.project.default_checkpoint_id == base.pk

    # the automatic trigger: a bad count is refused in words, a good one is saved
    every = carol.locator("form.finetune-every-form")
    every.locator("input.finetune-every").fill("-2")
    every.locator("button[type=submit]").click()
    every.locator(".form-error").filter(has_text="a whole number of at least 0").wait_for()
    every.locator("input.finetune-every").fill("5")
    every.locator("button[type=submit]").click()
    carol.locator(".every-text").filter(has_text="after every 5 newly accepted tracks").wait_for()
    close_old_connections()
    e2e_cast.project.refresh_from_db()
    assert e2e_cast.project.finetune_every_accepted == 5

    # the Models page says where the fine-tune's J&F comes from: not the DAVIS sequences of a built-in score
    carol.goto(f"/projects/{e2e_cast.project.pk}/models/")
    cell = carol.locator(f"tr[data-checkpoint='{child.pk}'] td.jf")
    cell.wait_for()
    assert cell.inner_text().split("\n") == ["0.672", "on 2 held-out project videos; parent 0.634"]
    assert not carol.js_errors, carol.js_errors


def test_a_running_finetune_shows_live_progress_and_the_manager_cancels_it(e2e_cast, new_page):
    if not WEIGHTS.is_file():
        pytest.skip(f"no weights at {WEIGHTS}")
    base = register_checkpoint(name="starter base", file=str(WEIGHTS), variant="light")
    set_project_checkpoint(project=e2e_cast.project, checkpoint=base)
    run = FineTuneRun.objects.create(project=e2e_cast.project, parent_checkpoint=base, status="running",
                                     steps_done=10, steps_total=40, loss=0.5, seconds_left=95,
                                     train_videos=[1, 2], heldout_videos=[3], frames=50)
    carol = new_page(e2e_cast.carol, f"/projects/{e2e_cast.project.pk}/settings/")
    progress = carol.locator(".finetune-run[data-status='running'] .finetune-progress .progress-text")
    progress.filter(has_text="step 10 of 40 · loss 0.5000 · about 2 min left").wait_for()
    # no accepted tracks and one running: the start button says why it is off
    assert carol.locator("button.start-finetune").is_disabled()
    assert carol.locator(".cannot-finetune").inner_text() != ""

    # the worker's next step reaches the page without a reload
    FineTuneRun.objects.filter(pk=run.pk).update(steps_done=30, loss=0.25, seconds_left=20)
    progress.filter(has_text="step 30 of 40 · loss 0.2500 · about 20 s left").wait_for()
    carol.click("button.cancel-finetune")
    progress.filter(has_text="cancelling…").wait_for()
    close_old_connections()
    run.refresh_from_db()
    assert run.cancel_requested and run.status == "running"  # it stops after its current step
    # the worker ends it: the panel reads the model again and says so
    FineTuneRun.objects.filter(pk=run.pk).update(status="cancelled")
    carol.locator(".finetune-run[data-status='cancelled'] .decision").filter(has_text="Cancelled before it finished").wait_for()
    assert carol.locator(".finetune-progress").count() == 0
    assert not carol.js_errors, carol.js_errors


def test_an_annotator_sees_the_model_panel_read_only(e2e_cast, new_page, promoted_finetune):
    _, run = promoted_finetune
    alice = new_page(e2e_cast.alice, f"/projects/{e2e_cast.project.pk}/settings/")
    panel = alice.locator(f"section.model-panel[data-checkpoint='{run.checkpoint.pk}']")
    panel.wait_for()
    assert panel.locator("table.finetune-comparison tr[data-metric='J (region)'] td.change").inner_text() == "+0.090"
    assert panel.locator("button").count() == 0 and panel.locator("input").count() == 0
    assert "Automatic fine-tuning is off." in panel.locator(".every-text").inner_text()
    assert not alice.js_errors, alice.js_errors
