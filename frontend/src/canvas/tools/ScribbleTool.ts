/**
 * Scribbles for GrabCut: drag over the object (foreground) or, with Shift or Alt held, over what
 * is not the object (background). Each released stroke emits canvas.scribbled with every stroke
 * made on this track and frame so far; the workspace asks the server to refine the mask with them
 * (workspace/scribbles.ts). Enter sends them again, Escape forgets them.
 */
import { imageToScreen, type Point, type View } from "../geometry";
import type { Scribble } from "../types";
import { Tool } from "./Tool";

const FOREGROUND = "rgba(46, 204, 113, 0.75)";
const BACKGROUND = "rgba(231, 76, 60, 0.75)";

export class ScribbleTool extends Tool {
  readonly name = "scribble";
  readonly cursor = "none";
  private strokes: Scribble[] = [];
  private drawing: Scribble | null = null;
  private owner = ""; // "track:frame" the strokes belong to
  private hover: Point | null = null;
  private hoverBackground = false;

  pointerDown(image: Point, _screen: Point, event: PointerEvent): void {
    const track = this.host.editableTrack();
    if (!track) return;
    const owner = `${track.id}:${this.host.frame}`;
    if (owner !== this.owner) this.strokes = [];
    this.owner = owner;
    this.drawing = { foreground: !(event.shiftKey || event.altKey), radius: this.host.brushSize, points: [] };
    this.add(image);
  }

  pointerMove(image: Point, _screen: Point, event: PointerEvent): void {
    this.hover = image;
    this.hoverBackground = event.shiftKey || event.altKey;
    if (this.drawing) this.add(image);
    this.host.requestRender();
  }

  pointerUp(image: Point): void {
    if (!this.drawing) return;
    this.add(image);
    this.strokes.push(this.drawing);
    this.drawing = null;
    this.send();
  }

  pointerLeave(): void {
    this.hover = null;
    this.host.requestRender();
  }

  keyDown(key: string): boolean {
    if (!this.current().length) return false;
    if (key === "Escape") this.strokes = [];
    else if (key === "Enter") this.send();
    else return false;
    return true;
  }

  render(ctx: CanvasRenderingContext2D, view: View): void {
    ctx.lineCap = ctx.lineJoin = "round";
    for (const s of [...this.current(), ...(this.drawing ? [this.drawing] : [])]) {
      ctx.strokeStyle = s.foreground ? FOREGROUND : BACKGROUND;
      ctx.lineWidth = Math.max(1, 2 * s.radius * view.scale);
      const points = s.points.map(([x, y]) => imageToScreen(view, { x, y }));
      ctx.beginPath();
      ctx.moveTo(points[0].x, points[0].y);
      for (const p of points) ctx.lineTo(p.x, p.y); // from the first point too: a click leaves a dot
      ctx.stroke();
    }
    if (this.hover) {
      const c = imageToScreen(view, this.hover);
      ctx.beginPath();
      ctx.arc(c.x, c.y, Math.max(1, this.host.brushSize * view.scale), 0, Math.PI * 2);
      ctx.lineWidth = 2;
      ctx.strokeStyle = this.hoverBackground ? BACKGROUND : FOREGROUND;
      ctx.stroke();
    }
  }

  isInProgress(): boolean {
    return this.drawing !== null;
  }

  cancel(): void {
    this.drawing = null;
    this.host.requestRender();
  }

  /** The strokes of the selected track on this frame (others are stale: forgotten on the next stroke). */
  private current(): Scribble[] {
    const track = this.host.selectedTrack();
    return track && `${track.id}:${this.host.frame}` === this.owner ? this.strokes : [];
  }

  private add(p: Point): void {
    // the server refuses points off the frame: clamp, and skip sub-pixel moves
    const x = Math.min(this.host.imageW, Math.max(0, p.x)), y = Math.min(this.host.imageH, Math.max(0, p.y));
    const last = this.drawing!.points.at(-1);
    if (!last || Math.hypot(last[0] - x, last[1] - y) >= 1) this.drawing!.points.push([x, y]);
    this.host.requestRender();
  }

  private send(): void {
    const [trackId, frame] = this.owner.split(":").map(Number);
    const strokes = this.strokes.map((s) => ({ ...s, points: [...s.points] }));
    this.host.emit("canvas.scribbled", { trackId, frame, strokes });
    this.host.requestRender();
  }
}
