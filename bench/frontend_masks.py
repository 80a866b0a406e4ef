"""Benchmark: decode and draw 10 masks of a 1080p frame in Chromium, through the real Canvas facade.

    .venv/bin/python bench/frontend_masks.py        # prints JSON: median / p95 / max ms per frame

Bundles frontend/bench/masks.browser.ts with the esbuild that Vite installs, opens it in Debian's
Chromium (software rendering, --disable-gpu) at 1280x720, and reads window.benchResult. The budget
is one animation frame (16 ms). The Node-only part (decode + overlay) is `make -C frontend bench`.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGE = """<!doctype html><html><body style="margin:0">
<div id="host" style="position:relative;width:1280px;height:720px"></div></body></html>"""


def bundle(out: Path) -> str:
    esbuild = FRONTEND / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        sys.exit("frontend/node_modules is missing: run `make -C frontend build` first")
    subprocess.run([str(esbuild), "bench/masks.browser.ts", "--bundle", "--format=iife", f"--outfile={out}",
                    "--log-level=warning"], cwd=FRONTEND, check=True)
    return out.read_text()


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        script = bundle(Path(tmp) / "bench.js")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_content(PAGE)
        page.add_script_tag(content=script)
        page.wait_for_function("() => window.benchResult", timeout=120_000)
        result = page.evaluate("() => window.benchResult")
        result["browser"] = browser.version
        browser.close()
    print(json.dumps(result, indent=2))
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
