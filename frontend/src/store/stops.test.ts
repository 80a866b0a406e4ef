import { describe, expect, it } from "vitest";
import type { Job } from "../api/client";
import { LostTargets, lostTargets, lostText } from "./stops";

const job = (id: number, tracks: number[], stop_reasons: Job["stop_reasons"] = {}, status = "succeeded"): Job => ({
  id, video: 1, tracks, start_frame: 0, direction: "both", status, progress: 0.3, frames_done: 3, frames_total: 10,
  fps: null, seconds_left: null, attempts: 1, error: "", cancel_requested: false, checkpoint: null,
  checkpoint_sha256: "", model: null, stop_reasons, batch: null, created_at: "", started_at: null, finished_at: null,
} as Job);

const lostAt = (frame: number, measure: "area" | "quality" | "score" = "score", value = 0.41, threshold = 0.5) =>
  ({ reason: "target lost", frame, measure, value, threshold, score: 0.41, quality: null });

describe("lost-target stops", () => {
  it("reads every lost track of a job, forward and backward, and skips edit stops", () => {
    const stops = lostTargets(job(4, [7, 8], {
      "1": { 8: lostAt(30), 7: { reason: "manual frame made during the job", frame: 12, quality: null } },
      "-1": { 8: lostAt(2) },
    }));
    expect(stops.map((s) => [s.trackId, s.direction, s.frame])).toEqual([[8, "backward", 2], [8, "forward", 30]]);
  });

  it("says what was low", () => {
    const [score] = lostTargets(job(1, [1], { "1": { 1: lostAt(17) } }));
    expect(lostText(score)).toBe("target lost at frame 17 (score 0.41 under 0.50)");
    const [quality] = lostTargets(job(1, [1], { "1": { 1: lostAt(5, "quality", 0.123, 0.3) } }));
    expect(lostText(quality)).toBe("target lost at frame 5 (quality 0.12 under 0.30)");
    const [empty] = lostTargets(job(1, [1], { "1": { 1: lostAt(9, "area", 0, 1) } }));
    expect(lostText(empty)).toBe("target lost at frame 9 (empty mask)");
    const [old] = lostTargets(job(1, [1], { "1": { 1: { reason: "target lost", frame: 3 } } }));
    expect(lostText(old)).toBe("target lost at frame 3");
  });

  it("keeps the newest job's word per track, whatever order jobs arrive in", () => {
    const lost = new LostTargets();
    const none = () => false;
    lost.record(job(5, [1], {}, "running")); // re-propagating after the re-anchor
    lost.record(job(3, [1, 2], { "1": { 1: lostAt(17), 2: lostAt(20) } }));
    expect(lost.pending(none).map((s) => [s.trackId, s.frame])).toEqual([[2, 20]]);
    lost.record(job(6, [2], { "1": {} }));
    expect(lost.pending(none)).toEqual([]);
  });

  it("drops a stop once its frame is re-anchored by hand", () => {
    const lost = new LostTargets();
    lost.record(job(3, [1], { "1": { 1: lostAt(17) } }));
    expect(lost.pending(() => false)).toHaveLength(1);
    expect(lost.pending((track, frame) => track === 1 && frame === 17)).toEqual([]);
  });
});
