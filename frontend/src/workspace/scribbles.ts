/**
 * Scribble refinement: the strokes of the scribble tool go to the server (GrabCut, see
 * annotator/services/grabcut.py), and the mask it answers is saved as one undoable edit.
 * One refine runs at a time; strokes made meanwhile wait, and only the latest set is sent
 * (it holds all the earlier strokes too).
 */
import { api } from "../api/client";
import type { CanvasEvents } from "../events";
import { setFrameCommand } from "../store/commands";
import { isNotFound } from "./gone";
import { noEditText } from "./roles";
import type { Workspace } from "./Workspace";

type Scribbled = CanvasEvents["canvas.scribbled"];

export class ScribbleRefiner {
  private running = false;
  private waiting: Scribbled | null = null;

  constructor(private ws: Workspace) {}

  refine(request: Scribbled): void {
    this.waiting = request;
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    this.ws.canvas.setBusy("Refining…");
    try {
      while (this.waiting) {
        const request = this.waiting;
        this.waiting = null;
        await this.once(request);
      }
    } finally {
      this.running = false;
      this.ws.canvas.setBusy(null);
    }
  }

  private async once({ trackId, frame, strokes }: Scribbled): Promise<void> {
    const { store, refs, actions } = this.ws;
    if (!store.canEdit) return this.say(noEditText(store.role));
    let refined;
    try {
      refined = await api.refineMask(trackId, frame, strokes);
    } catch (error) {
      if (isNotFound(error)) return this.ws.reportFailure(error);
      return this.say(`refine failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (refined.area === 0) return this.say("GrabCut found no object here; paint a foreground stroke on it");
    await actions.run(setFrameCommand(store, refs.of(trackId), frame, { mask: refined.mask }, "scribble refine"));
  }

  private say(text: string): void {
    this.ws.bus.emit("notice", { text, kind: "error" });
  }
}
