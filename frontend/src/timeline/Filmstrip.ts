/**
 * One timeline row per track: manual frames white, propagated frames coloured by their
 * confidence (red..green: the mask's quality, else the tracker's score), outside frames (object not
 * visible) as a thin violet line, empty frames dark,
 * suspicious frames marked with a red tick, frames where a propagation lost the target marked
 * orange over the row's height, and the playhead. Click or drag on a row to seek.
 * Rows are drawn once into an offscreen canvas; moving the playhead only copies them.
 */
import { h } from "../ui/dom";
import { confidence, confidenceColour, frameKinds, suspiciousFrames, type FrameInfo } from "./ConfidenceStrip";

export interface FilmstripTrack {
  id: number;
  name: string;
  colour: string;
  selected: boolean;
  frames: FrameInfo[];
  lost: number[]; // frames where the latest propagation lost the target (re-anchor there)
}

const ROW_H = 18;
const MANUAL_COLOUR = "#f2f2f2";
export const LOST_COLOUR = "#ff9f0a";
export const OUTSIDE_COLOUR = "#8e7cc3";

export class Filmstrip {
  readonly element: HTMLElement;
  onSeek: (frame: number) => void = () => {};
  onSelect: (trackId: number) => void = () => {};
  private canvas: HTMLCanvasElement;
  private names: HTMLElement;
  private rows: FilmstripTrack[] = [];
  private cache: HTMLCanvasElement = document.createElement("canvas");
  private frame = 0;
  private dragging = false;

  constructor(private frameCount: number) {
    this.canvas = h("canvas", { class: "filmstrip-canvas", "aria-label": "track timelines: click to seek" });
    this.names = h("div", { class: "filmstrip-names" });
    this.element = h("div", { class: "filmstrip" }, this.names, this.canvas);
    const seek = (e: PointerEvent) => {
      const rect = this.canvas.getBoundingClientRect();
      const f = Math.floor(((e.clientX - rect.left) / rect.width) * this.frameCount);
      this.onSeek(Math.min(this.frameCount - 1, Math.max(0, f)));
      const row = Math.floor((e.clientY - rect.top) / ROW_H);
      if (e.type === "pointerdown" && this.rows[row]) this.onSelect(this.rows[row].id);
    };
    this.canvas.addEventListener("pointerdown", (e) => { this.dragging = true; this.canvas.setPointerCapture(e.pointerId); seek(e); });
    this.canvas.addEventListener("pointermove", (e) => this.dragging && seek(e));
    this.canvas.addEventListener("pointerup", () => (this.dragging = false));
    new ResizeObserver(() => this.redraw()).observe(this.canvas);
  }

  setTracks(rows: FilmstripTrack[]): void {
    this.rows = rows;
    this.names.replaceChildren(...rows.map((r) => h("div", {
      class: `filmstrip-name${r.selected ? " selected" : ""}`, style: `border-left-color:${r.colour}`,
      title: r.name + r.lost.map((f) => ` · target lost at frame ${f}`).join(""), "data-lost-frames": r.lost.join(" "),
      onclick: () => this.onSelect(r.id),
    }, r.name)));
    this.redraw();
  }

  setFrame(frame: number): void {
    this.frame = frame;
    this.blit();
  }

  private redraw(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const height = Math.max(1, Math.round(Math.max(1, this.rows.length) * ROW_H * dpr));
    this.canvas.style.height = `${Math.max(1, this.rows.length) * ROW_H}px`;
    this.canvas.width = this.cache.width = width;
    this.canvas.height = this.cache.height = height;
    const ctx = this.cache.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const w = width / dpr, per = w / this.frameCount;
    this.rows.forEach((row, i) => {
      const y = i * ROW_H;
      ctx.fillStyle = row.selected ? "#2c2f38" : "#202228";
      ctx.fillRect(0, y, w, ROW_H - 2);
      const kinds = frameKinds(row.frames, this.frameCount);
      const byFrame = new Map(row.frames.map((f) => [f.frame, f]));
      for (let f = 0; f < this.frameCount; f++) {
        if (kinds[f] === "empty") continue;
        if (kinds[f] === "outside") {
          ctx.fillStyle = OUTSIDE_COLOUR;
          ctx.fillRect(f * per, y + ROW_H / 2 - 2, Math.max(per, 1 / dpr), 3);
          continue;
        }
        // manual frames white and full height; propagated ones shorter, coloured by confidence
        const info = byFrame.get(f);
        ctx.fillStyle = kinds[f] === "manual" ? MANUAL_COLOUR : confidenceColour(info ? confidence(info) : null);
        // at least one device pixel per frame, so long clips still show every annotated frame
        const x = f * per;
        const top = kinds[f] === "manual" ? y : y + 4;
        ctx.fillRect(x, top, Math.max(per, 1 / dpr), kinds[f] === "manual" ? ROW_H - 2 : ROW_H - 6);
      }
      ctx.fillStyle = "#ff3b30";
      for (const mark of suspiciousFrames(row.frames)) {
        const x = (mark.frame + 0.5) * per;
        ctx.beginPath();
        ctx.moveTo(x - 4, y);
        ctx.lineTo(x + 4, y);
        ctx.lineTo(x, y + 6);
        ctx.fill();
      }
      ctx.fillStyle = LOST_COLOUR;
      for (const f of row.lost) ctx.fillRect(f * per, y, Math.max(per, 2 / dpr), ROW_H - 2);
    });
    this.blit();
  }

  private blit(): void {
    const ctx = this.canvas.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.cache, 0, 0);
    const x = ((this.frame + 0.5) / this.frameCount) * this.canvas.width;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(Math.round(x) - 1, 0, 2, this.canvas.height);
  }
}
