import { describe, expect, it } from "vitest";
import { jobProgressLabel } from "./jobText";

describe("jobProgressLabel", () => {
  it("puts the count first, so a narrow bar still shows it", () => {
    const job = { direction: "forward" as const, start_frame: 35, frames_done: 12, frames_total: 102 };
    expect(jobProgressLabel(job, true)).toBe("12/102 · refreshing after the correction on frame 35");
    expect(jobProgressLabel(job, false)).toBe("12/102 · forward from 35");
    expect(jobProgressLabel({ ...job, frames_total: 0 }, false)).toMatch(/^12\/\? /);
  });
});
