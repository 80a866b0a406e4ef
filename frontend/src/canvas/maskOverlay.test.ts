import { describe, expect, it } from "vitest";
import { MASK_ALPHA, rasterEntries, SELECTED_MASK_ALPHA } from "./maskOverlay";
import { packColour } from "./maskRaster";
import type { CanvasTrack } from "./types";

const toggles = { masks: true, boxes: true, rotatedBoxes: true };

function track(id: number, colour: string, over: Partial<CanvasTrack> = {}): CanvasTrack {
  return {
    id, objectId: id, label: "car", colour, visible: true, locked: false, selected: false,
    annotation: { bbox: null, rotatedBox: null, runs: Uint32Array.of(0, id), source: "manual_mask", confidence: null },
    ...over,
  };
}

describe("rasterEntries", () => {
  it("draws the selected track last and more opaque, and leaves out hidden tracks and frames without a mask", () => {
    const tracks = [track(1, "#ff0000", { selected: true }), track(2, "#00ff00"), track(3, "#0000ff", { visible: false }),
                    track(4, "#ffffff", { annotation: null })];
    expect(rasterEntries(tracks, toggles)).toEqual([
      { runs: Uint32Array.of(0, 2), colour: packColour("#00ff00", MASK_ALPHA) },
      { runs: Uint32Array.of(0, 1), colour: packColour("#ff0000", SELECTED_MASK_ALPHA) },
    ]);
  });

  it("leaves out the track being edited, and everything while the mask layer is off", () => {
    const tracks = [track(1, "#ff0000"), track(2, "#00ff00")];
    expect(rasterEntries(tracks, toggles, 1).map((e) => e.runs)).toEqual([Uint32Array.of(0, 2)]);
    expect(rasterEntries(tracks, { ...toggles, masks: false })).toEqual([]);
  });
});
