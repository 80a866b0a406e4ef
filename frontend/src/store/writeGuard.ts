/**
 * The rules every store write follows: a locked track's edits are refused in the browser before
 * any request; a stale version (409) is reported as a "conflict" event and rethrown, never retried
 * or overwritten; the version and review status the server answers are kept for the next write.
 *
 *   const guard = new WriteGuard(bus, tracks);
 *   const saved = await guard.run(trackId, () => api.putAnnotation(...)); // TrackLockedError, ConflictError
 *   guard.keepVersion(trackId, saved.version, saved.review_status);
 */
import { ConflictError, type Track } from "../api/client";
import type { AppEvents, EventBus } from "../events";
import { stateOf, TrackLockedError, type TrackState } from "./trackState";

export class WriteGuard {
  constructor(private bus: EventBus<AppEvents>, private tracks: Map<number, TrackState>) {}

  /** Refuse edits of a locked track; report a stale version as a conflict (the UI offers a reload), then rethrow. */
  async run<T>(trackId: number, call: () => Promise<T>, edit = true): Promise<T> {
    const state = this.tracks.get(trackId);
    if (edit && state?.locked) throw new TrackLockedError(state.track.object_id);
    try {
      return await call();
    } catch (error) {
      if (error instanceof ConflictError && error.currentVersion !== null) {
        this.bus.emit("conflict", { trackId, message: error.message, currentVersion: error.currentVersion });
      }
      throw error;
    }
  }

  /** Keep the version and status the server answered: a change makes a reviewed track a draft again. */
  keepVersion(trackId: number, version: number, reviewStatus: Track["review_status"]): void {
    const state = stateOf(this.tracks, trackId);
    const reopened = state.track.review_status !== reviewStatus;
    state.track = { ...state.track, version, review_status: reviewStatus };
    if (reopened) this.bus.emit("tracks.changed", {});
  }
}
