import { describe, expect, it } from "vitest";
import { editRefusal, pickTrack } from "./trackTargets";
import type { CanvasTrack } from "./types";

// a 4x4 image; masks are column-major, so pixel (x, y) is run index x * 4 + y
function track(id: number, over: Partial<CanvasTrack> = {}, runs: number[] | null = null): CanvasTrack {
  return {
    id, objectId: id, label: "car", colour: "#e6194b", visible: true, locked: false, selected: false,
    annotation: { bbox: null, rotatedBox: null, runs: runs && Uint32Array.from(runs), source: "manual_mask", confidence: null },
    ...over,
  };
}

describe("pickTrack", () => {
  const left = track(1, {}, [0, 8, 8]); // columns 0-1
  const all = track(2, {}, [0, 16]); // every pixel

  it("picks the last-drawn track under the point, by mask or by box", () => {
    expect(pickTrack([all, left], { x: 0.5, y: 2.5 }, 4, 4, true)).toBe(1);
    expect(pickTrack([all, left], { x: 3.5, y: 2.5 }, 4, 4, true)).toBe(2);
    const boxed = track(3, { annotation: { bbox: [2, 2, 2, 2], rotatedBox: null, runs: null, source: "manual_box", confidence: null } });
    expect(pickTrack([left, boxed], { x: 3, y: 3 }, 4, 4, true)).toBe(3);
  });

  it("ignores hidden tracks, masks while the mask layer is off, and points off the image", () => {
    expect(pickTrack([all, track(1, { visible: false }, [0, 16])], { x: 1, y: 1 }, 4, 4, true)).toBe(2);
    expect(pickTrack([all], { x: 1, y: 1 }, 4, 4, false)).toBeNull();
    expect(pickTrack([all], { x: 4, y: 1 }, 4, 4, true)).toBeNull();
    expect(pickTrack([all], { x: -0.5, y: 1 }, 4, 4, true)).toBeNull();
  });
});

describe("editRefusal", () => {
  it("says why a track may not be edited, and nothing when it may", () => {
    expect(editRefusal(null)).toBe("select a track first (click it in the list or press 1-9)");
    expect(editRefusal(track(7, { locked: true, visible: false }))).toBe("car #7 is locked; unlock it in the track list to edit");
    expect(editRefusal(track(7, { visible: false }))).toBe("car #7 is hidden; show it to edit");
    expect(editRefusal(track(7))).toBeNull();
  });
});
