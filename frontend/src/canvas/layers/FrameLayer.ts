/** Draws the video frame under the view transform. */
import type { View } from "../geometry";

export class FrameLayer {
  private bitmap: CanvasImageSource | null = null;

  set(bitmap: CanvasImageSource | null): void {
    this.bitmap = bitmap;
  }

  get hasFrame(): boolean {
    return this.bitmap !== null;
  }

  draw(ctx: CanvasRenderingContext2D, view: View, dpr: number, imageW: number, imageH: number): void {
    ctx.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.offsetX, dpr * view.offsetY);
    if (this.bitmap) {
      // smooth when shrinking or mildly enlarging; show real pixels when zoomed in for detail work
      ctx.imageSmoothingEnabled = view.scale < 3;
      ctx.drawImage(this.bitmap, 0, 0, imageW, imageH);
    } else {
      ctx.fillStyle = "#15161a";
      ctx.fillRect(0, 0, imageW, imageH);
    }
  }
}
