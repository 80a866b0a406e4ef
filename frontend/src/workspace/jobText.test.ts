import { describe, expect, it } from "vitest";
import { jobDoneText, jobProgressLabel } from "./jobText";

describe("jobProgressLabel", () => {
  const job = { direction: "forward" as const, start_frame: 35, frames_done: 12, frames_total: 102, fusion: false };

  it("puts the count first, so a narrow bar still shows it", () => {
    expect(jobProgressLabel(job, true)).toBe("12/102 · refreshing after the correction on frame 35");
    expect(jobProgressLabel(job, false)).toBe("12/102 · forward from 35");
    expect(jobProgressLabel({ ...job, frames_total: 0 }, false)).toMatch(/^12\/\? /);
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
  });
});
