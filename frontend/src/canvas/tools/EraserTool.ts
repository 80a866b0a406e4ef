/** Erases from the selected track's mask on the current frame. */
import { MaskPaintTool } from "./MaskPaintTool";

export class EraserTool extends MaskPaintTool {
  readonly name = "eraser";
  readonly value = 0;
}
