"""The upload form's line and bar say what became of the file: refused, failed or ready (a real worker extracts)."""

import pytest

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def upload(e2e_cast, new_page, celery_worker_process, tmp_path):
    """Upload a file of these bytes through the project page's form, as alice; return the page."""
    def send(name: str, content: bytes):
        page = new_page(e2e_cast.alice, f"/projects/{e2e_cast.project.pk}/")
        (tmp_path / name).write_bytes(content)
        page.set_input_files("form.upload input[type=file]", str(tmp_path / name))
        page.click("form.upload button[type=submit]")
        return page
    return send


def test_a_refused_zip_leaves_no_full_progress_bar(upload):
    page = upload("frames.zip", b"this is no zip file" * 100)
    page.wait_for_selector(".upload-message.error:has-text('not a valid zip')")
    assert page.locator("form.upload .progress").is_hidden()
    screenshot(page, "upload-refused")
    assert not page.js_errors, page.js_errors


def test_a_clip_that_fails_extraction_is_reported_as_failed(upload):
    page = upload("broken.avi", b"\x00not a video\x00" * 500)
    page.wait_for_selector("tr[data-status='failed']", timeout=60_000)
    message = page.locator(".upload-message")
    message.filter(has_text="could not be read").wait_for()
    assert "extracting" not in message.inner_text()
    assert "error" in message.get_attribute("class")
    assert page.locator("form.upload .progress").is_hidden()
    assert not page.js_errors, page.js_errors
