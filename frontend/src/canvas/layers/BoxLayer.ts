/** Draws each track's box (solid when drawn by hand, dashed when propagated), rotated box and tag. */
import { imageToScreen, type View } from "../geometry";
import type { CanvasTrack, LayerToggles } from "../types";

export class BoxLayer {
  draw(ctx: CanvasRenderingContext2D, view: View, dpr: number, tracks: CanvasTrack[], toggles: LayerToggles): void {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0); // draw in CSS pixels so lines stay thin at any zoom
    ctx.font = "12px system-ui, sans-serif";
    ctx.textBaseline = "bottom";
    for (const t of tracks) {
      const a = t.annotation;
      if (!t.visible || !a) continue;
      const width = t.selected ? 2.5 : 1.5;
      if (toggles.rotatedBoxes && a.rotatedBox) {
        ctx.beginPath();
        a.rotatedBox.forEach(([x, y], i) => {
          const p = imageToScreen(view, { x, y });
          if (i === 0) ctx.moveTo(p.x, p.y);
          else ctx.lineTo(p.x, p.y);
        });
        ctx.closePath();
        ctx.setLineDash([]);
        ctx.lineWidth = width;
        ctx.strokeStyle = "#ffffff";
        ctx.globalAlpha = 0.9;
        ctx.stroke();
        ctx.strokeStyle = t.colour;
        ctx.lineWidth = width - 0.75;
        ctx.stroke();
        ctx.globalAlpha = 1;
      }
      if (a.bbox && (toggles.boxes || a.source === "manual_box")) {
        const [x, y, w, h] = a.bbox;
        const p = imageToScreen(view, { x, y });
        ctx.setLineDash(a.source === "propagated" ? [6, 4] : []);
        ctx.lineWidth = width;
        ctx.strokeStyle = t.colour;
        ctx.strokeRect(p.x, p.y, w * view.scale, h * view.scale);
        ctx.setLineDash([]);
        const tag = `${t.label} #${t.objectId}` + (a.confidence != null ? ` ${a.confidence.toFixed(2)}` : "");
        const tw = ctx.measureText(tag).width + 8;
        ctx.fillStyle = t.colour;
        ctx.fillRect(p.x, p.y - 16, tw, 16);
        ctx.fillStyle = "#000";
        ctx.fillText(tag, p.x + 4, p.y - 2);
      }
    }
  }
}
