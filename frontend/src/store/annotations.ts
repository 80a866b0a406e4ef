/**
 * The one store of the workspace: the video, its tracks, their annotations and the selection.
 * Every write goes to the server with the track's version (optimistic locking); a 409 is
 * reported as a "conflict" event and never retried or overwritten.
 *
 *   const store = new AnnotationStore(api, bus);
 *   await store.load(videoId);
 *   await store.setMask(trackId, frame, rle);   // throws ConflictError when stale
 */
import { ApiError, ConflictError, type Annotation, type Api, type Label, type ModelSummary, type Track, type Video } from "../api/client";
import type { BoxXYWH } from "../canvas/geometry";
import type { Rle } from "../canvas/rle";
import type { AppEvents } from "../events";
import type { EventBus } from "../events";
import { browserStorage, TrackPrefs, type KeyValueStorage } from "./trackPrefs";

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

export class AnnotationStore {
  video!: Video;
  labels: Label[] = [];
  role: string | null = null;
  defaultModel: ModelSummary | null = null; // the weights new propagation jobs start with
  readonly tracks = new Map<number, TrackState>();
  selectedId: number | null = null;
  private prefs = new TrackPrefs(null, 0);

  constructor(private api: Api, private bus: EventBus<AppEvents>, private storage: KeyValueStorage | null = browserStorage()) {}

  async load(videoId: number): Promise<void> {
    this.video = await this.api.getVideo(videoId);
    const [tracks, labels, project] = await Promise.all([
      this.api.listTracks(videoId), this.api.listLabels(this.video.project), this.api.getProject(this.video.project),
    ]);
    this.labels = labels;
    this.role = project.role ?? null;
    this.defaultModel = project.default_model ?? null;
    this.tracks.clear();
    this.prefs = new TrackPrefs(this.storage, videoId);
    for (const track of tracks) {
      this.tracks.set(track.id, { track, annotations: new Map(), visible: !this.prefs.has("hidden", track.id), locked: this.prefs.has("locked", track.id) });
    }
    await Promise.all(tracks.map((t) => this.refreshAnnotations(t.id)));
    this.bus.emit("tracks.changed", {});
  }

  get canEdit(): boolean {
    return this.role === "annotator" || this.role === "manager";
  }

  get canReview(): boolean {
    return this.role === "reviewer" || this.role === "manager";
  }

  ordered(): TrackState[] {
    return [...this.tracks.values()].sort((a, b) => a.track.object_id - b.track.object_id);
  }

  get selected(): TrackState | null {
    return this.selectedId === null ? null : this.tracks.get(this.selectedId) ?? null;
  }

  state(trackId: number): TrackState {
    const state = this.tracks.get(trackId);
    if (!state) throw new Error(`track ${trackId} is not in this video`);
    return state;
  }

  annotation(trackId: number, frame: number): Annotation | null {
    return this.tracks.get(trackId)?.annotations.get(frame) ?? null;
  }

  select(trackId: number | null): void {
    if (trackId !== null && !this.tracks.has(trackId)) trackId = null;
    if (trackId === this.selectedId) return;
    this.selectedId = trackId;
    this.bus.emit("selection.changed", { trackId });
  }

  setVisible(trackId: number, visible: boolean): void {
    this.state(trackId).visible = visible;
    this.prefs.set("hidden", trackId, !visible);
    this.bus.emit("tracks.changed", {});
  }

  setLocked(trackId: number, locked: boolean): void {
    this.state(trackId).locked = locked;
    this.prefs.set("locked", trackId, locked);
    this.bus.emit("tracks.changed", {});
  }

  /**
   * Fetch a track's annotations (all, or frames from..to) and merge them. The server is the truth
   * for the fetched range: frames it no longer has are removed here too.
   */
  async refreshAnnotations(trackId: number, from?: number, to?: number): Promise<Annotation[]> {
    const list = await this.api.listAnnotations(trackId, from, to);
    const state = this.tracks.get(trackId);
    if (!state) return list;
    const lo = from ?? 0, hi = to ?? Number.MAX_SAFE_INTEGER;
    const fresh = new Map(list.map((a) => [a.frame, a]));
    for (const frame of [...state.annotations.keys()]) {
      if (frame >= lo && frame <= hi && !fresh.has(frame)) state.annotations.delete(frame);
    }
    for (const a of list) {
      const old = state.annotations.get(a.frame);
      // keep the old object when nothing changed, so decoded masks stay cached
      if (!old || old.updated_at !== a.updated_at || old.source !== a.source) state.annotations.set(a.frame, a);
    }
    this.bus.emit("annotations.changed", { trackId });
    return list;
  }

  /** Re-read a track (version, review status) and all its frames: the way out of a conflict. */
  async reloadTrack(trackId: number): Promise<void> {
    const track = await this.api.getTrack(trackId);
    this.state(trackId).track = track;
    await this.refreshAnnotations(trackId);
    this.bus.emit("tracks.changed", {});
  }

  // ---- writes: each sends the version we hold and keeps the one the server returns ----

  async createTrack(labelId: number, frame: number, box: BoxXYWH): Promise<Track> {
    const track = await this.api.createTrack(this.video.id, labelId, frame, box);
    this.tracks.set(track.id, { track, annotations: new Map(), visible: true, locked: false });
    await this.refreshAnnotations(track.id);
    this.bus.emit("tracks.changed", {});
    return track;
  }

