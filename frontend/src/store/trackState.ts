/**
 * A track as the store holds it: the server's row, the frames held in the browser, and this
 * user's view flags (trackPrefs.ts).
 *
 *   tracks.set(track.id, newTrackState(track));
 *   const state = stateOf(tracks, trackId);   // throws when the video has no such track
 */
import { ApiError, type Annotation, type Track } from "../api/client";

/** A write refused in the browser, never sent: this user locked the track (trackPrefs.ts). */
export class TrackLockedError extends ApiError {
  constructor(objectId: number) {
    super(0, `track #${objectId} is locked; unlock it in the track list to edit it`);
  }
}

export interface TrackState {
  track: Track;
  annotations: Map<number, Annotation>;
  visible: boolean;
  locked: boolean; // this user's guard against editing it (trackPrefs.ts)
}

/** A track's state with no frames held yet. */
export function newTrackState(track: Track, visible = true, locked = false): TrackState {
  return { track, annotations: new Map(), visible, locked };
}

/** The state of a track of this video. */
export function stateOf(tracks: Map<number, TrackState>, trackId: number): TrackState {
  const state = tracks.get(trackId);
  if (!state) throw new Error(`track ${trackId} is not in this video`);
  return state;
}
