/** What the workspace's buttons and shortcuts do. Each action checks its preconditions and says why it cannot run. */
import { ApiError, ConflictError, api, type Direction, type PropagateOptions } from "../api/client";
import type { BoxXYWH } from "../canvas/geometry";
import type { Rle } from "../canvas/rle";
import type { LayerToggles, ToolName } from "../canvas/types";
import { createTrackCommand, deleteFramesCommand, setFrameCommand } from "../store/commands";
import type { Command } from "../store/history";
import { isOutside } from "../store/outside";
import { nextSuspicious, suspiciousFrames } from "../timeline/ConfidenceStrip";
import { openDialog } from "../ui/dialog";
import { h, toast } from "../ui/dom";
import { showHelp } from "./HelpOverlay";
import { ScribbleRefiner } from "./scribbles";
import { isNotFound } from "./gone";
import { EDIT_TOOLS, cannotEditReason, noEditText } from "./roles";
import { TrackActions } from "./trackActions";
import type { Workspace } from "./Workspace";

export class Actions {
  /** The propagation panel's model and precision choices; empty: the project's model, the server's precision. */
  readonly propagateOptions: PropagateOptions = {};

  /** Deleting ranges and tracks, merging and splitting: each behind a dialog (trackActions.ts). */
  readonly tracks: TrackActions;

  /** Scribble strokes to a GrabCut refine on the server, saved as one undoable edit (scribbles.ts). */
  readonly scribbles: ScribbleRefiner;

  constructor(private ws: Workspace) {
    this.tracks = new TrackActions(ws);
    this.scribbles = new ScribbleRefiner(ws);
  }

  private get store() { return this.ws.store; }

  private say(text: string, kind: "info" | "error" = "info"): void {
    this.ws.bus.emit("notice", { text, kind });
  }

  /** Run an undoable edit; conflicts are shown by the banner, other refusals as a message. */
  async run(command: Command): Promise<boolean> {
    try {
      await this.ws.history.execute(command);
      return true;
    } catch (error) {
      this.failed(error);
      return false;
    }
  }

  private failed(error: unknown): void {
    if (error instanceof ConflictError && error.currentVersion !== null) return; // the banner explains
    if (isNotFound(error)) this.ws.reportFailure(error); // "this video no longer exists", not the server's words
    else this.say(error instanceof ApiError ? error.message : String(error), "error");
    this.ws.scheduleRedraw(); // drop any optimistic drawing
  }

  private editable(): boolean {
    if (!this.store.canEdit) this.say(noEditText(this.store.role), "error");
    return this.store.canEdit;
  }

  // ---- frames ----
  step(by: number): void { this.ws.playback.pause(); this.ws.goto(this.ws.frame + by); }
  goto(frame: number): void { this.ws.playback.pause(); this.ws.goto(Number.isFinite(frame) ? frame : this.ws.video.frame_count - 1); }
  togglePlay(): void { this.ws.playback.toggle(); }
  focusFrameInput(): void { this.ws.controls.focusInput(); }

  /** Go to where a track's target was lost, with the box tool on that track: the box drawn re-anchors it. */
  reanchorAt(trackId: number, frame: number): void {
    this.store.select(trackId);
    if (!this.store.canEdit) return this.goto(frame); // a reviewer looks at the frame; re-anchoring is an edit
    this.ws.setBoxMode("reanchor");
    this.tool("box");
    this.goto(frame);
    const s = this.store.selected;
    if (s) this.say(`draw a box around #${s.track.object_id} to re-anchor it on frame ${frame}, then propagate`);
  }

  nextSuspicious(direction: 1 | -1): void {
    const states = this.store.selected ? [this.store.selected] : this.store.ordered();
    const marks = states.flatMap((s) => suspiciousFrames(this.store.summary(s.track.id)));
    const next = nextSuspicious(marks, this.ws.frame, direction);
    if (next === null) this.say("no low-confidence or jumping frames" + (this.store.selected ? " on this track" : ""));
    else this.goto(next);
  }

