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
    native = []  # the browser's own confirm must never open
    carol.on("dialog", lambda d: (native.append(d.type), d.dismiss()))
    # Delete asks first, in the page, naming the label; Cancel keeps it
    carol.locator("tr[data-label]:has(input[value='cyclist']) button.delete-label").click()
    carol.wait_for_selector("dialog.dialog[open]:has-text('cyclist')")
    carol.click("dialog.dialog[open] button.dialog-cancel")
    carol.wait_for_selector("dialog.dialog", state="detached")
    close_old_connections()
    assert Label.objects.filter(project=project, name="cyclist").exists()
    carol.locator("tr[data-label]:has(input[value='cyclist']) button.delete-label").click()
    carol.click("dialog.dialog[open] button[type=submit]:has-text('Delete label')")
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

    # removing herself, the only manager: the page says why and sends nothing
    deletes = []
    carol.on("request", lambda r: r.method == "DELETE" and deletes.append(r.url))
    carol.locator("tr[data-member='carol'] button.remove-member").click()
    carol.locator("#toast.show:has-text('only manager')").wait_for()
    assert carol.locator("dialog.dialog[open]").count() == 0 and not deletes, deletes
    close_old_connections()
    assert Membership.objects.get(project=project, user=e2e_cast.carol).role == "manager"

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

    alice_row.locator("button.remove-member").click()  # asks first, naming her
    carol.wait_for_selector("dialog.dialog[open]:has-text('Remove alice?')")
    screenshot(carol, "project-setup-remove-dialog")
    carol.click("dialog.dialog[open] button[type=submit]")
    alice_row.wait_for(state="detached")
    assert not native, native
    close_old_connections()
    assert not Membership.objects.filter(project=project, user=e2e_cast.alice).exists()
    assert "Street scenes 2026" not in project_names(alice)
    screenshot(alice, "project-setup-removed")
    assert not carol.js_errors and not alice.js_errors, (carol.js_errors, alice.js_errors)


def test_double_clicks_send_one_request_and_long_names_stay_on_screen(e2e_cast, new_page):
    """QA items 1 and 2: a double click creates one project and one label; a 200-character name and a
    328-character description without spaces wrap instead of pushing the rows' Delete buttons off the page."""
    from annotator.services.projects import create_project

    carol = new_page(e2e_cast.carol, "/projects/")
    type_into(carol, "section.new-project input[name=name]", "Harbour")
    carol.dblclick("section.new-project button[type=submit]")
    carol.wait_for_url("**/settings/")
    carol.locator("h1:has-text('Harbour')").wait_for()
    carol.wait_for_timeout(500)  # a second POST, if any, has landed by now
    close_old_connections()
    assert Project.objects.filter(name="Harbour").count() == 1
    project = Project.objects.get(name="Harbour")

    carol.locator("form.add-label input[type=color]").fill("#00aa00")
    type_into(carol, "form.add-label input[name=label-name]", "dup")
    carol.dblclick("form.add-label button[type=submit]")
    carol.locator("table.labels input.label-name[value='dup']").wait_for()
    carol.wait_for_timeout(500)
    assert carol.locator("form.add-label .form-error").inner_text() == ""  # no false "already exists"
    close_old_connections()
    assert Label.objects.filter(project=project, name="dup").count() == 1

    long_name = "<b>" + "L" * 197  # the longest name the server takes, without a space
    create_project(name=long_name, by=e2e_cast.carol, description="D" * 328)
    carol.goto("/projects/")
    carol.locator("table.projects").wait_for()
    width = carol.viewport_size["width"]
    assert carol.locator("table.projects").bounding_box()["width"] <= width
    for button in carol.locator("button.delete-project").all():
        box = button.bounding_box()
        assert box["x"] + box["width"] <= width, box
    link = carol.locator(f"table.projects a[title='{long_name}']")
    assert link.inner_text() == long_name  # the whole name, wrapped, and on hover
    screenshot(carol, "projects-long-name")
    carol.locator(f"table.projects a[title='{long_name}']").click()
    heading = carol.locator("h1", has_text="LLLL")
    heading.wait_for()
    assert heading.bounding_box()["width"] <= width
    assert not carol.js_errors, carol.js_errors
