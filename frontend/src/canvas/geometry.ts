/**
 * Drawing maths: the view transform (zoom and pan), boxes and rotated boxes.
 *
 *   let view = fitView(1920, 1080, 1000, 600);         // whole frame, centred
 *   view = zoomAt(view, 1.25, { x: 300, y: 200 });      // that screen point stays put
 *   const p = screenToImage(view, { x: 300, y: 200 });  // image pixels
 *
 * Image coordinates are pixels with (0, 0) the top-left corner of the top-left pixel; screen
 * coordinates are CSS pixels of the canvas element. screen = image * scale + offset.
 */

export interface Point {
  x: number;
  y: number;
}

export interface View {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export type BoxXYWH = [number, number, number, number];
export type Corners = [number, number][]; // 4x2, as the API sends rotated_box

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 40;

export function imageToScreen(view: View, p: Point): Point {
  return { x: p.x * view.scale + view.offsetX, y: p.y * view.scale + view.offsetY };
}

export function screenToImage(view: View, p: Point): Point {
  return { x: (p.x - view.offsetX) / view.scale, y: (p.y - view.offsetY) / view.scale };
}

/** Return the view showing the whole image centred in the viewport, with a margin in CSS px. */
export function fitView(imageW: number, imageH: number, viewW: number, viewH: number, margin = 8): View {
  const scale = Math.max(MIN_SCALE, Math.min((viewW - 2 * margin) / imageW, (viewH - 2 * margin) / imageH));
  return { scale, offsetX: (viewW - imageW * scale) / 2, offsetY: (viewH - imageH * scale) / 2 };
}

/** Zoom by `factor` about a screen point, which keeps showing the same image point. */
export function zoomAt(view: View, factor: number, at: Point): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const anchor = screenToImage(view, at);
  return { scale, offsetX: at.x - anchor.x * scale, offsetY: at.y - anchor.y * scale };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, offsetX: view.offsetX + dx, offsetY: view.offsetY + dy };
}

/** Zoom factor for one wheel event: smooth for trackpads, ~1.2 per notch for mice. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaMode === 1 ? deltaY * 33 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-Math.max(-300, Math.min(300, pixels)) * 0.0015);
}

/** The [x, y, w, h] box spanned by two image points, clipped to the frame. */
export function boxFromPoints(a: Point, b: Point, imageW: number, imageH: number): BoxXYWH {
  const clampX = (v: number) => Math.min(imageW, Math.max(0, v));
  const clampY = (v: number) => Math.min(imageH, Math.max(0, v));
  const x0 = clampX(Math.min(a.x, b.x)), x1 = clampX(Math.max(a.x, b.x));
  const y0 = clampY(Math.min(a.y, b.y)), y1 = clampY(Math.max(a.y, b.y));
  const r = (v: number) => Math.round(v * 10) / 10;
  return [r(x0), r(y0), r(x1 - x0), r(y1 - y0)];
}

/** Corners of an axis-aligned box, clockwise from the top-left (as the server writes them). */
export function boxCorners([x, y, w, h]: BoxXYWH): Corners {
  return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
}

export interface RotatedRect {
  cx: number;
  cy: number;
  width: number; // length of the side from corner 0 to corner 1
  height: number; // length of the side from corner 1 to corner 2
  angle: number; // radians, direction of the side from corner 0 to corner 1
}

/** Centre, side lengths and angle of a rotated box given as 4 corners in order. */
export function rotatedRect(corners: Corners): RotatedRect {
  if (corners.length !== 4) throw new Error(`a rotated box has 4 corners, got ${corners.length}`);
  const [p0, p1, p2] = corners;
  const cx = corners.reduce((s, p) => s + p[0], 0) / 4;
  const cy = corners.reduce((s, p) => s + p[1], 0) / 4;
  return {
    cx, cy,
    width: Math.hypot(p1[0] - p0[0], p1[1] - p0[1]),
    height: Math.hypot(p2[0] - p1[0], p2[1] - p1[1]),
    angle: Math.atan2(p1[1] - p0[1], p1[0] - p0[0]),
  };
}

/** The 4 corners of a rotated rectangle (inverse of rotatedRect). */
export function rectCorners({ cx, cy, width, height, angle }: RotatedRect): Corners {
  const ux = Math.cos(angle), uy = Math.sin(angle); // along width
  const vx = -uy, vy = ux; // along height
  const hw = width / 2, hh = height / 2;
  return [
    [cx - ux * hw - vx * hh, cy - uy * hw - vy * hh],
    [cx + ux * hw - vx * hh, cy + uy * hw - vy * hh],
    [cx + ux * hw + vx * hh, cy + uy * hw + vy * hh],
    [cx - ux * hw + vx * hh, cy - uy * hw + vy * hh],
  ];
}

/** Signed area (shoelace); positive when the corners run clockwise on screen (y down). */
export function polygonArea(corners: Corners): number {
  let s = 0;
  for (let i = 0; i < corners.length; i++) {
    const [x0, y0] = corners[i];
    const [x1, y1] = corners[(i + 1) % corners.length];
    s += x0 * y1 - x1 * y0;
  }
  return s / 2;
}

export function pointInPolygon(p: Point, corners: Corners): boolean {
  let inside = false;
  for (let i = 0, j = corners.length - 1; i < corners.length; j = i++) {
    const [xi, yi] = corners[i];
    const [xj, yj] = corners[j];
    if (yi > p.y !== yj > p.y && p.x < ((xj - xi) * (p.y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Axis-aligned bounds [x, y, w, h] of any polygon. */
export function polygonBounds(corners: Corners): BoxXYWH {
  const xs = corners.map((c) => c[0]), ys = corners.map((c) => c[1]);
  const x0 = Math.min(...xs), y0 = Math.min(...ys);
  return [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0];
}

/** True when the corners form a usable rotated box (4 finite points, some area). */
export function isValidRotatedBox(value: unknown): value is Corners {
  return (
    Array.isArray(value) && value.length === 4 &&
    value.every((c) => Array.isArray(c) && c.length === 2 && c.every(Number.isFinite)) &&
    Math.abs(polygonArea(value as Corners)) > 1e-6
  );
}
