/** Drag to pan; a click picks the track under the pointer. */
import { panBy, type Point } from "../geometry";
import { Tool } from "./Tool";

export class PanTool extends Tool {
  readonly name = "pan";
  readonly cursor = "grab";
  private last: Point | null = null;
  private moved = 0;

  pointerDown(_image: Point, screen: Point): void {
    this.last = screen;
    this.moved = 0;
  }

  pointerMove(_image: Point, screen: Point): void {
    if (!this.last) return;
    const dx = screen.x - this.last.x, dy = screen.y - this.last.y;
    this.moved += Math.abs(dx) + Math.abs(dy);
    this.host.setView(panBy(this.host.view(), dx, dy));
    this.last = screen;
  }

  pointerUp(image: Point): void {
    if (this.last && this.moved < 3) this.host.emit("canvas.picked", { trackId: this.host.pick(image) });
    this.last = null;
  }

  isInProgress(): boolean {
    return this.last !== null;
  }

  cancel(): void {
    this.last = null;
  }
}
