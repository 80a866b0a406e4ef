/** Draws the active tool's preview (rubber-band box, brush cursor) above everything else. */
import type { View } from "../geometry";
import type { Tool } from "../tools/Tool";

export class InteractionLayer {
  draw(ctx: CanvasRenderingContext2D, view: View, dpr: number, tool: Tool | null): void {
    if (!tool) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    tool.render(ctx, view);
  }
}
