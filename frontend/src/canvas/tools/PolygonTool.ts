/**
 * The selected track's mask as polygons: its outlines (holes too), simplified with Douglas–Peucker
 * at TOLERANCE pixels, shown as vertices. Drag a vertex to move it; double-click an edge to insert
 * one; Alt-click a vertex, or click it and press Delete, to remove it. Enter, or choosing another
 * tool, fills the polygons back into the mask (one canvas.edited: one undo step); Escape drops the
 * changes, and so does going to another frame or track.
 */
import { imageToScreen, type Point, type View } from "../geometry";
import { fillRings, segmentDistance, simplifyRings, traceRings, type Ring } from "../polygons";
import { maskFromRuns } from "../rle";
import type { CanvasTrack } from "../types";
import { Tool } from "./Tool";

export const TOLERANCE = 1.5; // image pixels a simplified outline may stray from the mask's edge
const HANDLE = 5; // screen pixels: half the side of a vertex handle, and how near a click must be
const DOUBLE_CLICK_MS = 400;

interface VertexRef {
  ring: number;
  index: number;
}

interface Source {
  trackId: number;
  frame: number;
  runs: Uint32Array | null; // the annotation the rings came from (compared by identity)
  bbox: unknown;
}

export class PolygonTool extends Tool {
  readonly name = "polygon";
  private rings: Ring[] = [];
  private source: Source | null = null;
  private dirty = false;
  private dragging: VertexRef | null = null;
  private selected: VertexRef | null = null;
  private lastDown = { time: -Infinity, x: 0, y: 0 };

  pointerDown(image: Point, screen: Point, event: PointerEvent): void {
    this.sync();
    const double = event.timeStamp - this.lastDown.time < DOUBLE_CLICK_MS
      && Math.hypot(screen.x - this.lastDown.x, screen.y - this.lastDown.y) < HANDLE;
    this.lastDown = { time: event.timeStamp, x: screen.x, y: screen.y };
    const vertex = this.vertexAt(screen);
    const edge = vertex || !double ? null : this.edgeAt(screen);
    this.selected = null;
    if ((!vertex && !edge) || !this.host.editableTrack()) return this.host.requestRender();
    if (vertex && event.altKey) {
      this.remove(vertex);
    } else if (vertex) {
      this.selected = this.dragging = vertex;
    } else if (edge) {
      this.rings[edge.ring].splice(edge.index + 1, 0, this.clamp(image));
      this.selected = this.dragging = { ring: edge.ring, index: edge.index + 1 };
      this.dirty = true;
    }
    this.host.requestRender();
  }

  pointerMove(image: Point): void {
    if (!this.dragging) return;
    this.rings[this.dragging.ring][this.dragging.index] = this.clamp(image);
    this.dirty = true;
    this.host.requestRender();
  }

  pointerUp(): void {
    this.dragging = null;
  }

  keyDown(key: string): boolean {
    this.sync();
    if (key === "Enter" && this.dirty) this.commit();
    else if (key === "Escape" && this.dirty) this.source = null; // rebuilt from the mask on the next sync
    else if ((key === "Delete" || key === "Backspace") && this.selected) this.remove(this.selected);
    else return false;
    return true;
  }