  /** Delete a track; `checked` sends the version we hold (a stale one is a conflict), undo sends none. */
  async deleteTrack(trackId: number, checked = false): Promise<void> {
    const version = checked ? this.state(trackId).track.version : undefined;
    await this.guard(trackId, () => this.api.deleteTrack(trackId, version));
    this.forget(trackId);
    this.bus.emit("tracks.changed", {});
  }

  /** Move `otherId`'s frames into `keepId` (where both have a frame, keep's stays) and drop `otherId`. */
  async mergeTracks(keepId: number, otherId: number): Promise<{ moved: number; dropped: number }> {
    const keep = this.state(keepId), other = this.state(otherId);
    if (other.locked) throw new TrackLockedError(other.track.object_id);
    const result = await this.guard(keepId, () =>
      this.api.mergeTracks(keepId, keep.track.version, otherId, other.track.version));
    keep.track = result.track;
    this.forget(otherId);
    await this.refreshAnnotations(keepId);
    this.bus.emit("tracks.changed", {});
    return { moved: result.moved, dropped: result.dropped };
  }

  /** Move the track's frames from `frame` on to a new track with the same label; return the new track. */
  async splitTrack(trackId: number, frame: number): Promise<Track> {
    const state = this.state(trackId);
    const result = await this.guard(trackId, () => this.api.splitTrack(trackId, state.track.version, frame));
    state.track = result.track;
    for (const f of [...state.annotations.keys()]) if (f >= frame) state.annotations.delete(f);
    this.tracks.set(result.new_track.id, { track: result.new_track, annotations: new Map(), visible: true, locked: false });
    await this.refreshAnnotations(result.new_track.id);
    this.bus.emit("annotations.changed", { trackId });
    this.bus.emit("tracks.changed", {});
    return result.new_track;
  }

  private forget(trackId: number): void {
    this.tracks.delete(trackId);
    if (this.selectedId === trackId) this.select(null);
  }

  setBox(trackId: number, frame: number, box: BoxXYWH): Promise<Annotation> {
    return this.put(trackId, frame, { box });
  }

  setMask(trackId: number, frame: number, mask: Rle): Promise<Annotation> {
    return this.put(trackId, frame, { mask });
  }

  /** Put back a frame as it was (undo): its mask if it had one, else its box, else nothing. */
  async restore(trackId: number, frame: number, before: Annotation | null): Promise<void> {
    if (!before) await this.deleteFrames(trackId, frame, frame);
    else if (before.mask) await this.put(trackId, frame, { mask: before.mask });
    else await this.put(trackId, frame, { box: before.bbox });
  }

  async deleteFrames(trackId: number, first: number, last: number): Promise<number> {
    const state = this.state(trackId);
    const result = await this.guard(trackId, () => this.api.deleteRange(trackId, state.track.version, first, last));
    this.setVersion(trackId, result.version, result.review_status);
    for (const frame of [...state.annotations.keys()]) if (frame >= first && frame <= last) state.annotations.delete(frame);
    this.bus.emit("annotations.changed", { trackId });
    return result.deleted;
  }

  async submit(trackId: number): Promise<void> {
    await this.review(trackId, (v) => this.api.submit(trackId, v));
  }

  async accept(trackId: number): Promise<void> {
    await this.review(trackId, (v) => this.api.accept(trackId, v));
  }

  async reject(trackId: number, comment: string, frame: number | null): Promise<void> {
    await this.review(trackId, (v) => this.api.reject(trackId, v, comment, frame));
  }

  /** Frames of a track in a range, in order (for undoing a range deletion). */
  framesBetween(trackId: number, first: number, last: number): Annotation[] {
    return [...this.state(trackId).annotations.values()].filter((a) => a.frame >= first && a.frame <= last)
      .sort((a, b) => a.frame - b.frame);
  }

  private async put(trackId: number, frame: number, change: { box?: BoxXYWH; mask?: Rle }): Promise<Annotation> {
    const state = this.state(trackId);
    const saved = await this.guard(trackId, () =>
      this.api.putAnnotation(trackId, frame, { version: state.track.version, ...change }));
    const { version, review_status, ...annotation } = saved;
    this.setVersion(trackId, version, review_status);
    state.annotations.set(frame, annotation);
    this.bus.emit("annotations.changed", { trackId });
    return annotation;
  }

  private async review(trackId: number, call: (version: number) => Promise<Track>): Promise<void> {
    const state = this.state(trackId);
    state.track = await this.guard(trackId, () => call(state.track.version), false); // a lock guards edits, not review
    this.bus.emit("tracks.changed", {});
  }

  /** Keep the version and status the server answered: a change makes a reviewed track a draft again. */
  private setVersion(trackId: number, version: number, reviewStatus: Track["review_status"]): void {
    const state = this.state(trackId);
    const reopened = state.track.review_status !== reviewStatus;
    state.track = { ...state.track, version, review_status: reviewStatus };
    if (reopened) this.bus.emit("tracks.changed", {});
  }

  /** Refuse edits of a locked track; report a stale version as a conflict (the UI offers a reload), then rethrow. */
  private async guard<T>(trackId: number, call: () => Promise<T>, edit = true): Promise<T> {
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
}
