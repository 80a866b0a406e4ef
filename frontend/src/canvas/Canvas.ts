/**
 * The canvas facade: the only thing pages use to show a frame and edit on it.
 *
 *   const canvas = new Canvas(hostElement);
 *   canvas.setImageSize(1920, 1080);
 *   canvas.setFrame(12, bitmap);
 *   canvas.setTracks(tracks);                 // CanvasTrack[]: colour, box, rotated box, mask runs
 *   canvas.setTool("brush"); canvas.setBrushSize(12);
 *   canvas.events.on("canvas.edited", ({ trackId, frame, mask }) => save(...));
 *
 * It knows nothing of HTTP or the store: data in through setters, events out (see events.ts).
 */
import { EventBus, type CanvasEvents } from "../events";
import { boxCorners, fitView, imageToScreen, pointInPolygon, zoomAt, type Point, type View } from "./geometry";
import { packColour, runsContain, type RasterEntry } from "./maskRaster";
import { bindPointer } from "./pointer";
import { encodeCounts, maskFromRuns, runsArea, runsFromMask } from "./rle";
import type { Rect } from "./stamp";
import { BoxLayer } from "./layers/BoxLayer";
import { FrameLayer } from "./layers/FrameLayer";
import { InteractionLayer } from "./layers/InteractionLayer";
import { MaskLayer } from "./layers/MaskLayer";
import { BoxTool } from "./tools/BoxTool";
import { BrushTool } from "./tools/BrushTool";
import { EraserTool } from "./tools/EraserTool";
import { PanTool } from "./tools/PanTool";
import { PolygonTool } from "./tools/PolygonTool";
import { ScribbleTool } from "./tools/ScribbleTool";
import type { MaskEdit, Tool, ToolHost } from "./tools/Tool";
import type { CanvasTrack, LayerToggles, ToolName } from "./types";

export const MASK_ALPHA = 0.45;
export const SELECTED_MASK_ALPHA = 0.6;

export class Canvas implements ToolHost {
  readonly events = new EventBus<CanvasEvents>();
  readonly element: HTMLDivElement;
  imageW = 1;
  imageH = 1;
  frame = 0;
  brushSize = 8;
  private base: HTMLCanvasElement; // frame + masks
  private top: HTMLCanvasElement; // boxes + tool preview; receives the pointer
  private viewState: View = { scale: 1, offsetX: 0, offsetY: 0 };
  private userMovedView = false;
  private dpr = 1;
  private tracks: CanvasTrack[] = [];
  private toggles: LayerToggles = { masks: true, boxes: true, rotatedBoxes: true };
  private frameLayer = new FrameLayer();
  private maskLayer = new MaskLayer();
  private boxLayer = new BoxLayer();
  private interaction = new InteractionLayer();
  private tools: Record<ToolName, Tool>;
  private tool: Tool;
  private maskCount = 0;
  private pending = { base: false, top: false, frame: 0 };
  private resizeObserver: ResizeObserver;
  private busy: HTMLDivElement;

