/**
 * A small typed event bus. The canvas owns one (CanvasEvents); the app owns another (AppEvents).
 *
 *   const bus = new EventBus<AppEvents>();
 *   const off = bus.on("job.progress", ({ job }) => render(job));
 *   bus.emit("job.progress", { job });  off();
 */
import type { Rle } from "./canvas/rle";
import type { BoxXYWH } from "./canvas/geometry";
import type { Scribble } from "./canvas/types";
import type { Job } from "./api/client";
import type { HistoryState } from "./store/history";

type Handler<T> = (payload: T) => void;

export class EventBus<M extends object> {
  private handlers = new Map<keyof M, Set<Handler<never>>>();

  on<K extends keyof M>(type: K, handler: Handler<M[K]>): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => set!.delete(handler as Handler<never>);
  }

  emit<K extends keyof M>(type: K, payload: M[K]): void {
    for (const handler of [...(this.handlers.get(type) ?? [])]) (handler as Handler<M[K]>)(payload);
  }

  clear(): void {
    this.handlers.clear();
  }
}

/** What the canvas tells the outside world. It never calls the store or the API itself. */
export interface CanvasEvents {
  /** A box was drawn with the box tool (image pixels). */
  "canvas.drawn": { frame: number; box: BoxXYWH };
  /** A brush or eraser stroke ended; `mask` is the whole new mask of that track on that frame. */
  "canvas.edited": { frame: number; trackId: number; mask: Rle; area: number; tool: "brush" | "eraser" | "polygon" };
  /** A scribble stroke ended: every stroke on this track and frame so far, to refine its mask with (GrabCut). */
  "canvas.scribbled": { frame: number; trackId: number; strokes: Scribble[] };
  /** A brush stroke was refused (no track selected, ...). */
  "canvas.refused": { reason: string };
  /** The pointer moved over the image (image pixels), or left it (null). */
  "canvas.pointer": { x: number; y: number } | null;
  /** Zoom or pan changed. */
  "canvas.view": { scale: number };
  /** A track's box or mask was clicked with the pan tool. */
  "canvas.picked": { trackId: number | null };
}

/** What the store, jobs and pages tell each other. */
export interface AppEvents {
  "frame.changed": { frame: number };
  "tracks.changed": Record<string, never>;
  "annotations.changed": { trackId: number };
  "selection.changed": { trackId: number | null };
  /** A save started a job (re-propagation after correcting a propagated frame): the workspace follows it. */
  "job.started": { job: Job; cause: "correction" };
  "job.progress": { job: Job };
  "job.finished": { job: Job };
  /** A job said where it lost a target, or a newer job replaced what an older one said. */
  "lost.changed": Record<string, never>;
  "history.changed": HistoryState;
  /** A save was refused because someone else changed the track: the UI offers a reload. */
  conflict: { trackId: number; message: string; currentVersion: number | null };
  notice: { text: string; kind: "info" | "error" };
}
