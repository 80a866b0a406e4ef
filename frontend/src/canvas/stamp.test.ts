import { describe, expect, it } from "vitest";
import { fillBox, stampDisc, stampLine } from "./stamp";
import { runsArea, runsFromMask } from "./rle";

const H = 20, W = 30;
const at = (mask: Uint8Array, x: number, y: number) => mask[x * H + y];

describe("brush stamping", () => {
  it("sets the pixels whose centres lie in the disc", () => {
    const mask = new Uint8Array(H * W);
    const dirty = stampDisc(mask, H, W, { x: 10, y: 10 }, 2, 1);
    // centres at .5: a radius-2 disc about a pixel corner covers a 4x4 block minus its corners
    expect(runsArea(runsFromMask(mask))).toBe(12);
    expect(at(mask, 9, 9)).toBe(1);
    expect(at(mask, 8, 8)).toBe(0);
    expect(dirty).toEqual({ x: 8, y: 8, w: 4, h: 4 });
  });

  it("clips at the frame border", () => {
    const mask = new Uint8Array(H * W);
    const dirty = stampDisc(mask, H, W, { x: 0, y: 0 }, 3, 1);
    expect(dirty.x).toBe(0);
    expect(dirty.y).toBe(0);
    expect(at(mask, 0, 0)).toBe(1);
    expect(stampDisc(mask, H, W, { x: -50, y: -50 }, 3, 1).w).toBe(0);
  });

  it("erases with value 0", () => {
    const mask = new Uint8Array(H * W).fill(1);
    stampDisc(mask, H, W, { x: 15.5, y: 10.5 }, 1, 0);
    expect(at(mask, 15, 10)).toBe(0);
    expect(runsArea(runsFromMask(mask))).toBe(H * W - 5);
  });

  it("leaves no gaps along a fast stroke", () => {
    const mask = new Uint8Array(H * W);
    const dirty = stampLine(mask, H, W, { x: 2.5, y: 10.5 }, { x: 27.5, y: 10.5 }, 1.5, 1);
    for (let x = 2; x <= 27; x++) expect(at(mask, x, 10)).toBe(1);
    expect(dirty.x).toBeLessThanOrEqual(2);
    expect(dirty.x + dirty.w).toBeGreaterThanOrEqual(28);
  });

  it("fills a box into a mask", () => {
    const mask = new Uint8Array(H * W);
    fillBox(mask, H, W, [2, 3, 4, 5]);
    expect(runsArea(runsFromMask(mask))).toBe(20);
    expect(at(mask, 2, 3)).toBe(1);
    expect(at(mask, 6, 3)).toBe(0);
  });
});