  constructor(host: HTMLElement) {
    this.element = document.createElement("div");
    this.element.className = "canvas-host";
    this.base = this.layer("frame-layer");
    this.top = this.layer("ui-layer");
    this.top.tabIndex = 0;
    this.busy = document.createElement("div");
    this.busy.className = "canvas-busy";
    this.busy.hidden = true;
    this.element.append(this.busy);
    host.append(this.element);
    this.tools = {
      pan: new PanTool(this), box: new BoxTool(this), brush: new BrushTool(this), eraser: new EraserTool(this),
      scribble: new ScribbleTool(this), polygon: new PolygonTool(this),
    };
    this.tool = this.tools.pan;
    bindPointer(this.top, {
      view: () => this.viewState,
      setView: (v) => this.setView(v),
      tool: () => this.tool,
      inside: (p) => p.x >= 0 && p.y >= 0 && p.x < this.imageW && p.y < this.imageH,
      emit: (type, payload) => this.emit(type, payload),
    });
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.element);
    this.resize();
  }

  // ---- data in ----
  setImageSize(w: number, h: number): void {
    this.imageW = w;
    this.imageH = h;
    this.maskLayer.setSize(w, h);
    this.userMovedView = false;
    this.fit();
  }

  setFrame(frame: number, bitmap: CanvasImageSource | null): void {
    if (this.tool.isInProgress() && frame !== this.frame) this.tool.cancel();
    this.frame = frame;
    this.frameLayer.set(bitmap);
    this.requestRender(true);
  }

  setTracks(tracks: CanvasTrack[]): void {
    this.tracks = tracks;
    this.composeMasks();
    this.requestRender(true);
  }

  setLayers(toggles: Partial<LayerToggles>): void {
    this.toggles = { ...this.toggles, ...toggles };
    this.composeMasks();
    this.requestRender(true);
  }

  get layers(): LayerToggles {
    return { ...this.toggles };
  }

  setTool(name: ToolName): void {
    if (this.tools[name] === this.tool) this.tool.cancel();
    else this.tool.leave(); // the polygon tool keeps its edits as it goes
    this.tool = this.tools[name];
    this.top.style.cursor = this.tool.cursor;
    this.requestRender();
  }

  get toolName(): ToolName {
    return this.tool.name as ToolName;
  }

  setBrushSize(radius: number): void {
    this.brushSize = Math.max(1, Math.min(200, Math.round(radius)));
    this.requestRender();
  }

  /** Offer a key to the active tool (Enter, Escape, Delete); true when it used it. */
  keyDown(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey">): boolean {
    if (e.ctrlKey || e.metaKey || !this.tool.keyDown(e.key)) return false;
    this.requestRender();
    return true;
  }

  /** Show (or with null, hide) a busy badge over the canvas, e.g. while a refine runs on the server. */
  setBusy(text: string | null): void {
    this.busy.hidden = text === null;
    this.busy.textContent = text ?? "";
    this.element.toggleAttribute("data-busy", text !== null);
  }

  /** Abandon the gesture in progress; true when there was one. */
  cancelGesture(): boolean {
    const busy = this.tool.isInProgress();
    this.tool.cancel();
    return busy;
  }

  // ---- view ----
  fit(): void {
    const { width, height } = this.element.getBoundingClientRect();
    if (width > 0 && height > 0) this.viewState = fitView(this.imageW, this.imageH, width, height);
    this.userMovedView = false;
    this.emit("canvas.view", { scale: this.viewState.scale });
    this.requestRender(true);
  }

  zoomBy(factor: number, at?: Point): void {
    const rect = this.element.getBoundingClientRect();
    this.setView(zoomAt(this.viewState, factor, at ?? { x: rect.width / 2, y: rect.height / 2 }));
  }

  view(): View {
    return this.viewState;
  }

  setView(view: View): void {
    this.viewState = view;
    this.userMovedView = true;
    this.emit("canvas.view", { scale: view.scale });
    this.requestRender(true);
  }

  /** Page coordinates (for pointer events) of an image point: used by end-to-end tests. */
  imageToClient(p: Point): Point {
    const rect = this.element.getBoundingClientRect();
    const s = imageToScreen(this.viewState, p);
    return { x: rect.left + s.x, y: rect.top + s.y };
  }

  // ---- ToolHost ----
  selectedTrack(): CanvasTrack | null {
    return this.tracks.find((t) => t.selected) ?? null;
  }

  emit<K extends keyof CanvasEvents>(type: K, payload: CanvasEvents[K]): void {
    this.events.emit(type, payload);
  }

  pick(p: Point): number | null {
    const x = Math.floor(p.x), y = Math.floor(p.y);
    if (x < 0 || y < 0 || x >= this.imageW || y >= this.imageH) return null;
    for (const t of [...this.tracks].reverse()) {
      const a = t.annotation;
      if (!t.visible || !a) continue;
      if (a.runs && this.toggles.masks && runsContain(a.runs, x * this.imageH + y)) return t.id;
      if (a.bbox && pointInPolygon(p, boxCorners(a.bbox))) return t.id;
    }
    return null;
  }

  editableTrack(): CanvasTrack | null {
    const track = this.selectedTrack();
    if (!track) {
      this.emit("canvas.refused", { reason: "select a track first (click it in the list or press 1-9)" });
      return null;
    }
    if (track.locked || !track.visible) {
      const why = track.locked ? "is locked; unlock it in the track list to edit" : "is hidden; show it to edit";
      this.emit("canvas.refused", { reason: `${track.label} #${track.objectId} ${why}` });
      return null;
    }
    return track;
  }

  beginMaskEdit(): MaskEdit | null {
    const track = this.editableTrack();
    if (!track) return null;
    const runs = track.annotation?.runs;
    const mask = runs ? maskFromRuns(runs, this.imageH, this.imageW) : new Uint8Array(this.imageW * this.imageH);
    this.maskLayer.beginEdit(this.rasterEntries(track.id));
    return { trackId: track.id, frame: this.frame, mask, colour: packColour(track.colour, SELECTED_MASK_ALPHA) };
  }

  paintMaskEdit(edit: MaskEdit, dirty: Rect): void {
    if (this.toggles.masks) this.maskLayer.paintEdit(edit.mask, dirty, edit.colour);
    this.requestRender(true);
  }

  endMaskEdit(edit: MaskEdit, tool: "brush" | "eraser"): void {
    this.maskLayer.endEdit();
    this.commitMask(edit.trackId, edit.frame, edit.mask, tool);
  }

  commitMask(trackId: number, frame: number, mask: Uint8Array, tool: "brush" | "eraser" | "polygon"): void {
    const runs = runsFromMask(mask);
    const track = this.tracks.find((t) => t.id === trackId);
    if (track) {
      // show the new mask until the store answers with the saved annotation
      track.annotation = { bbox: track.annotation?.bbox ?? null, rotatedBox: null, confidence: null, source: "manual_mask", runs };
    }
    this.composeMasks();
    this.requestRender(true);
    this.emit("canvas.edited", {
      frame, trackId, tool, area: runsArea(runs),
      mask: { size: [this.imageH, this.imageW], counts: encodeCounts(runs) },
    });
  }

  abortMaskEdit(): void {
    this.maskLayer.endEdit();
    this.composeMasks();
    this.requestRender(true);
  }

  requestRender(base = false): void {
    this.pending.base ||= base;
    this.pending.top = true;
    if (!this.pending.frame) this.pending.frame = requestAnimationFrame(() => this.render());
  }

  destroy(): void {
    cancelAnimationFrame(this.pending.frame);
    this.resizeObserver.disconnect();
    this.events.clear();
    this.element.remove();
  }

  // ---- internals ----
  private layer(className: string): HTMLCanvasElement {
    const c = document.createElement("canvas");
    c.className = className;
    this.element.append(c);
    return c;
  }

  private rasterEntries(exceptTrack?: number): RasterEntry[] {
    if (!this.toggles.masks) return [];
    const entries: RasterEntry[] = [];
    // the selected track goes last, so it is drawn on top
    const ordered = [...this.tracks].sort((a, b) => Number(a.selected) - Number(b.selected));
    for (const t of ordered) {
      const runs = t.annotation?.runs;
      if (!t.visible || !runs || t.id === exceptTrack) continue;
      entries.push({ runs, colour: packColour(t.colour, t.selected ? SELECTED_MASK_ALPHA : MASK_ALPHA) });
    }
    return entries;
  }

  private composeMasks(): void {
    if (this.tool.isInProgress()) return;
    const entries = this.rasterEntries();
    this.maskCount = entries.length;
    this.maskLayer.compose(entries);
  }

  private resize(): void {
    const { width, height } = this.element.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    for (const c of [this.base, this.top]) {
      c.width = Math.max(1, Math.round(width * this.dpr));
      c.height = Math.max(1, Math.round(height * this.dpr));
    }
    if (!this.userMovedView) this.fit();
    this.requestRender(true);
  }

  private render(): void {
    this.pending.frame = 0;
    if (this.pending.base) this.renderBase();
    if (this.pending.top) this.renderTop();
    this.pending.base = this.pending.top = false;
  }

  /** Draw frame and masks now (also used by benchmarks). */
  renderBase(): void {
    const ctx = this.base.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#0d0e11";
    ctx.fillRect(0, 0, this.base.width, this.base.height);
    this.frameLayer.draw(ctx, this.viewState, this.dpr, this.imageW, this.imageH);
    this.maskLayer.draw(ctx, this.viewState, this.dpr);
    // what is on screen, for end-to-end tests: the frame, and how many masks were drawn over it
    if (this.frameLayer.hasFrame) this.element.dataset.renderedFrame = String(this.frame);
    this.element.dataset.maskCount = String(this.maskCount);
  }

  private renderTop(): void {
    const ctx = this.top.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.top.width, this.top.height);
    this.boxLayer.draw(ctx, this.viewState, this.dpr, this.tracks, this.toggles);
    this.interaction.draw(ctx, this.viewState, this.dpr, this.tool);
  }
}
