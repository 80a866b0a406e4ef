/**
 * Brush stamping on column-major masks (index = x * height + y, like COCO RLE).
 *
 *   const dirty = stampLine(mask, h, w, from, to, radius, 1);  // 1 paints, 0 erases
 *
 * A stamp sets every pixel whose centre (x + 0.5, y + 0.5) lies within `radius` of the point.
 * Lines are stamped every radius / 2 pixels (at least every pixel), so fast strokes leave no gaps.
 */
import type { Point } from "./geometry";

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export const EMPTY_RECT: Rect = { x: 0, y: 0, w: 0, h: 0 };

export function unionRect(a: Rect, b: Rect): Rect {
  if (a.w <= 0 || a.h <= 0) return b;
  if (b.w <= 0 || b.h <= 0) return a;
  const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** Stamp a disc; return the pixel rectangle it touched (clipped to the mask). */
export function stampDisc(mask: Uint8Array, height: number, width: number, c: Point, radius: number, value: 0 | 1): Rect {
  const r = Math.max(0.5, radius);
  const x0 = Math.max(0, Math.floor(c.x - r)), x1 = Math.min(width - 1, Math.ceil(c.x + r));
  const y0 = Math.max(0, Math.floor(c.y - r)), y1 = Math.min(height - 1, Math.ceil(c.y + r));
  if (x0 > x1 || y0 > y1) return EMPTY_RECT;
  const r2 = r * r;
  let minX = Infinity, maxX = -1, minY = Infinity, maxY = -1;
  for (let x = x0; x <= x1; x++) {
    const dx = x + 0.5 - c.x;
    const rest = r2 - dx * dx;
    if (rest < 0) continue;
    // rows whose centre is within the disc in this column: a contiguous span, one fill
    const span = Math.sqrt(rest);
    const ya = Math.max(y0, Math.ceil(c.y - span - 0.5));
    const yb = Math.min(y1, Math.floor(c.y + span - 0.5));
    if (ya > yb) continue;
    mask.fill(value, x * height + ya, x * height + yb + 1);
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, ya); maxY = Math.max(maxY, yb);
  }
  return maxX < 0 ? EMPTY_RECT : { x: minX, y: minY, w: maxX - minX + 1, h: maxY - minY + 1 };
}

/** Stamp discs along a segment; return the union of touched rectangles. */
export function stampLine(
  mask: Uint8Array, height: number, width: number, from: Point, to: Point, radius: number, value: 0 | 1,
): Rect {
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  const step = Math.max(1, radius / 2);
  const n = Math.max(1, Math.ceil(length / step));
  let dirty = EMPTY_RECT;
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const p = { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t };
    dirty = unionRect(dirty, stampDisc(mask, height, width, p, radius, value));
  }
  return dirty;
}

/** Fill an axis-aligned box into a column-major mask (a box-only frame turned into a mask). */
export function fillBox(mask: Uint8Array, height: number, width: number, [bx, by, bw, bh]: number[]): void {
  const x0 = Math.max(0, Math.round(bx)), x1 = Math.min(width, Math.round(bx + bw));
  const y0 = Math.max(0, Math.round(by)), y1 = Math.min(height, Math.round(by + bh));
  for (let x = x0; x < x1; x++) mask.fill(1, x * height + y0, x * height + y1);
}
