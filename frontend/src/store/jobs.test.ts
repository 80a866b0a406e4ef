import { describe, expect, it } from "vitest";
import type { Job } from "../api/client";
import { newRanges, reachedRange } from "./jobs";

const job = (over: Partial<Job>): Job => ({
  id: 1, video: 1, tracks: [1], start_frame: 50, direction: "forward", status: "running", progress: 0,
  frames_done: 0, frames_total: 49, fps: null, seconds_left: null, error: "", cancel_requested: false,
  checkpoint: null, checkpoint_sha256: "", stop_reasons: {}, batch: null, created_at: "", started_at: null,
  finished_at: null, ...over,
} as Job);

describe("propagation progress ranges", () => {
  it("grows forward from the start frame, one chunk ahead", () => {
    expect(reachedRange(job({ frames_done: 16 }), 100)).toEqual([50, 82]);
    expect(reachedRange(job({ frames_done: 48 }), 100)).toEqual([50, 99]);
  });

  it("grows backward and both ways", () => {
    expect(reachedRange(job({ direction: "backward", frames_done: 16 }), 100)).toEqual([18, 50]);
    expect(reachedRange(job({ direction: "both", frames_done: 40 }), 100)).toEqual([0, 99]);
  });

  it("covers the whole direction once the job has ended", () => {
    expect(reachedRange(job({ status: "succeeded", frames_done: 10 }), 100)).toEqual([50, 99]);
    expect(reachedRange(job({ status: "cancelled", direction: "backward" }), 100)).toEqual([0, 50]);
  });

  it("fetches only what is new, with the boundary frame again", () => {
    expect(newRanges(null, [50, 82])).toEqual([[50, 82]]);
    expect(newRanges([50, 82], [50, 98])).toEqual([[82, 98]]);
    expect(newRanges([18, 50], [2, 50])).toEqual([[2, 18]]);
    expect(newRanges([40, 60], [24, 76])).toEqual([[24, 40], [60, 76]]);
    expect(newRanges([40, 60], [40, 60])).toEqual([]);
  });
});
