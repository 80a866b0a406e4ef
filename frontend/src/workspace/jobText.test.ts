import { describe, expect, it } from "vitest";
import { jobDoneText, jobProgressLabel } from "./jobText";

describe("jobProgressLabel", () => {
  const job = { direction: "forward" as const, start_frame: 35, frames_done: 12, frames_total: 102, fusion: false };

  it("puts the count first, so a narrow bar still shows it", () => {
    expect(jobProgressLabel(job, true)).toBe("12/102 · refreshing after the correction on frame 35");
    expect(jobProgressLabel(job, false)).toBe("12/102 · forward from 35");
    expect(jobProgressLabel({ ...job, frames_total: 0 }, false)).toMatch(/^12\/\? /);
    expect(jobProgressLabel({ ...job, frames_total: 0, status: "queued" }, false)).toMatch(/^12\/\? /);
  });

  it("shows an ended job with nothing to do as 0/0, not 0/? (a one-frame clip)", () => {
    expect(jobProgressLabel({ ...job, frames_done: 0, frames_total: 0, start_frame: 0, status: "succeeded" }, false))
      .toBe("0/0 · forward from 0");
  });

  it("shows a fused job as a percentage: its steps count each segment twice", () => {
    expect(jobProgressLabel({ ...job, fusion: true }, true)).toBe("11% · refreshing after the correction on frame 35");
    expect(jobProgressLabel({ ...job, fusion: true, frames_done: 102 }, false)).toBe("100% · forward from 35");
    expect(jobProgressLabel({ ...job, fusion: true, frames_total: 0 }, false)).toBe("… · forward from 35");
  });
});

describe("jobDoneText", () => {
  it("counts frames only where a step is a frame", () => {
    expect(jobDoneText({ fusion: false, frames_done: 69, frames_total: 69 })).toBe("propagation done: 69 frames");
    expect(jobDoneText({ fusion: true, frames_done: 27, frames_total: 27 })).toBe("propagation done (segments tracked from both ends)");
    expect(jobDoneText({ fusion: false, frames_done: 1, frames_total: 1 })).toBe("propagation done: 1 frame");
  });

  it("says why a job wrote no frame instead of \"0 frames\"", () => {
    const none = { fusion: false, frames_done: 0, frames_total: 0 };
    expect(jobDoneText({ ...none, direction: "forward" })).toBe(
      "nothing to propagate: the next frames forward are hand-made or the video ends there (manual frames are never overwritten)");
    expect(jobDoneText({ ...none, direction: "backward" })).toMatch(/^nothing to propagate: the previous frames are hand-made/);
    expect(jobDoneText({ ...none, direction: "both" })).toMatch(/the frames on both sides are hand-made/);
    expect(jobDoneText(none)).not.toContain("0 frames");
  });

  it("gives the stop reason when a planned run wrote nothing", () => {
    const stopped = { fusion: false, frames_done: 0, frames_total: 40, direction: "forward" as const,
      stop_reasons: { "1": { "7": { reason: "manual frame made during the job", frame: 13 } } } };
    expect(jobDoneText(stopped as Parameters<typeof jobDoneText>[0])).toBe(
      "nothing propagated: manual frame made during the job (frame 13)");
  });
});
