import { describe, expect, it } from "vitest";
import { fillRings, segmentDistance, simplifyClosed, simplifyRings, traceRings, type Ring } from "./polygons";

/** A column-major mask from rows of "#" and "." (row-major text, like a picture). */
function picture(...rows: string[]): { mask: Uint8Array; h: number; w: number } {
  const h = rows.length, w = rows[0].length;
  const mask = new Uint8Array(w * h);
  rows.forEach((row, y) => [...row].forEach((c, x) => (mask[x * h + y] = c === "#" ? 1 : 0)));
  return { mask, h, w };
}

function randomBlobs(h: number, w: number, seed: number): Uint8Array {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = rand() < 0.45 ? 1 : 0;
  return mask;
}

describe("traceRings", () => {
  it("outlines a rectangle by its four pixel corners, clockwise", () => {
    const { mask, h, w } = picture("....", ".##.", ".##.", "....");
    expect(traceRings(mask, h, w)).toEqual([[{ x: 1, y: 1 }, { x: 3, y: 1 }, { x: 3, y: 3 }, { x: 1, y: 3 }]]);
  });

  it("finds holes and separate regions, diagonal neighbours apart", () => {
    const ring = picture("#####", "#...#", "#.#.#", "#...#", "#####");
    expect(traceRings(ring.mask, ring.h, ring.w)).toHaveLength(3); // outer, hole, the dot inside
    const diagonal = picture("#.", ".#");
    expect(traceRings(diagonal.mask, diagonal.h, diagonal.w)).toHaveLength(2);
  });

  it("is empty for an empty mask", () => {
    expect(traceRings(new Uint8Array(12), 3, 4)).toEqual([]);
  });

  it("fills back to exactly the same mask, holes and diagonals included", () => {
    for (const seed of [1, 2, 3]) {
      const h = 23, w = 31, mask = randomBlobs(h, w, seed);
      expect(fillRings(traceRings(mask, h, w), h, w)).toEqual(mask);
    }
  });
});

describe("simplifyClosed", () => {
  it("drops vertices within the tolerance and keeps real corners", () => {
    const jagged: Ring = [{ x: 0, y: 0 }, { x: 5, y: 0.4 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 5, y: 9.7 }, { x: 0, y: 10 }];
    expect(simplifyClosed(jagged, 1)).toEqual([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }]);
    expect(simplifyClosed(jagged, 0)).toHaveLength(6);
  });

  it("turns a traced disc into a handful of vertices that still cover it", () => {
    const h = 60, w = 60, mask = new Uint8Array(w * h);
    for (let x = 0; x < w; x++) for (let y = 0; y < h; y++) mask[x * h + y] = (x - 29.5) ** 2 + (y - 29.5) ** 2 < 400 ? 1 : 0;
    const traced = traceRings(mask, h, w);
    const simple = simplifyRings(traced, 1.5);
    expect(simple).toHaveLength(1);
    expect(simple[0].length).toBeLessThan(traced[0].length / 3);
    const back = fillRings(simple, h, w);
    let same = 0, area = 0;
    for (let i = 0; i < mask.length; i++) { same += Number(back[i] === mask[i]); area += mask[i]; }
    expect(mask.length - same).toBeLessThan(area * 0.05);
  });

  it("drops rings that collapse below three vertices", () => {
    expect(simplifyRings([[{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }]], 5)).toEqual([]);
  });
});

describe("fillRings", () => {
  it("fills pixels whose centres are inside a triangle, clipped to the frame", () => {
    const mask = fillRings([[{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 0, y: 4 }]], 4, 4);
    const rows = [0, 1, 2, 3].map((y) => [0, 1, 2, 3].map((x) => (mask[x * 4 + y] ? "#" : ".")).join(""));
    expect(rows).toEqual(["###.", "##..", "#...", "...."]);
    expect(fillRings([[{ x: -5, y: -5 }, { x: 9, y: -5 }, { x: 9, y: 9 }, { x: -5, y: 9 }]], 3, 3).every((v) => v === 1)).toBe(true);
  });
});

describe("segmentDistance", () => {
  it("measures to the nearest point of the segment", () => {
    expect(segmentDistance({ x: 5, y: 3 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(3);
    expect(segmentDistance({ x: 13, y: 4 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(5);
  });
});