  render(ctx: CanvasRenderingContext2D, view: View): void {
    this.sync();
    if (!this.rings.length) return;
    const colour = this.host.selectedTrack()?.colour ?? "#ffffff";
    ctx.beginPath();
    for (const ring of this.rings) {
      ring.forEach((v, i) => {
        const p = imageToScreen(view, v);
        if (i) ctx.lineTo(p.x, p.y);
        else ctx.moveTo(p.x, p.y);
      });
      ctx.closePath();
    }
    if (this.dirty) {
      ctx.fillStyle = "rgba(255, 255, 255, 0.25)"; // what Enter will store
      ctx.fill("evenodd");
    }
    ctx.lineWidth = 3;
    ctx.strokeStyle = "#000";
    ctx.stroke();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = colour;
    ctx.stroke();
    this.rings.forEach((ring, r) => ring.forEach((v, i) => {
      const p = imageToScreen(view, v);
      const chosen = this.selected?.ring === r && this.selected.index === i;
      ctx.fillStyle = chosen ? "#ffd400" : "#fff";
      ctx.fillRect(p.x - HANDLE + 1, p.y - HANDLE + 1, 2 * HANDLE - 2, 2 * HANDLE - 2);
      ctx.lineWidth = 1;
      ctx.strokeStyle = "#000";
      ctx.strokeRect(p.x - HANDLE + 1, p.y - HANDLE + 1, 2 * HANDLE - 2, 2 * HANDLE - 2);
    }));
  }

  isInProgress(): boolean {
    return this.dragging !== null;
  }

  cancel(): void {
    this.dragging = null;
  }

  leave(): void {
    this.cancel();
    if (this.dirty) this.commit();
  }

  /** Rebuild the rings when the selected track's annotation on this frame is not the one they came from. */
  private sync(): void {
    const track = this.host.selectedTrack();
    const a = track?.annotation ?? null;
    const now = track && { trackId: track.id, frame: this.host.frame, runs: a?.runs ?? null, bbox: a?.bbox ?? null };
    const was = this.source;
    const same = was && now && was.trackId === now.trackId && was.frame === now.frame && was.runs === now.runs
      && was.bbox === now.bbox;
    if (same || (!was && !now)) return;
    this.source = now;
    this.dirty = false;
    this.dragging = this.selected = null;
    this.rings = track ? this.ringsOf(track) : [];
  }

  private ringsOf(track: CanvasTrack): Ring[] {
    const a = track.annotation;
    const { imageH, imageW } = this.host;
    if (a?.runs) return simplifyRings(traceRings(maskFromRuns(a.runs, imageH, imageW), imageH, imageW), TOLERANCE);
    if (!a?.bbox) return [];
    const [x, y, w, h] = a.bbox; // a box-only frame: its box is the polygon
    return [[{ x, y }, { x: x + w, y }, { x: x + w, y: y + h }, { x, y: y + h }]];
  }

  private commit(): void {
    const source = this.source;
    this.dirty = false;
    if (!source) return;
    const mask = fillRings(this.rings, this.host.imageH, this.host.imageW);
    this.host.commitMask(source.trackId, source.frame, mask, "polygon");
  }

  private remove(vertex: VertexRef): void {
    const ring = this.rings[vertex.ring];
    if (ring.length > 3) ring.splice(vertex.index, 1);
    else this.rings.splice(vertex.ring, 1); // a triangle without a corner is nothing
    this.selected = null;
    this.dirty = true;
  }

  private clamp(p: Point): Point {
    return { x: Math.min(this.host.imageW, Math.max(0, p.x)), y: Math.min(this.host.imageH, Math.max(0, p.y)) };
  }

  private vertexAt(screen: Point): VertexRef | null {
    let best: VertexRef | null = null, bestDistance = HANDLE + 2;
    this.rings.forEach((ring, r) => ring.forEach((v, i) => {
      const p = imageToScreen(this.host.view(), v);
      const d = Math.hypot(p.x - screen.x, p.y - screen.y);
      if (d <= bestDistance) { best = { ring: r, index: i }; bestDistance = d; }
    }));
    return best;
  }

  /** The edge under the pointer, as the index of its first vertex. */
  private edgeAt(screen: Point): VertexRef | null {
    const view = this.host.view();
    for (const [r, ring] of this.rings.entries()) {
      for (let i = 0; i < ring.length; i++) {
        const a = imageToScreen(view, ring[i]), b = imageToScreen(view, ring[(i + 1) % ring.length]);
        if (segmentDistance(screen, a, b) <= HANDLE) return { ring: r, index: i };
      }
    }
    return null;
  }
}
