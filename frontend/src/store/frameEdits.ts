/**
 * Writes to a track's frames: a box, a mask, outside marks, range deletion, and putting a frame
 * back as it was (undo). Each sends the version the store holds (writeGuard.ts) and updates the
 * held annotations and the timeline summary with what the server answered.
 *
 *   const edits = new FrameEdits(api, bus, tracks, books, guard);
 *   await edits.setMask(trackId, frame, rle);   // throws ConflictError when stale
 */
import type { Annotation, Api } from "../api/client";
import type { BoxXYWH } from "../canvas/geometry";
import type { Rle } from "../canvas/rle";
import type { AppEvents, EventBus } from "../events";
import type { FrameBooks } from "./frameBooks";
import { applyOutside, isOutside, outsideAnnotation } from "./outside";
import { dropRange, summaryRow } from "./trackFrames";
import { stateOf, TrackLockedError, type TrackState } from "./trackState";
import type { WriteGuard } from "./writeGuard";

export class FrameEdits {
  constructor(private api: Api, private bus: EventBus<AppEvents>, private tracks: Map<number, TrackState>,
              private books: FrameBooks, private guard: WriteGuard) {}

  setBox(trackId: number, frame: number, box: BoxXYWH): Promise<Annotation> {
    return this.put(trackId, frame, { box });
  }

  setMask(trackId: number, frame: number, mask: Rle): Promise<Annotation> {
    return this.put(trackId, frame, { mask });
  }

  /** Put back a frame as it was (undo): its mask if it had one, else its box, else nothing. */
  async restore(trackId: number, frame: number, before: Annotation | null): Promise<void> {
    if (!before) await this.deleteFrames(trackId, frame, frame);
    else if (isOutside(before)) await this.setOutside(trackId, frame, frame, true);
    else if (before.mask) await this.put(trackId, frame, { mask: before.mask });
    else await this.put(trackId, frame, { box: before.bbox });
  }

  async deleteFrames(trackId: number, first: number, last: number): Promise<number> {
    const state = stateOf(this.tracks, trackId);
    const result = await this.guard.run(trackId, () => this.api.deleteRange(trackId, state.track.version, first, last));
    this.guard.keepVersion(trackId, result.version, result.review_status);
    for (const rows of [state.annotations, this.books.summaryOf(trackId)]) dropRange(rows, first, last);
    this.bus.emit("annotations.changed", { trackId });
    return result.deleted;
  }

  /** Mark frames first..last outside (or clear those marks): shown at once, put back if the server refuses. */
  async setOutside(trackId: number, first: number, last: number, mark: boolean): Promise<number> {
    const state = stateOf(this.tracks, trackId), summary = this.books.summaryOf(trackId);
    if (state.locked) throw new TrackLockedError(state.track.object_id);
    const before = applyOutside(state.annotations, first, last, mark, outsideAnnotation);
    const summaryBefore = applyOutside(summary, first, last, mark, (f) => summaryRow(outsideAnnotation(f)));
    this.bus.emit("annotations.changed", { trackId });
    try {
      const call = mark ? this.api.markOutside : this.api.clearOutside;
      const result = await this.guard.run(trackId, () => call(trackId, state.track.version, first, last));
      this.guard.keepVersion(trackId, result.version, result.review_status);
      await this.books.refresh(trackId, first, last); // the timeline's summary, and the server's copy of the frames
      return result.frames;
    } catch (error) {
      for (const [rows, saved] of [[state.annotations, before], [summary, summaryBefore]] as const) {
        dropRange(rows, first, last);
        for (const row of saved) (rows as Map<number, typeof row>).set(row.frame, row);
      }
      this.bus.emit("annotations.changed", { trackId });
      throw error;
    }
  }

  private async put(trackId: number, frame: number, change: { box?: BoxXYWH; mask?: Rle }): Promise<Annotation> {
    const state = stateOf(this.tracks, trackId);
    const saved = await this.guard.run(trackId, () =>
      this.api.putAnnotation(trackId, frame, { version: state.track.version, ...change }));
    const { version, review_status, repropagation, ...annotation } = saved;
    this.guard.keepVersion(trackId, version, review_status);
    state.annotations.set(frame, annotation);
    this.books.summaryOf(trackId).set(frame, summaryRow(annotation));
    this.bus.emit("annotations.changed", { trackId });
    if (repropagation) this.bus.emit("job.started", { job: repropagation, cause: "correction" });
    return annotation;
  }
}
