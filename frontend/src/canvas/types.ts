/** Data the canvas draws. Plain values: the canvas never fetches or stores anything itself. */
import type { BoxXYWH, Corners } from "./geometry";

export interface CanvasAnnotation {
  bbox: BoxXYWH | null;
  rotatedBox: Corners | null;
  runs: Uint32Array | null; // decoded COCO RLE (column-major), null when the frame has no mask
  source: "manual_box" | "manual_mask" | "propagated";
  confidence: number | null; // the mask's quality, else tracker score (the store decides which)
}

export interface CanvasTrack {
  id: number;
  objectId: number;
  label: string;
  colour: string; // "#rrggbb"
  visible: boolean; // hidden tracks are neither drawn nor picked
  locked: boolean; // locked tracks refuse brush and eraser strokes
  selected: boolean;
  annotation: CanvasAnnotation | null; // on the current frame
}

export interface LayerToggles {
  masks: boolean;
  boxes: boolean;
  rotatedBoxes: boolean;
}

export type ToolName = "pan" | "box" | "brush" | "eraser" | "scribble" | "polygon";

/** A scribble stroke: a polyline painted with a round brush (image pixels). */
export interface Scribble {
  foreground: boolean; // true: the object; false: background
  radius: number;
  points: [number, number][];
}
