"""A manager sets up a project in the browser: creates it, adds labels, invites a member and changes their role."""

import pytest
from django.db import close_old_connections

from annotator.models import Label, Membership, Project
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def type_into(page, selector: str, text: str) -> None:
    """Click a text field, clear it and type, as a person would."""
    page.click(selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def add_label(page, name: str, colour: str) -> None:
    # a native colour dialog cannot be driven; Playwright's fill sets the value and fires input/change
    page.locator("form.add-label input[type=color]").fill(colour)
    type_into(page, "form.add-label input[name=label-name]", name)
    page.keyboard.press("Enter")
    page.locator(f"table.labels input.label-name[value='{name}']").wait_for()


def project_names(page) -> list[str]:
    page.goto("/projects/")
    page.locator("h1:has-text('Projects')").wait_for()
    return page.locator("table.projects td:first-child").all_inner_texts()


def test_a_manager_sets_up_a_project_and_its_members_see_it_accordingly(e2e_cast, new_page):
    carol = new_page(e2e_cast.carol, "/projects/")
    type_into(carol, "section.new-project input[name=name]", "Street scenes")
    carol.click("section.new-project button[type=submit]")
    carol.wait_for_url("**/settings/")
    close_old_connections()
    project = Project.objects.get(name="Street scenes")
    assert Membership.objects.get(project=project, user=e2e_cast.carol).role == "manager"
    # the manager sees the media storage line (docs/operations.md, "Disk")
    carol.locator("p.storage-line:has-text('used (all projects')").wait_for()

    # rename it
    type_into(carol, "form.rename-project input[name=name]", "Street scenes 2026")
    carol.keyboard.press("Enter")
    carol.locator("h1:has-text('Street scenes 2026')").wait_for()

    add_label(carol, "car", "#ff0000")
    add_label(carol, "cyclist", "#0000ff")
    close_old_connections()
    assert list(Label.objects.filter(project=project).values_list("name", "colour")) == [
        ("car", "#ff0000"), ("cyclist", "#0000ff")]
    # a label taken twice: the server's words under the form
    add_form_error = carol.locator("form.add-label .form-error")
    carol.locator("form.add-label input[type=color]").fill("#00ff00")
    type_into(carol, "form.add-label input[name=label-name]", "car")
    carol.keyboard.press("Enter")
    add_form_error.filter(has_text="already exists").wait_for()

    # recolour a label in its row; delete an unused one
    carol.locator("tr[data-label] input.label-colour").first.fill("#123456")
    carol.locator("#toast:has-text('label saved')").wait_for()
    carol.locator("tr[data-label]:has(input[value='cyclist']) button.delete-label").click()
    carol.locator("input.label-name[value='cyclist']").wait_for(state="detached")
    close_old_connections()
    assert list(Label.objects.filter(project=project).values_list("name", "colour")) == [("car", "#123456")]
    add_label(carol, "cyclist", "#0000ff")

    # an unknown name: the server's clear error; then alice as annotator
    invite_error = carol.locator(".invite-error")
    type_into(carol, "form.invite-member input[name=username]", "ghost")
    carol.keyboard.press("Enter")
    invite_error.filter(has_text="no user named 'ghost'").wait_for()
    type_into(carol, "form.invite-member input[name=username]", "alice")
    carol.keyboard.press("Enter")
    alice_row = carol.locator("tr[data-member='alice']")
    alice_row.wait_for()
    assert alice_row.locator("select.member-role").input_value() == "annotator"
    screenshot(carol, "project-setup-settings")

    alice = new_page(e2e_cast.alice, "/projects/")
    assert "Street scenes 2026" in project_names(alice)
    alice.locator(f"tr[data-project='{project.pk}'] td:nth-child(2):has-text('annotator')").wait_for()

    # annotator -> reviewer, with the keyboard on the role select
    alice_row.locator("select.member-role").focus()
    carol.keyboard.press("ArrowDown")
    carol.locator("#toast:has-text('alice is now reviewer')").wait_for()
    close_old_connections()
    assert Membership.objects.get(project=project, user=e2e_cast.alice).role == "reviewer"
    project_names(alice)
    alice.locator(f"tr[data-project='{project.pk}'] td:nth-child(2):has-text('reviewer')").wait_for()
    screenshot(alice, "project-setup-member-view")
    # a reviewer sees the setup read-only
    alice.goto(f"/projects/{project.pk}/settings/")
    alice.locator("table.labels tr[data-label]").first.wait_for()
    assert alice.locator("form.add-label, form.invite-member, select.member-role, p.storage-line").count() == 0

    alice_row.locator("button.remove-member").click()
    alice_row.wait_for(state="detached")
    close_old_connections()
    assert not Membership.objects.filter(project=project, user=e2e_cast.alice).exists()
    assert "Street scenes 2026" not in project_names(alice)
    screenshot(alice, "project-setup-removed")
    assert not carol.js_errors and not alice.js_errors, (carol.js_errors, alice.js_errors)
