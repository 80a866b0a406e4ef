"""Copy one screenshot per browser flow from test-artifacts/ into docs/images/flows/ (docs/frontend.md).

The e2e suite writes full-size PNGs (about 640 KB each); the docs keep 960-pixel-wide JPEGs so the
repository stays small. Run after the e2e tests (`make test` or `pytest tests/e2e`):

    .venv/bin/python scripts/flow_screenshots.py

It fails, naming them, when a listed screenshot is missing, so the docs never show a stale flow
silently: the list below is the table in docs/frontend.md ("Flows, one screenshot each").
"""

import sys
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
TARGET = ROOT / "docs" / "images" / "flows"
WIDTH = 960
QUALITY = 80

# screenshot name -> the flow it shows (the test that takes it is named in docs/frontend.md)
FLOWS = {
    "workflow-1-project-setup": "empty install to COCO export: project, label, member",
    "workflow-2-uploaded": "empty install to COCO export: clip uploaded and extracted",
    "workflow-3-propagated": "empty install to COCO export: one box propagated",
    "workflow-4-scribble": "empty install to COCO export: scribble correction",
    "workflow-5-outside": "empty install to COCO export: frames marked outside",
    "workflow-6-accepted": "empty install to COCO export: accepted",
    "workflow-7-exported": "empty install to COCO export: export ready to download",
    "project-setup-settings": "project setup: labels and members",
    "upload-refused": "upload feedback: a refused zip",
    "workspace-brushed": "brush correction",
    "review-accepted": "review: accepted",
    "workspace-target-lost": "lost target named and marked",
    "workspace-conflict": "stale edit banner",
    "workspace-toast": "notices clear of the controls",
    "export-coco-done": "export and download",
    "import-refused": "import refused, with reasons",
    "models-project-default": "model choice: project default",
    "workspace-model-override": "model choice: per-propagation override",
    "delete-range-dialog": "delete a frame range",
    "track-merged": "merge and split tracks",
    "project-deleted": "delete a project",
    "track-colours": "per-track colours",
    "track-locked": "hide and lock tracks",
    "outside-frames": "outside frames",
    "workspace-scribble-refine": "scribble (GrabCut) refine",
    "workspace-polygon-edit": "polygon editing",
}


def main() -> int:
    missing = [name for name in FLOWS if not (ARTIFACTS / f"{name}.png").is_file()]
    if missing:
        print(f"missing in {ARTIFACTS}: {', '.join(missing)} (run the e2e tests first)", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in FLOWS:
        image = cv2.imread(str(ARTIFACTS / f"{name}.png"), cv2.IMREAD_COLOR)
        height = round(image.shape[0] * WIDTH / image.shape[1])
        small = cv2.resize(image, (WIDTH, height), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(TARGET / f"{name}.jpg"), small, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
    print(f"{len(FLOWS)} screenshots written to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
