/** Drag a rectangle; on release the canvas emits canvas.drawn with the box in image pixels. */
import { boxFromPoints, imageToScreen, type Point, type View } from "../geometry";
import { Tool } from "./Tool";

const MIN_SIDE = 2; // image pixels: smaller boxes are not stored
/** Screen pixels: a drag whose width or height is smaller is a click (or a slip), not a box, whatever the zoom. */
export const MIN_SCREEN_SIDE = 6;
export const TOO_SMALL = "drag a larger box: a click or a tiny drag draws nothing";

/** Whether a drag from `a` to `b` (screen pixels) is too small to be a box. */
export function tooSmallDrag(a: Point, b: Point): boolean {
  return Math.abs(b.x - a.x) < MIN_SCREEN_SIDE || Math.abs(b.y - a.y) < MIN_SCREEN_SIDE;
}

export class BoxTool extends Tool {
  readonly name = "box";
  private start: Point | null = null;
  private startScreen: Point | null = null;
  private current: Point | null = null;
  private hover: Point | null = null;

  pointerDown(image: Point, screen: Point): void {
    this.start = image;
    this.startScreen = screen;
    this.current = image;
  }

  pointerMove(image: Point): void {
    this.hover = image;
    if (this.start) this.current = image;
    this.host.requestRender();
  }

  pointerUp(image: Point, screen: Point): void {
    if (!this.start) return;
    const box = boxFromPoints(this.start, image, this.host.imageW, this.host.imageH);
    const small = this.startScreen !== null && tooSmallDrag(this.startScreen, screen);
    this.start = this.current = this.startScreen = null;
    this.host.requestRender();
    if (small || box[2] < MIN_SIDE || box[3] < MIN_SIDE) return this.host.emit("canvas.refused", { reason: TOO_SMALL });
    this.host.emit("canvas.drawn", { frame: this.host.frame, box });
  }

  pointerLeave(): void {
    this.hover = null;
    this.host.requestRender();
  }

  render(ctx: CanvasRenderingContext2D, view: View): void {
    const colour = this.host.selectedTrack()?.colour ?? "#ffffff";
    if (this.hover && !this.start) {
      // crosshair lines help to place the first corner precisely
      const p = imageToScreen(view, this.hover);
      ctx.strokeStyle = "rgba(255,255,255,0.35)";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(p.x, 0); ctx.lineTo(p.x, ctx.canvas.height);
      ctx.moveTo(0, p.y); ctx.lineTo(ctx.canvas.width, p.y);
      ctx.stroke();
    }
    if (this.start && this.current) {
      const [x, y, w, h] = boxFromPoints(this.start, this.current, this.host.imageW, this.host.imageH);
      const p = imageToScreen(view, { x, y });
      ctx.setLineDash([5, 3]);
      ctx.lineWidth = 2;
      ctx.strokeStyle = colour;
      ctx.strokeRect(p.x, p.y, w * view.scale, h * view.scale);
      ctx.setLineDash([]);
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillText(`${Math.round(w)}×${Math.round(h)}`, p.x + 4, p.y + 14);
    }
  }

  isInProgress(): boolean {
    return this.start !== null;
  }

  cancel(): void {
    this.start = this.current = this.startScreen = null;
    this.host.requestRender();
  }
}
