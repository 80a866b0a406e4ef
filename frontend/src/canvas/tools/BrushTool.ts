/** Paints the selected track's mask on the current frame. */
import { MaskPaintTool } from "./MaskPaintTool";

export class BrushTool extends MaskPaintTool {
  readonly name = "brush";
  readonly value = 1;
}