  // ---- tools and view ----
  tool(name: ToolName): void {
    const readOnly = cannotEditReason(this.store.role);
    if (readOnly && EDIT_TOOLS.has(name)) return this.say(readOnly, "error"); // R, B, E… from the keyboard
    this.ws.canvas.setTool(name);
    this.ws.bus.emit("tracks.changed", {});
  }

  brushBy(factor: number): void {
    this.ws.canvas.setBrushSize(Math.max(1, this.ws.canvas.brushSize * factor + (factor > 1 ? 1 : -1) * 0.5));
    this.ws.bus.emit("tracks.changed", {});
  }

  newTrack(): void {
    if (!this.editable()) return;
    this.store.select(null);
    this.ws.setBoxMode("new");
    this.tool("box");
    this.say("draw a box around the new object");
  }

  /** Boxes re-anchor the selected track (its box on the frame drawn on) until N or a deselect. */
  reanchorMode(): void {
    const s = this.store.selected;
    if (!s) return this.say("select a track to re-anchor first", "error");
    if (!this.editable()) return;
    this.ws.setBoxMode("reanchor");
    this.tool("box");
  }

  selectIndex(i: number): void {
    const state = this.store.ordered()[i];
    if (state) this.store.select(state.track.id);
  }

  escape(): void {
    if (document.querySelector(".help-overlay")) return document.querySelector(".help-overlay")!.remove();
    if (!this.ws.canvas.cancelGesture()) this.store.select(null);
  }

  toggleLayer(layer: keyof LayerToggles): void {
    this.ws.canvas.setLayers({ [layer]: !this.ws.canvas.layers[layer] });
    this.ws.bus.emit("tracks.changed", {});
  }

  toggleSelectedVisible(): void {
    const s = this.store.selected;
    if (s) this.store.setVisible(s.track.id, !s.visible);
  }

  fit(): void { this.ws.canvas.fit(); }
  zoom(factor: number): void { this.ws.canvas.zoomBy(factor); }
  help(): void { showHelp(); }

  // ---- edits ----
  async boxDrawn(frame: number, box: BoxXYWH): Promise<void> {
    if (!this.editable()) return;
    const selected = this.store.selected;
    if (selected && this.ws.boxMode === "reanchor") {
      await this.run(setFrameCommand(this.store, this.ws.refs.of(selected.track.id), frame, { box }, "re-anchor box"));
      return;
    }
    if (this.ws.newLabelId === null) return this.say("this project has no labels yet; a manager must add one", "error");
    const command = createTrackCommand(this.store, this.ws.refs, this.ws.newLabelId, frame, box, (id) => this.store.select(id));
    if (await this.run(command)) {
      // The new track is selected (P propagates it), but the next box starts another track, never a silent re-anchor.
      this.ws.setBoxMode("new");
      this.say("track created — press P to propagate it; A re-anchors it");
    }
  }

  async maskEdited(trackId: number, frame: number, mask: Rle, area: number, tool = "brush"): Promise<void> {
    if (!this.editable()) return this.ws.scheduleRedraw();
    const ref = this.ws.refs.of(trackId);
    if (area === 0) {
      this.say("the mask is empty now, so the frame is deleted");
      await this.run(deleteFramesCommand(this.store, ref, frame, frame));
    } else {
      await this.run(setFrameCommand(this.store, ref, frame, { mask }, tool === "polygon" ? "polygon edit" : "paint mask"));
    }
  }

  async undo(): Promise<void> {
    try {
      if (!(await this.ws.history.undo())) this.say("nothing to undo");
    } catch (error) {
      this.failed(error);
    }
  }

  async redo(): Promise<void> {
    try {
      if (!(await this.ws.history.redo())) this.say("nothing to redo");
    } catch (error) {
      this.failed(error);
    }
  }

