/**
 * Writes that change which tracks a video has: create, delete, merge, split. Each sends the
 * version the store holds (writeGuard.ts) and reads the frames of the tracks it leaves behind.
 *
 *   const edits = new TrackEdits(api, bus, store, books, guard);
 *   const { moved, dropped } = await edits.mergeTracks(keepId, otherId);
 */
import type { Api, Track } from "../api/client";
import type { BoxXYWH } from "../canvas/geometry";
import type { AppEvents, EventBus } from "../events";
import type { AnnotationStore } from "./annotations";
import type { FrameBooks } from "./frameBooks";
import { dropRange } from "./trackFrames";
import { newTrackState, TrackLockedError } from "./trackState";
import type { WriteGuard } from "./writeGuard";

export class TrackEdits {
  constructor(private api: Api, private bus: EventBus<AppEvents>, private store: AnnotationStore,
              private books: FrameBooks, private guard: WriteGuard) {}

  async createTrack(labelId: number, frame: number, box: BoxXYWH): Promise<Track> {
    const track = await this.api.createTrack(this.store.video.id, labelId, frame, box);
    this.store.tracks.set(track.id, newTrackState(track));
    await this.books.readAround(track.id);
    this.bus.emit("tracks.changed", {});
    return track;
  }

  /** Delete a track; `checked` sends the version we hold (a stale one is a conflict), undo sends none. */
  async deleteTrack(trackId: number, checked = false): Promise<void> {
    const version = checked ? this.store.state(trackId).track.version : undefined;
    await this.guard.run(trackId, () => this.api.deleteTrack(trackId, version));
    this.forget(trackId);
    this.bus.emit("tracks.changed", {});
  }

  /** Move `otherId`'s frames into `keepId` (where both have a frame, keep's stays) and drop `otherId`. */
  async mergeTracks(keepId: number, otherId: number): Promise<{ moved: number; dropped: number }> {
    const keep = this.store.state(keepId), other = this.store.state(otherId);
    if (other.locked) throw new TrackLockedError(other.track.object_id);
    const result = await this.guard.run(keepId, () =>
      this.api.mergeTracks(keepId, keep.track.version, otherId, other.track.version));
    keep.track = result.track;
    this.forget(otherId);
    await this.books.refresh(keepId);
    this.bus.emit("tracks.changed", {});
    return { moved: result.moved, dropped: result.dropped };
  }

  /** Move the track's frames from `frame` on to a new track with the same label; return the new track. */
  async splitTrack(trackId: number, frame: number): Promise<Track> {
    const state = this.store.state(trackId);
    const result = await this.guard.run(trackId, () => this.api.splitTrack(trackId, state.track.version, frame));
    state.track = result.track;
    for (const rows of [state.annotations, this.books.summaryOf(trackId)]) dropRange(rows, frame, Number.MAX_SAFE_INTEGER);
    this.store.tracks.set(result.new_track.id, newTrackState(result.new_track));
    await this.books.readAround(result.new_track.id);
    this.bus.emit("annotations.changed", { trackId });
    this.bus.emit("tracks.changed", {});
    return result.new_track;
  }

  private forget(trackId: number): void {
    this.store.tracks.delete(trackId);
    this.books.forget(trackId);
    if (this.store.selectedId === trackId) this.store.select(null);
  }
}
