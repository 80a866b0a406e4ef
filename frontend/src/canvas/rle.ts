/**
 * COCO run-length encoding, the format masks travel in (both directions).
 *
 *   const { runs } = decodeRle(rle);           // Uint32Array of run lengths, zeros first
 *   const mask = maskFromRuns(runs, h, w);     // Uint8Array, column-major: index = x * h + y
 *   const rle2 = encodeRle(mask, h, w);        // {size: [h, w], counts: "..."}
 *
 * Masks are column-major (COCO's order) everywhere in the front end: the mask layer draws them
 * into a transposed buffer, so a run is one contiguous fill (see layers/MaskLayer.ts).
 * The string form follows pycocotools' rleToString/rleFrString (maskApi.c): each count is written
 * as 5-bit groups, low group first, in chars offset by 48; bit 0x20 says "more groups follow" and
 * bit 0x10 of the last group is the sign. From the third count on, the difference to the count two
 * places back is stored instead of the count.
 */

export interface Rle {
  size: [number, number]; // [height, width]
  counts: string;
}

export interface DecodedMask {
  height: number;
  width: number;
  runs: Uint32Array; // alternating background / foreground run lengths, background first
}

/** Parse a compressed counts string into run lengths. */
export function decodeCounts(counts: string): Uint32Array {
  const out = new Uint32Array(counts.length); // never more counts than chars
  let m = 0;
  let p = 0;
  const n = counts.length;
  while (p < n) {
    let x = 0;
    let k = 0;
    let more = 1;
    while (more) {
      if (p >= n) throw new Error("RLE counts string ends in the middle of a value");
      const c = counts.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = c & 0x20;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
      if (k > 6) throw new Error("RLE count too large");
    }
    if (m > 2) x += out[m - 2];
    if (x < 0) throw new Error("RLE counts string decodes to a negative run");
    out[m++] = x;
  }
  return out.slice(0, m);
}

/** Write run lengths as a compressed counts string. */
export function encodeCounts(runs: ArrayLike<number>): string {
  const chars: number[] = [];
  for (let i = 0; i < runs.length; i++) {
    let x = runs[i];
    if (i > 2) x -= runs[i - 2];
    let more = 1;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? (x !== -1 ? 1 : 0) : x !== 0 ? 1 : 0;
      if (more) c |= 0x20;
      chars.push(c + 48);
    }
  }
  // String.fromCharCode with a spread is limited by argument count: go in slices.
  let s = "";
  for (let i = 0; i < chars.length; i += 8192) s += String.fromCharCode(...chars.slice(i, i + 8192));
  return s;
}

export function decodeRle(rle: Rle): DecodedMask {
  const [height, width] = rle.size;
  const runs = decodeCounts(rle.counts);
  let total = 0;
  for (let i = 0; i < runs.length; i++) total += runs[i];
  if (total !== height * width) throw new Error(`RLE covers ${total} pixels, expected ${height}x${width}`);
  return { height, width, runs };
}

/** Return run lengths of a column-major 0/1 mask (background first, possibly a 0-length run). */
export function runsFromMask(mask: Uint8Array): Uint32Array {
  const runs: number[] = [];
  let current = 0;
  let start = 0;
  const n = mask.length;
  let i = 0;
  while (i < n) {
    // skip over the current value quickly
    if (current === 0) {
      while (i < n && mask[i] === 0) i++;
    } else {
      while (i < n && mask[i] !== 0) i++;
    }
    runs.push(i - start);
    start = i;
    current ^= 1;
  }
  if (runs.length === 0) runs.push(0);
  return Uint32Array.from(runs);
}

/** Fill a column-major 0/1 mask from run lengths (reusing `out` when given). */
export function maskFromRuns(runs: ArrayLike<number>, height: number, width: number, out?: Uint8Array): Uint8Array {
  const mask = out ?? new Uint8Array(height * width);
  if (out) mask.fill(0);
  let pos = 0;
  for (let i = 0; i < runs.length; i++) {
    const end = pos + runs[i];
    if (i & 1) mask.fill(1, pos, end);
    pos = end;
  }
  return mask;
}

export function encodeRle(mask: Uint8Array, height: number, width: number): Rle {
  if (mask.length !== height * width) throw new Error("mask size does not match height x width");
  return { size: [height, width], counts: encodeCounts(runsFromMask(mask)) };
}

/** Number of foreground pixels. */
export function runsArea(runs: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < runs.length; i += 2) area += runs[i];
  return area;
}

/** Tight [x, y, w, h] box of the foreground, or null when empty. */
export function runsBbox(runs: ArrayLike<number>, height: number): [number, number, number, number] | null {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  let pos = 0;
  for (let i = 0; i < runs.length; i++) {
    const len = runs[i];
    if (i & 1 && len > 0) {
      const first = pos, last = pos + len - 1;
      const fx = Math.floor(first / height), lx = Math.floor(last / height);
      x0 = Math.min(x0, fx);
      x1 = Math.max(x1, lx);
      if (lx > fx) {
        // a run crossing into the next column reaches the last row of one and the first of the next
        y0 = 0;
        y1 = height - 1;
      } else {
        y0 = Math.min(y0, first % height);
        y1 = Math.max(y1, last % height);
      }
    }
    pos += len;
  }
  if (x1 < 0) return null;
  return [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}
