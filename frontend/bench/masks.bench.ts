/**
 * CPU part of drawing masks (Node): decode 10 COCO RLE strings of a 1080p frame and paint them
 * into the transposed RGBA overlay. Run: make -C frontend bench (or npx vitest bench --run).
 * The whole path in Chromium, with canvas upload and draw: python bench/frontend_masks.py.
 */
import { bench, describe } from "vitest";
import { composeMasks, packColour } from "../src/canvas/maskRaster";
import { decodeCounts } from "../src/canvas/rle";
import { HEIGHT, scene, WIDTH } from "./maskScene";

const { rles, colours } = scene();
const pixels = new Uint32Array(WIDTH * HEIGHT);
const packed = colours.map((c) => packColour(c, 0.45));

describe("10 masks at 1920x1080", () => {
  bench("decode RLE strings", () => {
    for (const r of rles) decodeCounts(r.counts);
  });

  bench("decode + compose overlay", () => {
    composeMasks(pixels, rles.map((r, i) => ({ runs: decodeCounts(r.counts), colour: packed[i] })));
  });
});
