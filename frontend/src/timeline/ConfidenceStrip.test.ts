import { describe, expect, it } from "vitest";
import {
  confidence, confidenceColour, confidenceText, frameKinds, nextSuspicious, suspiciousFrames, type FrameInfo,
} from "./ConfidenceStrip";

const f = (frame: number, source: string, score: number | null, area: number, quality: number | null = null): FrameInfo =>
  ({ frame, source, score, quality, area });

describe("timeline frame kinds", () => {
  it("marks manual, propagated and empty frames", () => {
    const kinds = frameKinds([f(0, "manual_box", null, 0), f(1, "propagated", 0.9, 10), f(3, "manual_mask", null, 9)], 5);
    expect(kinds).toEqual(["manual", "propagated", "empty", "manual", "empty"]);
  });

  it("colours confidence from red to green", () => {
    expect(confidenceColour(0)).toBe("hsl(0, 75%, 45%)");
    expect(confidenceColour(1)).toBe("hsl(120, 75%, 45%)");
    expect(confidenceColour(null)).toBe("#8a8f98");
  });
});

describe("confidence", () => {
  it("is the quality when the model gives one, else the score", () => {
    expect(confidence(f(1, "propagated", 0.97, 10, 0.42))).toBe(0.42);
    expect(confidence(f(1, "propagated", 0.97, 10, 0))).toBe(0); // a quality of 0 is a value, not missing
    expect(confidence(f(1, "propagated", 0.97, 10))).toBe(0.97);
    expect(confidence(f(1, "manual_box", null, 0))).toBeNull();
  });

  it("says which measure it shows", () => {
    expect(confidenceText(f(1, "propagated", 0.97, 10, 0.42))).toBe("quality 0.42");
    expect(confidenceText(f(1, "propagated", 0.97, 10))).toBe("score 0.97");
  });

  it("colours the strip by quality, not by a high score", () => {
    const frame = f(1, "propagated", 0.99, 10, 0.1);
    expect(confidenceColour(confidence(frame))).toBe(confidenceColour(0.1));
  });
});

describe("suspicious frames", () => {
  const frames = [
    f(0, "manual_box", null, 0), f(1, "propagated", 0.95, 100), f(2, "propagated", 0.4, 98),
    f(3, "propagated", 0.9, 30), f(4, "propagated", 0.9, 31),
  ];

  it("finds low confidence and sudden area changes, not the first mask after a box", () => {
    expect(suspiciousFrames(frames)).toEqual([
      { frame: 2, reason: "low confidence", value: 0.4 },
      { frame: 3, reason: "area jump", value: expect.closeTo(68 / 98, 5) },
    ]);
  });

  it("judges by quality where there is one and falls back to the score elsewhere", () => {
    const mixed = [
      f(1, "propagated", 0.99, 100, 0.3), // high score, poor predicted mask: suspicious
      f(2, "propagated", 0.2, 100, 0.9), // low score, good predicted mask: fine
      f(3, "propagated", 0.5, 100), // no quality head: the score counts
      f(4, "propagated", 0.95, 100),
    ];
    expect(suspiciousFrames(mixed)).toEqual([
      { frame: 1, reason: "low confidence", value: 0.3 },
      { frame: 3, reason: "low confidence", value: 0.5 },
    ]);
    expect(nextSuspicious(suspiciousFrames(mixed), 1, 1)).toBe(3); // what L jumps to
    expect(nextSuspicious(suspiciousFrames(mixed), 3, 1)).toBe(1);
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
