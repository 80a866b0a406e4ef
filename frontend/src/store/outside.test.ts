import { describe, expect, it } from "vitest";
import type { Annotation } from "../api/client";
import { frameKinds, suspiciousFrames } from "../timeline/ConfidenceStrip";
import { applyOutside, frameRuns, isOutside, outsideAnnotation } from "./outside";

const box = (frame: number) => ({ frame, source: "manual_box", bbox: [1, 1, 4, 4] }) as unknown as Annotation;

describe("outside frames", () => {
  it("groups frames into runs", () => {
    expect(frameRuns([9, 3, 5, 4, 4])).toEqual([[3, 5], [9, 9]]);
    expect(frameRuns([])).toEqual([]);
  });

  it("marking replaces every frame in the range and returns what was there", () => {
    const map = new Map([[2, box(2)], [6, box(6)]]);
    const before = applyOutside(map, 2, 4, true, outsideAnnotation);
    expect(before.map((a) => a.frame)).toEqual([2]);
    expect([...map.keys()].sort()).toEqual([2, 3, 4, 6]);
    expect(isOutside(map.get(3)) && isOutside(map.get(2)) && !isOutside(map.get(6))).toBe(true);
    expect(map.get(4)).toMatchObject({ bbox: null, mask: null });
  });

  it("clearing drops only outside marks", () => {
    const map = new Map([[1, outsideAnnotation(1)], [2, box(2)], [3, outsideAnnotation(3)]]);
    applyOutside(map, 0, 2, false, outsideAnnotation);
    expect([...map.keys()].sort()).toEqual([2, 3]);
  });
});

describe("outside frames on the timeline", () => {
  const info = (frame: number, source: string, area: number) => ({ frame, source, score: null, quality: null, area });

  it("are their own kind, and an object coming back is not an area jump", () => {
    const frames = [info(0, "manual_mask", 100), info(1, "outside", 0), info(2, "manual_mask", 400)];
    expect(frameKinds(frames, 4)).toEqual(["manual", "outside", "manual", "empty"]);
    expect(suspiciousFrames(frames)).toEqual([]);
  });
});
