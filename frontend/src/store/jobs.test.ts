import { describe, expect, it } from "vitest";
import type { Job } from "../api/client";
import { newlyWritten } from "./jobs";

const job = (over: Partial<Job>): Job => ({
  id: 1, video: 1, tracks: [1], start_frame: 50, direction: "forward", status: "running", progress: 0,
  frames_done: 0, frames_total: 49, fps: null, seconds_left: null, error: "", cancel_requested: false,
  checkpoint: null, checkpoint_sha256: "", stop_reasons: {}, batch: null, created_at: "", started_at: null,
  finished_at: null, ...over,
} as Job);

describe("frames a running job may have written since the last poll", () => {
  it("starts with the start frame (the keyframe's new mask), then grows forward", () => {
    expect(newlyWritten(job({ frames_done: 16 }), 0, 100)).toEqual([[50, 66]]);
    // one holdback behind the old edge: frames held while judging a possible loss come late
    expect(newlyWritten(job({ frames_done: 32 }), 16, 100)).toEqual([[58, 82]]);
    expect(newlyWritten(job({ frames_done: 49 }), 40, 100)).toEqual([[82, 99]]);
  });

  it("re-reads the whole side of a fused job: its frames do not land in step order", () => {
    expect(newlyWritten(job({ fusion: true, frames_done: 16 }), 0, 100)).toEqual([[50, 99]]);
    expect(newlyWritten(job({ fusion: true, direction: "both", frames_done: 16 }), 0, 100)).toEqual([[0, 99]]);
    expect(newlyWritten(job({ fusion: true, direction: "backward", frames_done: 16 }), 0, 100)).toEqual([[0, 50]]);
  });

  it("grows backward", () => {
    const back = { direction: "backward" as const, frames_total: 50 };
    expect(newlyWritten(job({ ...back, frames_done: 16 }), 0, 100)).toEqual([[34, 50]]);
    expect(newlyWritten(job({ ...back, frames_done: 32 }), 16, 100)).toEqual([[18, 42]]);
  });

  it("goes forward then backward for both directions, without skipping frames", () => {
    const both = { direction: "both" as const, frames_total: 99 }; // 49 forward + 50 backward
    expect(newlyWritten(job({ ...both, frames_done: 16 }), 0, 100)).toEqual([[50, 66]]);
    expect(newlyWritten(job({ ...both, frames_done: 60 }), 40, 100)).toEqual([[39, 50], [82, 99]]);
    expect(newlyWritten(job({ ...both, frames_done: 80 }), 60, 100)).toEqual([[19, 47]]);
  });

  it("covers both sides when an anchor cuts one short", () => {
    // anchor at 60: 9 frames forward, then 50 backward (43..49 done by step 16)
    const both = { direction: "both" as const, frames_total: 59 };
    expect(newlyWritten(job({ ...both, frames_done: 16 }), 0, 100)).toEqual([[43, 66]]);
  });

  it("stays inside the clip", () => {
    expect(newlyWritten(job({ start_frame: 95, frames_total: 4, frames_done: 4 }), 0, 100)).toEqual([[95, 99]]);
  });
});
