import { describe, expect, it } from "vitest";
import { decodeCounts, decodeRle, encodeCounts, encodeRle, maskFromRuns, runsArea, runsBbox, runsFromMask } from "./rle";

// Produced by pycocotools 2.0.11 (mask.encode of a Fortran-ordered uint8 array), see docs/frontend.md.
const FIXTURES = {
  small_rect_4x5: { size: [4, 5], counts: "5220003", runs: [5, 2, 2, 2, 2, 2, 5], area: 6 },
  empty_6x7: { size: [6, 7], counts: "Z1", runs: [42], area: 0 },
  full_3x3: { size: [3, 3], counts: "09", runs: [0, 9], area: 9 },
  random_9x11: {
    size: [9, 11], counts: "01100010O012ON0040N1N01OO013O20L001001O40J2010N12ON00", area: 50,
    runs: [0, 1, 1, 1, 1, 1, 2, 1, 1, 1, 2, 3],
  },
} as const;

const ELLIPSE_300x400 =
  "`R?e0c88I6K4K6K4L4L4M2M4M2M4M2N2M4M2N2N2N2N2N2N2N2N2N2N2N2O0O2N2N2O0O2N2N2O0O2N2O0O2N2O0O2O0O2N2O0O2O0O2O0O2O0" +
  "O2O0O2O0O2O0O2O0O2O000O2O0O2O0O2O000O2O000O2O000O2O000O2O000O2O000O2O00000O2O00000O2O00000O2O00000O2O0000000O2" +
  "O0000000O2O00000000000O2O00000000000O2O00000000000000000O2O000000000000000000000000000000000000000000000000000" +
  "00000000000000000000000000000000000000001N1000000000000000001N1000000000001N1000000000001N100000001N100000001N" +
  "1000001N1000001N1000001N1000001N10001N10001N10001N10001N10001N10001N101N101N10001N101N101N101N101N101N101N101N" +
  "101N2N101N101N2N101N2N101N2N2N101N2N2N101N2N2N2N2N2N2N2N2N2N2N2N3L3N2N3L3N3L3N3L4L4L5J5L5J7HPe8";

function ellipseMask(h: number, w: number): Uint8Array {
  // same formula as the Python fixture: ((y-150)^2/90^2 + (x-210)^2/160^2) < 1, column-major
  const mask = new Uint8Array(h * w);
  for (let x = 0; x < w; x++)
    for (let y = 0; y < h; y++) mask[x * h + y] = (y - 150) ** 2 / 90 ** 2 + (x - 210) ** 2 / 160 ** 2 < 1 ? 1 : 0;
  return mask;
}

describe("COCO RLE strings", () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    it(`decodes the pycocotools string of ${name}`, () => {
      const decoded = decodeRle({ size: [f.size[0], f.size[1]], counts: f.counts });
      expect(Array.from(decoded.runs.slice(0, f.runs.length))).toEqual(f.runs);
      expect(runsArea(decoded.runs)).toBe(f.area);
    });
    it(`encodes ${name} back to the same string`, () => {
      expect(encodeCounts(decodeCounts(f.counts))).toBe(f.counts);
    });
  }

  it("matches pycocotools on a large mask with multi-char values and negative deltas", () => {
    const mask = ellipseMask(300, 400);
    const rle = encodeRle(mask, 300, 400);
    expect(rle).toEqual({ size: [300, 400], counts: ELLIPSE_300x400 });
    const { runs } = decodeRle(rle);
    expect(runs.length).toBe(639);
    expect(Array.from(runs.slice(0, 6))).toEqual([15440, 21, 275, 29, 268, 35]);
    expect(runsArea(runs)).toBe(45201);
    expect(maskFromRuns(runs, 300, 400)).toEqual(mask);
  });

  it("round-trips random masks", () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let t = 0; t < 20; t++) {
      const h = 1 + Math.floor(random() * 40), w = 1 + Math.floor(random() * 40);
      const mask = Uint8Array.from({ length: h * w }, () => (random() > 0.7 ? 1 : 0));
      expect(maskFromRuns(decodeRle(encodeRle(mask, h, w)).runs, h, w)).toEqual(mask);
    }
  });

  it("starts with an empty background run when the first pixel is set", () => {
    expect(Array.from(runsFromMask(Uint8Array.from([1, 1, 0])))).toEqual([0, 2, 1]);
  });

  it("refuses strings that do not cover the mask", () => {
    expect(() => decodeRle({ size: [4, 4], counts: "5220003" })).toThrow(/covers 20 pixels/);
    expect(() => decodeCounts("e")).toThrow(/ends in the middle/);
  });
});

describe("runsBbox", () => {
  it("finds the tight box of column-major runs", () => {
    expect(runsBbox([5, 2, 2, 2, 2, 2, 5], 4)).toEqual([1, 1, 3, 2]);
    expect(runsBbox([42], 6)).toBeNull();
  });
  it("spans every row when a run crosses a column", () => {
    expect(runsBbox([3, 2, 3], 4)).toEqual([0, 0, 2, 4]);
  });
});
