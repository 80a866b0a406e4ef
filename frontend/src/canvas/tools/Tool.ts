/**
 * Base class of the canvas tools: one tool per mode, one file per tool.
 * The canvas routes pointer events (in image and screen coordinates) to the active tool and
 * calls render() to draw its preview; the tool talks back only through its ToolHost.
 */
import type { Point, View } from "../geometry";
import type { CanvasEvents } from "../../events";
import type { CanvasTrack } from "../types";
import type { Rect } from "../stamp";

export interface MaskEdit {
  trackId: number;
  frame: number;
  mask: Uint8Array; // column-major, frame height x width
  colour: number; // packed RGBA for the live preview
}

export interface ToolHost {
  readonly imageW: number;
  readonly imageH: number;
  readonly frame: number;
  readonly brushSize: number; // radius in image pixels
  view(): View;
  setView(view: View): void;
  selectedTrack(): CanvasTrack | null;
  pick(p: Point): number | null;
  requestRender(): void;
  emit<K extends keyof CanvasEvents>(type: K, payload: CanvasEvents[K]): void;
  /** The selected track when it may be edited; else null, and the canvas says why. */
  editableTrack(): CanvasTrack | null;
  beginMaskEdit(): MaskEdit | null;
  paintMaskEdit(edit: MaskEdit, dirty: Rect): void;
  endMaskEdit(edit: MaskEdit, tool: "brush" | "eraser"): void;
  abortMaskEdit(): void;
  /** Show a whole new mask (column-major) for a track and emit canvas.edited. */
  commitMask(trackId: number, frame: number, mask: Uint8Array, tool: "brush" | "eraser" | "polygon"): void;
}

export abstract class Tool {
  abstract readonly name: string;
  readonly cursor: string = "crosshair";

  constructor(protected host: ToolHost) {}

  pointerDown(_image: Point, _screen: Point, _event: PointerEvent): void {}
  pointerMove(_image: Point, _screen: Point, _event: PointerEvent): void {}
  pointerUp(_image: Point, _screen: Point, _event: PointerEvent): void {}
  /** The pointer left the canvas (the preview should disappear). */
  pointerLeave(): void {}
  /** Draw the preview in CSS pixels (the context is already scaled for the device pixel ratio). */
  render(_ctx: CanvasRenderingContext2D, _view: View): void {}
  isInProgress(): boolean {
    return false;
  }
  /** Abandon the gesture in progress (Escape). */
  cancel(): void {}
  /** Another tool was chosen: by default, abandon the gesture. */
  leave(): void {
    this.cancel();
  }
  /** A key pressed over the workspace (no Ctrl/Meta); true when the tool used it. */
  keyDown(_key: string): boolean {
    return false;
  }
}