  async deleteFrame(): Promise<void> {
    const s = this.store.selected;
    if (!s) return this.say("select a track first", "error");
    if (!this.store.hasFrame(s.track.id, this.ws.frame)) return this.say(`track #${s.track.object_id} has nothing on this frame`);
    if (this.editable()) await this.run(deleteFramesCommand(this.store, this.ws.refs.of(s.track.id), this.ws.frame, this.ws.frame));
  }

  deleteRange(): Promise<void> {
    return this.tracks.deleteRange();
  }

  outsideRange(mark = true): Promise<void> {
    return this.tracks.outsideRange(mark);
  }

  toggleOutsideHere(): Promise<void> {
    return this.tracks.toggleOutsideHere();
  }

  // ---- propagation ----
  async propagate(direction: Direction): Promise<void> {
    if (!this.editable()) return;
    const frame = this.ws.frame;
    const selected = this.store.selected;
    if (selected?.locked) return this.say(`track #${selected.track.object_id} is locked; unlock it in the track list to propagate it`, "error");
    // a propagation rewrites a track's frames, so unselected runs leave locked tracks alone
    // an outside frame has no box to start from
    const has = (s: { track: { id: number } }) => this.store.hasFrame(s.track.id, frame)
      && !isOutside(this.store.summary(s.track.id).find((f) => f.frame === frame));
    const tracks = selected ? [selected] : this.store.ordered().filter((s) => has(s) && !s.locked);
    if (!tracks.length) return this.say("no track has an annotation on this frame to start from", "error");
    if (tracks.some((s) => !has(s))) {
      return this.say(`track #${selected!.track.object_id} has no box or mask on frame ${frame}; draw one first`, "error");
    }
    try {
      const ids = tracks.map((s) => s.track.id);
      const options = { ...this.propagateOptions };
      const job = ids.length === 1 ? await api.propagate(ids[0], frame, direction, options)
        : await api.propagateTracks(this.ws.video.id, ids, frame, direction, options);
      this.ws.jobs.watch(job);
    } catch (error) {
      if (error instanceof ConflictError && error.jobId !== null) {
        this.say("a propagation is already running on this track; showing its progress");
        this.ws.jobs.watch(await api.getJob(error.jobId));
      } else {
        this.failed(error);
      }
    }
  }

  // ---- review ----
  async submit(): Promise<void> {
    const s = this.store.selected;
    if (!s) return this.say("select a track first", "error");
    await this.review(() => this.store.submit(s.track.id), "sent for review");
  }

  async accept(): Promise<void> {
    const s = this.store.selected;
    if (!s) return this.say("select a track first", "error");
    await this.review(() => this.store.accept(s.track.id), "accepted");
  }

  /** Reject with a comment on this frame (from the review panel, or asked for). */
  async reject(text?: string): Promise<void> {
    const s = this.store.selected;
    if (!s) return this.say("select a track first", "error");
    const frame = this.ws.frame;
    const comment = text ?? await this.askRejectReason(s.track.object_id, frame);
    if (comment === null) return;
    await this.review(() => this.store.reject(s.track.id, comment, frame), "rejected");
  }

  /** The in-page dialog (never the browser's prompt) asking why; null on Cancel or Escape. */
  private async askRejectReason(objectId: number, frame: number): Promise<string | null> {
    const reason = h("input", { type: "text", class: "reject-reason", size: 48, maxlength: 2000,
      "aria-label": "reason for rejecting", placeholder: "what needs fixing" });
    const ok = await openDialog({
      title: `Reject track #${objectId}`, confirm: "Reject", danger: true,
      message: `Why is it rejected? The reason is saved as a comment on frame ${frame}, for the annotator.`,
      fields: [h("label", { class: "dialog-field" }, "Reason ", reason)],
    });
    return ok ? reason.value.trim() : null;
  }

  comment(): void {
    document.querySelector<HTMLTextAreaElement>(".comment-input")?.focus();
  }

  private async review(call: () => Promise<void>, done: string): Promise<void> {
    try {
      await call();
      toast(`track ${done}`);
    } catch (error) {
      this.failed(error);
    }
  }
}
