import { describe, expect, it } from "vitest";
import { frameKinds, nextSuspicious, scoreColour, suspiciousFrames, type FrameInfo } from "./ConfidenceStrip";

const f = (frame: number, source: string, score: number | null, area: number): FrameInfo => ({ frame, source, score, area });

describe("timeline frame kinds", () => {
  it("marks manual, propagated and empty frames", () => {
    const kinds = frameKinds([f(0, "manual_box", null, 0), f(1, "propagated", 0.9, 10), f(3, "manual_mask", null, 9)], 5);
    expect(kinds).toEqual(["manual", "propagated", "empty", "manual", "empty"]);
  });

  it("colours scores from red to green", () => {
    expect(scoreColour(0)).toBe("hsl(0, 75%, 45%)");
    expect(scoreColour(1)).toBe("hsl(120, 75%, 45%)");
    expect(scoreColour(null)).toBe("#8a8f98");
  });
});

describe("suspicious frames", () => {
  const frames = [
    f(0, "manual_box", null, 0), f(1, "propagated", 0.95, 100), f(2, "propagated", 0.4, 98),
    f(3, "propagated", 0.9, 30), f(4, "propagated", 0.9, 31),
  ];

  it("finds low scores and sudden area changes, not the first mask after a box", () => {
    expect(suspiciousFrames(frames)).toEqual([
      { frame: 2, reason: "low score", value: 0.4 },
      { frame: 3, reason: "area jump", value: expect.closeTo(68 / 98, 5) },
    ]);
  });

  it("steps to the next and previous one, wrapping around", () => {
    const marks = suspiciousFrames(frames);
    expect(nextSuspicious(marks, 0, 1)).toBe(2);
    expect(nextSuspicious(marks, 2, 1)).toBe(3);
    expect(nextSuspicious(marks, 3, 1)).toBe(2);
    expect(nextSuspicious(marks, 2, -1)).toBe(3);
    expect(nextSuspicious([], 2, 1)).toBeNull();
  });
});
