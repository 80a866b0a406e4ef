/**
 * Draws every visible track's mask as one overlay (see maskRaster.ts for the transposed layout).
 * The overlay is recomposed only when masks or colours change; zoom and pan only redraw it.
 */
import type { View } from "../geometry";
import { composeMasks, paintMaskRect, type RasterEntry } from "../maskRaster";
import type { Rect } from "../stamp";

type Surface = OffscreenCanvas | HTMLCanvasElement;

function makeSurface(w: number, h: number): Surface {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(w, h);
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  return c;
}

export class MaskLayer {
  private imageW = 0;
  private imageH = 0;
  private image: ImageData | null = null;
  private pixels = new Uint32Array(0);
  private under: Uint32Array | null = null; // other tracks' pixels while one mask is edited
  private surface: Surface | null = null;
  private surfaceCtx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;
  private empty = true;

  setSize(imageW: number, imageH: number): void {
    if (imageW === this.imageW && imageH === this.imageH) return;
    this.imageW = imageW;
    this.imageH = imageH;
    // transposed: the surface is imageH wide and imageW tall
    this.surface = makeSurface(imageH, imageW);
    this.surfaceCtx = this.surface.getContext("2d") as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;
    this.image = new ImageData(imageH, imageW);
    this.pixels = new Uint32Array(this.image.data.buffer);
  }

  /** Recompose from scratch; entries are drawn in order, later ones on top. */
  compose(entries: RasterEntry[]): void {
    if (!this.image || !this.surfaceCtx) return;
    composeMasks(this.pixels, entries);
    this.empty = entries.length === 0;
    this.surfaceCtx.putImageData(this.image, 0, 0);
  }

  /** Start a brush edit: remember the overlay without the edited track's pixels. */
  beginEdit(othersOnly: RasterEntry[]): void {
    if (!this.image) return;
    this.under = new Uint32Array(this.pixels.length);
    composeMasks(this.under, othersOnly);
  }

  /** Show an edited mask's rectangle at once (image pixel coordinates). */
  paintEdit(mask: Uint8Array, rect: Rect, colour: number): void {
    if (!this.image || !this.surfaceCtx || !this.under || rect.w <= 0 || rect.h <= 0) return;
    paintMaskRect(this.pixels, this.under, mask, this.imageH, rect, colour);
    this.empty = false;
    // the surface is transposed: image (x, y, w, h) is surface (y, x, h, w)
    this.surfaceCtx.putImageData(this.image, 0, 0, rect.y, rect.x, rect.h, rect.w);
  }

  endEdit(): void {
    this.under = null;
  }

  draw(ctx: CanvasRenderingContext2D, view: View, dpr: number): void {
    if (this.empty || !this.surface) return;
    const s = dpr * view.scale;
    // surface (u, v) = image (v, u): swap the axes while scaling
    ctx.setTransform(0, s, s, 0, dpr * view.offsetX, dpr * view.offsetY);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.surface, 0, 0);
  }
}
