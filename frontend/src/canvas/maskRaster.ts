/**
 * Rasterising RLE masks into an RGBA overlay, the hot path of drawing (pure, no DOM).
 *
 * The overlay is the frame transposed: width = frame height, height = frame width, so pixel
 * (x, y) of the frame sits at index x * frameHeight + y, which is exactly COCO's column-major
 * order. A run of the RLE is then one contiguous Uint32Array.fill, and the canvas transposes the
 * overlay back when drawing it (MaskLayer: setTransform(0, s, s, 0, ...)).
 */

/** Pack a "#rrggbb" colour and an alpha 0..1 into one little-endian RGBA pixel (ImageData order). */
export function packColour(hex: string, alpha: number): number {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  const rgb = m ? parseInt(m[1], 16) : 0x4363d8;
  const r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255);
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** Paint the foreground runs of one mask into the overlay. */
export function fillRuns(pixels: Uint32Array, runs: ArrayLike<number>, colour: number): void {
  let pos = 0;
  const n = runs.length;
  for (let i = 0; i < n; i++) {
    const len = runs[i];
    if (i & 1) pixels.fill(colour, pos, pos + len);
    pos += len;
  }
}

export interface RasterEntry {
  runs: ArrayLike<number>;
  colour: number;
}

/** Clear the overlay and paint each mask in order (later ones on top). */
export function composeMasks(pixels: Uint32Array, entries: RasterEntry[]): void {
  pixels.fill(0);
  for (const e of entries) fillRuns(pixels, e.runs, e.colour);
}

/**
 * Repaint a rectangle of the overlay from a column-major mask being edited, over `under` (the
 * other tracks' pixels), so a brush stroke shows at once without recomposing the whole frame.
 */
export function paintMaskRect(
  pixels: Uint32Array, under: Uint32Array, mask: Uint8Array, height: number,
  rect: { x: number; y: number; w: number; h: number }, colour: number,
): void {
  for (let x = rect.x; x < rect.x + rect.w; x++) {
    const base = x * height;
    for (let i = base + rect.y, end = base + rect.y + rect.h; i < end; i++) pixels[i] = mask[i] ? colour : under[i];
  }
}

/** Whether a column-major pixel index falls in a foreground run. */
export function runsContain(runs: ArrayLike<number>, index: number): boolean {
  let pos = 0;
  for (let i = 0; i < runs.length; i++) {
    pos += runs[i];
    if (index < pos) return (i & 1) === 1;
  }
  return false;
}
