import { describe, expect, it } from "vitest";
import { composeMasks, fillRuns, packColour, paintMaskRect, runsContain } from "./maskRaster";

describe("mask raster", () => {
  it("packs colours in ImageData byte order (r, g, b, a)", () => {
    const packed = packColour("#e6194b", 0.5);
    const bytes = new Uint8Array(Uint32Array.of(packed).buffer);
    expect(Array.from(bytes)).toEqual([0xe6, 0x19, 0x4b, 128]);
  });

  it("fills foreground runs, later masks on top", () => {
    const pixels = new Uint32Array(10);
    composeMasks(pixels, [{ runs: [2, 3, 5], colour: 7 }, { runs: [4, 2, 4], colour: 9 }]);
    expect(Array.from(pixels)).toEqual([0, 0, 7, 7, 9, 9, 0, 0, 0, 0]);
    fillRuns(pixels, [0, 1, 9], 5);
    expect(pixels[0]).toBe(5);
  });

  it("repaints an edited rectangle over the other tracks' pixels", () => {
    const h = 3;
    const under = Uint32Array.from([1, 1, 1, 2, 2, 2]);
    const pixels = new Uint32Array(6);
    const mask = Uint8Array.from([0, 1, 0, 0, 0, 1]);
    paintMaskRect(pixels, under, mask, h, { x: 0, y: 0, w: 2, h: 3 }, 8);
    expect(Array.from(pixels)).toEqual([1, 8, 1, 2, 2, 8]);
  });

  it("finds whether a pixel is in the mask", () => {
    expect([0, 1, 2, 3, 4, 5].map((i) => runsContain([2, 3, 1], i))).toEqual([false, false, true, true, true, false]);
  });
});
