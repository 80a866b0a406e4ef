/**
 * Masks as polygons and back (pure, no DOM): what the polygon tool edits.
 *
 *   const rings = simplifyRings(traceRings(mask, h, w), 1.5);   // outlines of a column-major mask
 *   const back = fillRings(rings, h, w);                          // even-odd fill, column-major
 *
 * traceRings follows the cracks between pixels, so vertices sit on pixel corners (integers) and
 * fillRings(traceRings(m)) === m exactly (a pixel is in when its centre x + 0.5, y + 0.5 is).
 * Outer outlines run clockwise on screen (y down) and holes counter-clockwise; the even-odd fill
 * does not need the orientation, so holes survive an edit. Diagonal neighbours are separate
 * regions (4-connectivity), like the RLE's runs.
 */
import type { Point } from "./geometry";

export type Ring = Point[];

// directions on screen: east, south, west, north (one bit each in the edge table)
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];

/** Return every outline (outer and hole) of a column-major mask (index x * height + y). */
export function traceRings(mask: ArrayLike<number>, height: number, width: number): Ring[] {
  const box = maskBounds(mask, height, width);
  if (!box) return [];
  const [x0, y0, x1, y1] = box; // pixels x0..x1-1, y0..y1-1; corners x0..x1, y0..y1
  const cw = x1 - x0 + 1, ch = y1 - y0 + 1;
  const out = new Uint8Array(cw * ch); // per corner: bits of the outgoing crack edges
  const at = (x: number, y: number) => (x - x0) * ch + (y - y0);
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && mask[x * height + y] !== 0;
  for (let x = x0; x < x1; x++) {
    for (let y = y0; y < y1; y++) {
      if (!on(x, y)) continue;
      // walk each pixel clockwise, keeping it on the right: only the sides facing background are edges
      if (!on(x, y - 1)) out[at(x, y)] |= 1 << 0;
      if (!on(x + 1, y)) out[at(x + 1, y)] |= 1 << 1;
      if (!on(x, y + 1)) out[at(x + 1, y + 1)] |= 1 << 2;
      if (!on(x - 1, y)) out[at(x, y + 1)] |= 1 << 3;
    }
  }
  const rings: Ring[] = [];
  for (let i = 0; i < out.length; i++) {
    while (out[i]) {
      let x = x0 + Math.floor(i / ch), y = y0 + (i % ch);
      let dir = Math.log2(out[i] & -out[i]);
      const ring: Ring = [];
      let prev = -1;
      for (;;) {
        out[at(x, y)] &= ~(1 << dir);
        if (dir !== prev) ring.push({ x, y }); // keep corners only
        prev = dir;
        x += DX[dir]; y += DY[dir];
        const bits = out[at(x, y)];
        // every corner has as many edges in as out, so the walk always comes back to where it began
        if (at(x, y) === i || !bits) break;
        // at a corner shared by diagonal pixels, turn right first: the regions stay apart
        const turns = [(dir + 1) % 4, dir, (dir + 3) % 4];
        dir = turns.find((d) => bits & (1 << d)) ?? dir;
      }
      rings.push(ring);
    }
  }
  return rings;
}

/** Return [x0, y0, x1, y1) of the set pixels, or null when the mask is empty. */
function maskBounds(mask: ArrayLike<number>, height: number, width: number): [number, number, number, number] | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let x = 0; x < width; x++) {
    for (let y = 0, i = x * height; y < height; y++, i++) {
      if (!mask[i]) continue;
      if (x < x0) x0 = x;
      x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

/** Douglas–Peucker on each closed ring; rings left with fewer than 3 vertices are dropped. */
export function simplifyRings(rings: Ring[], tolerance: number): Ring[] {
  return rings.map((r) => simplifyClosed(r, tolerance)).filter((r) => r.length >= 3);
}

export function simplifyClosed(ring: Ring, tolerance: number): Ring {
  if (ring.length <= 3 || tolerance <= 0) return ring.slice();
  // split the loop at the vertex farthest from the first one, then simplify both chains
  let far = 0, best = -1;
  for (let i = 1; i < ring.length; i++) {
    const d = (ring[i].x - ring[0].x) ** 2 + (ring[i].y - ring[0].y) ** 2;
    if (d > best) { best = d; far = i; }
  }
  const a = simplifyChain(ring.slice(0, far + 1), tolerance);
  const b = simplifyChain([...ring.slice(far), ring[0]], tolerance);
  return [...a.slice(0, -1), ...b.slice(0, -1)];
}

function simplifyChain(chain: Ring, tolerance: number): Ring {
  const keep = new Uint8Array(chain.length);
  keep[0] = keep[chain.length - 1] = 1;
  const stack: [number, number][] = [[0, chain.length - 1]];
  while (stack.length) {
    const [lo, hi] = stack.pop()!;
    let index = -1, worst = tolerance;
    for (let i = lo + 1; i < hi; i++) {
      const d = segmentDistance(chain[i], chain[lo], chain[hi]);
      if (d > worst) { worst = d; index = i; }
    }
    if (index >= 0) {
      keep[index] = 1;
      stack.push([lo, index], [index, hi]);
    }
  }
  return chain.filter((_, i) => keep[i]);
}

/** Distance from p to the segment a–b. */
export function segmentDistance(p: Point, a: Point, b: Point): number {
  const vx = b.x - a.x, vy = b.y - a.y;
  const len2 = vx * vx + vy * vy;
  const t = len2 ? Math.max(0, Math.min(1, ((p.x - a.x) * vx + (p.y - a.y) * vy) / len2)) : 0;
  return Math.hypot(p.x - a.x - t * vx, p.y - a.y - t * vy);
}

/** Rasterise rings with the even-odd rule into a column-major mask: pixel in when its centre is. */
export function fillRings(rings: Ring[], height: number, width: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const crossings: number[][] = Array.from({ length: height }, () => []);
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i], b = ring[(i + 1) % ring.length];
      if (a.y === b.y) continue;
      const [lo, hi] = a.y < b.y ? [a, b] : [b, a];
      // rows whose centre y + 0.5 lies in [lo.y, hi.y): each crossing counted once
      const first = Math.max(0, Math.ceil(lo.y - 0.5)), last = Math.min(height - 1, Math.ceil(hi.y - 0.5) - 1);
      for (let y = first; y <= last; y++) {
        crossings[y].push(lo.x + ((y + 0.5 - lo.y) * (hi.x - lo.x)) / (hi.y - lo.y));
      }
    }
  }
  for (let y = 0; y < height; y++) {
    const xs = crossings[y].sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k] - 0.5)), to = Math.min(width, Math.ceil(xs[k + 1] - 0.5));
      for (let x = from; x < to; x++) mask[x * height + y] = 1;
    }
  }
  return mask;
}
