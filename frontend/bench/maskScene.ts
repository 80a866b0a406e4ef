/** A 1080p scene for the mask benchmarks: 10 tracks of varied size and shape, as COCO RLE strings. */
import { encodeRle, type Rle } from "../src/canvas/rle";

export const WIDTH = 1920;
export const HEIGHT = 1080;
export const TRACKS = 10;

/** Column-major mask of a wobbly ellipse (a ragged outline gives realistic run counts). */
function blob(cx: number, cy: number, rx: number, ry: number, seed: number): Uint8Array {
  const mask = new Uint8Array(WIDTH * HEIGHT);
  for (let x = Math.max(0, Math.floor(cx - rx * 1.2)); x < Math.min(WIDTH, cx + rx * 1.2); x++) {
    for (let y = Math.max(0, Math.floor(cy - ry * 1.2)); y < Math.min(HEIGHT, cy + ry * 1.2); y++) {
      const a = Math.atan2(y - cy, x - cx);
      const wobble = 1 + 0.12 * Math.sin(7 * a + seed) + 0.05 * Math.sin(23 * a + 2 * seed);
      if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < wobble * wobble) mask[x * HEIGHT + y] = 1;
    }
  }
  return mask;
}

export function scene(): { rles: Rle[]; colours: string[] } {
  const rles: Rle[] = [];
  const colours = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c", "#fabebe"];
  for (let i = 0; i < TRACKS; i++) {
    // sizes from small (a ball) to a quarter of the frame (a person close up)
    const rx = 40 + i * 28, ry = 60 + i * 30;
    const cx = 150 + ((i * 173) % (WIDTH - 300)), cy = 180 + ((i * 97) % (HEIGHT - 360));
    rles.push(encodeRle(blob(cx, cy, rx, ry, i), HEIGHT, WIDTH));
  }
  return { rles, colours };
}
