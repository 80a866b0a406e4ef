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
 * The element and its redraws are canvasStack.ts; which masks are drawn how, maskOverlay.ts;
 * which track a click or an edit aims at, trackTargets.ts.
 */
import { EventBus, type CanvasEvents } from "../events";
import { fitView, imageToScreen, zoomAt, type Point, type View } from "./geometry";
import { CanvasStack } from "./canvasStack";
import { packColour } from "./maskRaster";
import { rasterEntries, SELECTED_MASK_ALPHA } from "./maskOverlay";
import { bindPointer } from "./pointer";
import { encodeCounts, maskFromRuns, runsArea, runsFromMask } from "./rle";
import type { Rect } from "./stamp";
import { editRefusal, pickTrack } from "./trackTargets";
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

export class Canvas implements ToolHost {
  readonly events = new EventBus<CanvasEvents>();
  readonly element: HTMLDivElement;
  imageW = 1;
  imageH = 1;
  frame = 0;
  brushSize = 8;
  private stack: CanvasStack;
  private viewState: View = { scale: 1, offsetX: 0, offsetY: 0 };
  private userMovedView = false;
  private tracks: CanvasTrack[] = [];
  private toggles: LayerToggles = { masks: true, boxes: true, rotatedBoxes: true };
  private frameLayer = new FrameLayer();
  private maskLayer = new MaskLayer();
  private boxLayer = new BoxLayer();
  private interaction = new InteractionLayer();
  private tools: Record<ToolName, Tool>;
  private tool: Tool;
  private maskCount = 0;

  constructor(host: HTMLElement) {
    this.stack = new CanvasStack(host, {
      base: (ctx, dpr) => this.drawBase(ctx, dpr),
      top: (ctx, dpr) => {
        this.boxLayer.draw(ctx, this.viewState, dpr, this.tracks, this.toggles);
        this.interaction.draw(ctx, this.viewState, dpr, this.tool);
      },
      resized: () => {
        if (!this.userMovedView) this.fit();
      },
    });
    this.element = this.stack.element;
    this.tools = {
      pan: new PanTool(this), box: new BoxTool(this), brush: new BrushTool(this), eraser: new EraserTool(this),
      scribble: new ScribbleTool(this), polygon: new PolygonTool(this),
    };
    this.tool = this.tools.pan;
    bindPointer(this.stack.top, {
      view: () => this.viewState,
      setView: (v) => this.setView(v),
      tool: () => this.tool,
      inside: (p) => p.x >= 0 && p.y >= 0 && p.x < this.imageW && p.y < this.imageH,
      emit: (type, payload) => this.emit(type, payload),
    });
    this.stack.start();
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
    this.stack.top.style.cursor = this.tool.cursor;
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
    this.stack.setBusy(text);
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
    return pickTrack(this.tracks, p, this.imageW, this.imageH, this.toggles.masks);
  }

  editableTrack(): CanvasTrack | null {
    const track = this.selectedTrack(), reason = editRefusal(track);
    if (reason === null) return track;
    this.emit("canvas.refused", { reason });
    return null;
  }

  beginMaskEdit(): MaskEdit | null {
    const track = this.editableTrack();
    if (!track) return null;
    const runs = track.annotation?.runs;
    const mask = runs ? maskFromRuns(runs, this.imageH, this.imageW) : new Uint8Array(this.imageW * this.imageH);
    this.maskLayer.beginEdit(rasterEntries(this.tracks, this.toggles, track.id));
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
    this.stack.requestRender(base);
  }

  /** Draw frame and masks now (also used by benchmarks). */
  renderBase(): void {
    this.stack.renderBase();
  }

  destroy(): void {
    this.stack.destroy();
    this.events.clear();
  }

  // ---- internals ----
  private composeMasks(): void {
    if (this.tool.isInProgress()) return;
    const entries = rasterEntries(this.tracks, this.toggles);
    this.maskCount = entries.length;
    this.maskLayer.compose(entries);
  }

  private drawBase(ctx: CanvasRenderingContext2D, dpr: number): void {
    this.frameLayer.draw(ctx, this.viewState, dpr, this.imageW, this.imageH);
    this.maskLayer.draw(ctx, this.viewState, dpr);
    // what is on screen, for end-to-end tests: the frame, and how many masks were drawn over it
    if (this.frameLayer.hasFrame) this.element.dataset.renderedFrame = String(this.frame);
    this.element.dataset.maskCount = String(this.maskCount);
  }
}
