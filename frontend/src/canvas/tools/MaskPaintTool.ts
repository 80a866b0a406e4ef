/** Shared stroke handling of the brush and the eraser: stamp discs along the pointer's path. */
import { imageToScreen, type Point, type View } from "../geometry";
import { stampLine } from "../stamp";
import { Tool, type MaskEdit } from "./Tool";

export abstract class MaskPaintTool extends Tool {
  abstract readonly value: 0 | 1;
  abstract readonly name: "brush" | "eraser";
  readonly cursor = "none";
  private edit: MaskEdit | null = null;
  private last: Point | null = null;
  private hover: Point | null = null;

  pointerDown(image: Point): void {
    this.edit = this.host.beginMaskEdit();
    if (!this.edit) return;
    this.last = image;
    this.stamp(image);
  }

  pointerMove(image: Point): void {
    this.hover = image;
    if (this.edit) this.stamp(image);
    this.host.requestRender();
  }

  pointerUp(image: Point): void {
    if (!this.edit) return;
    this.stamp(image);
    const edit = this.edit;
    this.edit = this.last = null;
    this.host.endMaskEdit(edit, this.name);
  }

  pointerLeave(): void {
    this.hover = null;
    this.host.requestRender();
  }

  private stamp(p: Point): void {
    if (!this.edit) return;
    const from = this.last ?? p;
    const dirty = stampLine(this.edit.mask, this.host.imageH, this.host.imageW, from, p, this.host.brushSize, this.value);
    this.last = p;
    this.host.paintMaskEdit(this.edit, dirty);
  }

  render(ctx: CanvasRenderingContext2D, view: View): void {
    if (!this.hover) return;
    const c = imageToScreen(view, this.hover);
    const r = Math.max(1, this.host.brushSize * view.scale);
    ctx.beginPath();
    ctx.arc(c.x, c.y, r, 0, Math.PI * 2);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#000";
    ctx.stroke();
    ctx.setLineDash(this.value ? [] : [3, 3]);
    ctx.strokeStyle = this.value ? "#fff" : "#ff8a80";
    ctx.stroke();
    ctx.setLineDash([]);
  }

  isInProgress(): boolean {
    return this.edit !== null;
  }

  cancel(): void {
    // the overlay returns to the stored mask; nothing is emitted
    if (this.edit) this.host.abortMaskEdit();
    this.edit = this.last = null;
  }
}
