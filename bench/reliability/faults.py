"""Faults, the long run: each scenario of tests/reliability on a longer clip, several times.

    .venv/bin/python bench/reliability/faults.py [--frames 300] [--repeat 3] [--save-rounds 100] [--out FILE.json]

Scenarios (tests/reliability/scenarios.py): SIGKILL of the gpu worker mid-job, PostgreSQL
crash-restarted mid-job, Redis killed and restarted mid-job, gunicorn killed (and, separately,
gracefully reloaded) during an upload, two annotators saving one frame at once. Each ends by
checking that every annotation stored before the fault is still there unchanged and that no
(track, frame) has two rows. Reported per scenario: runs, frames checked, lost, duplicated, and
the recovery time (from the fault until the job or request succeeded).
"""

import argparse
import atexit
import json
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tqdm import tqdm  # noqa: E402

from bench.reliability.report import machine  # noqa: E402
from tests.reliability import scenarios  # noqa: E402
from tests.reliability.stack import Stack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--save-rounds", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # the stack's scratch folder
    clip = scenarios.write_clip(root / "clips", args.frames)
    upload_clip = scenarios.write_clip(root / "clips", 150, 640, 480)
    outcomes: list[scenarios.Outcome] = []
    with Stack(root / "stack", annotators=2) as stack:
        runs = [(f"worker-{i}", lambda s: scenarios.worker_killed(s)) for i in range(args.repeat)]
        runs += [(f"postgres-{i}", lambda s: scenarios.postgres_restarted(s)) for i in range(args.repeat)]
        runs += [(f"redis-{i}", lambda s: scenarios.redis_restarted(s, upload_clip)) for i in range(args.repeat)]
        for name, run in tqdm(runs, desc="fault runs", unit="run"):
            scene = scenarios.Scene(stack, clip, name)
            outcomes.append(run(scene))
            scene.api.close()
        for _ in tqdm(range(args.repeat), desc="web restarts", unit="run"):
            outcomes.append(scenarios.web_restarted_during_upload(stack, upload_clip))
        scene = scenarios.Scene(stack, clip, "saves")
        outcomes.append(scenarios.concurrent_saves(scene, rounds=args.save_rounds))
        scene.api.close()
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
              "clip_frames": args.frames, "scenarios": summarise(outcomes)}
    print(table(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))
    if not all(o.ok for o in outcomes):
        raise SystemExit("some fault run lost or duplicated annotations (see above)")


def summarise(outcomes: list[scenarios.Outcome]) -> dict:
    rows: dict[str, dict] = {}
    for o in outcomes:
        row = rows.setdefault(o.scenario, {"runs": 0, "checked": 0, "lost": 0, "duplicated": 0, "recovery_s": [],
                                           "notes": []})
        row["runs"] += 1
        row["checked"] += o.frames_stored
        row["lost"] += o.lost + (o.frames_expected - o.frames_stored)
        row["duplicated"] += o.duplicated
        row["recovery_s"].append(round(o.recovery_s, 1))
        row["notes"] = o.notes
    return rows


def table(result: dict) -> str:
    lines = [f"{result['date']}  {result['machine']}  clip {result['clip_frames']} frames",
             "| scenario | runs | checked | lost | duplicated | recovery s |", "|---|---|---|---|---|---|"]
    for name, r in result["scenarios"].items():
        lines.append(f"| {name} | {r['runs']} | {r['checked']} | {r['lost']} | {r['duplicated']} | "
                     f"{', '.join(map(str, r['recovery_s']))} |")
        lines.extend(f"|   {note} |" for note in r["notes"])
    return "\n".join(lines)


if __name__ == "__main__":
    main()
