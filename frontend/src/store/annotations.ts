/**
 * The one store of the workspace: the video, its tracks, their annotations and the selection.
 * Every write goes to the server with the track's version (optimistic locking); a 409 is
 * reported as a "conflict" event and never retried or overwritten.
 *
 * A track's full annotations (masks) are held only in windows of frames around the frame on
 * screen (frameWindows.ts, `focus`); its light per-frame summary covers the whole track and is what
 * the timeline, frame counts and "next suspicious frame" use (`summary`).
 *
 *   const store = new AnnotationStore(api, bus);
 *   await store.load(videoId, frame);
 *   void store.focus(frame);                    // on every frame change: load near windows, drop far ones
 *   await store.setMask(trackId, frame, rle);   // throws ConflictError when stale
 */
import { ApiError, ConflictError, type Annotation, type Api, type Label, type ModelSummary, type Track, type Video } from "../api/client";
import type { BoxXYWH } from "../canvas/geometry";
import type { Rle } from "../canvas/rle";
import type { AppEvents } from "../events";
import type { EventBus } from "../events";
import type { FrameInfo } from "../timeline/ConfidenceStrip";
import { FrameWindows, WINDOW_FRAMES } from "./frameWindows";
import {
  dropRange, fetchFrames, mergeChanged, mergeRange, newFrameBook, summaryRow, summaryRows, type FrameBook,
} from "./trackFrames";
import { applyOutside, isOutside, outsideAnnotation } from "./outside";
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
  private books = new Map<number, FrameBook>(); // per track: held windows, summary, delta cursor
  private loading = new Map<string, Promise<void>>(); // "track:window" in flight
  private focusFrame = 0;

  constructor(private api: Api, private bus: EventBus<AppEvents>, private storage: KeyValueStorage | null = browserStorage()) {}

  /** Load the video, its tracks, their summaries, and their annotations around `frame`. */
  async load(videoId: number, frame = 0): Promise<void> {
    this.video = await this.api.getVideo(videoId);
    const [tracks, labels, project] = await Promise.all([
      this.api.listTracks(videoId), this.api.listLabels(this.video.project), this.api.getProject(this.video.project),
    ]);
    this.labels = labels;
    this.role = project.role ?? null;
    this.defaultModel = project.default_model ?? null;
    this.tracks.clear();
    this.books.clear();
    this.focusFrame = frame;
    this.prefs = new TrackPrefs(this.storage, videoId);
    for (const track of tracks) {
      this.tracks.set(track.id, { track, annotations: new Map(), visible: !this.prefs.has("hidden", track.id), locked: this.prefs.has("locked", track.id) });
    }
    await Promise.all(tracks.map((t) => this.readAround(t.id)));
    this.bus.emit("tracks.changed", {});
  }

  /** Hold every track's annotations around `frame` (loading missing windows), dropping the farthest past the cap. */
  async focus(frame: number): Promise<void> {
    this.focusFrame = frame;
    await Promise.all([...this.tracks.keys()].flatMap((id) => this.windowsOf(id).missing(frame).map((w) => this.loadWindow(id, w))));
  }

  /** Every annotated frame of the track (source, confidence, area; no geometry), in frame order. */
  summary(trackId: number): FrameInfo[] {
    return [...(this.books.get(trackId)?.summary.values() ?? [])].sort((a, b) => a.frame - b.frame);
  }

  /** How many frames the track has an annotation on. */
  frameTotal(trackId: number): number {
    return this.books.get(trackId)?.summary.size ?? 0;
  }

  /** Whether the track has an annotation on `frame`, loaded here or not. */
  hasFrame(trackId: number, frame: number): boolean {
    return this.books.get(trackId)?.summary.has(frame) ?? false;
  }

  /** First read of a track: its whole summary and the windows around the focus, in one round (one redraw). */
  private readAround(trackId: number): Promise<void> {
    const windows = this.windowsOf(trackId);
    windows.around(this.focusFrame).forEach((w) => windows.add(w)); // held from now: this read fills them
    return this.refreshAnnotations(trackId);
  }

  private bookOf(trackId: number): FrameBook {
    let book = this.books.get(trackId);
    if (!book) this.books.set(trackId, book = newFrameBook(this.video?.frame_count ?? WINDOW_FRAMES));
    return book;
  }

  private windowsOf(trackId: number): FrameWindows {
    return this.bookOf(trackId).windows;
  }

  private summaryOf(trackId: number): Map<number, FrameInfo> {
    return this.bookOf(trackId).summary;
  }

  private loadWindow(trackId: number, index: number): Promise<void> {
    const key = `${trackId}:${index}`;
    let pending = this.loading.get(key);
    if (pending) return pending;
    const windows = this.windowsOf(trackId);
    const [first, last] = windows.range(index);
    pending = this.api.listAnnotations(trackId, first, last).then((list) => {
      const state = this.tracks.get(trackId);
      if (!state) return;
      windows.add(index);
      this.mergeAnnotations(state, list, first, last);
      for (const far of windows.overflow(this.focusFrame)) {
        windows.remove(far);
        dropRange(state.annotations, ...windows.range(far));
      }
      this.bus.emit("annotations.changed", { trackId });
    }).finally(() => this.loading.delete(key));
    this.loading.set(key, pending);
    return pending;
  }

  private mergeAnnotations(state: TrackState, list: Annotation[], first: number, last: number): void {
    mergeRange(state.annotations, list, first, last, (old, a) => old.updated_at === a.updated_at && old.source === a.source);
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
   * Re-read a track's frames from..to (default: all): the summary of the range, then in held
   * windows only the frames written since the last full re-read (`?changed_since=`, docs/api.md).
   * The server is the truth for the range read: frames it no longer has are removed here too.
   */
  async refreshAnnotations(trackId: number, from = 0, to = this.lastFrame): Promise<void> {
    const since = this.bookOf(trackId).cursor;
    const parts = this.windowsOf(trackId).heldParts(from, to);
    const [summary, ...lists] = await Promise.all([
      this.api.trackSummary(trackId, from, to), ...parts.map(([a, b]) => fetchFrames(this.api, trackId, a, b, since))]);
    const state = this.tracks.get(trackId);
    if (!state) return;
    const rows = this.summaryOf(trackId);
    mergeRange(rows, summaryRows(summary), from, to);
    parts.forEach(([a, b], i) => since === undefined ? this.mergeAnnotations(state, lists[i], a, b)
      : mergeChanged(state.annotations, lists[i], a, b, rows));
    // every held window is now current as of the summary: later re-reads ask only for what changed since
    if (from === 0 && to >= this.lastFrame) this.bookOf(trackId).cursor = summary.cursor;
    this.bus.emit("annotations.changed", { trackId });
  }

  private get lastFrame(): number {
    return Math.max(0, (this.video?.frame_count ?? 1) - 1);
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
    await this.readAround(track.id);
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
    for (const rows of [state.annotations, this.summaryOf(trackId)]) dropRange(rows, frame, Number.MAX_SAFE_INTEGER);
    this.tracks.set(result.new_track.id, { track: result.new_track, annotations: new Map(), visible: true, locked: false });
    await this.readAround(result.new_track.id);
    this.bus.emit("annotations.changed", { trackId });
    this.bus.emit("tracks.changed", {});
    return result.new_track;
  }

  private forget(trackId: number): void {
    this.tracks.delete(trackId);
    this.books.delete(trackId);
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
    else if (isOutside(before)) await this.setOutside(trackId, frame, frame, true);
    else if (before.mask) await this.put(trackId, frame, { mask: before.mask });
    else await this.put(trackId, frame, { box: before.bbox });
  }

  async deleteFrames(trackId: number, first: number, last: number): Promise<number> {
    const state = this.state(trackId);
    const result = await this.guard(trackId, () => this.api.deleteRange(trackId, state.track.version, first, last));
    this.setVersion(trackId, result.version, result.review_status);
    for (const rows of [state.annotations, this.summaryOf(trackId)]) dropRange(rows, first, last);
    this.bus.emit("annotations.changed", { trackId });
    return result.deleted;
  }

  /** Mark frames first..last outside (or clear those marks): shown at once, put back if the server refuses. */
  async setOutside(trackId: number, first: number, last: number, mark: boolean): Promise<number> {
    const state = this.state(trackId), summary = this.summaryOf(trackId);
    if (state.locked) throw new TrackLockedError(state.track.object_id);
    const before = applyOutside(state.annotations, first, last, mark, outsideAnnotation);
    const summaryBefore = applyOutside(summary, first, last, mark, (f) => summaryRow(outsideAnnotation(f)));
    this.bus.emit("annotations.changed", { trackId });
    try {
      const call = mark ? this.api.markOutside : this.api.clearOutside;
      const result = await this.guard(trackId, () => call(trackId, state.track.version, first, last));
      this.setVersion(trackId, result.version, result.review_status);
      await this.refreshAnnotations(trackId, first, last); // the timeline's summary, and the server's copy of the frames
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

  async submit(trackId: number): Promise<void> {
    await this.review(trackId, (v) => this.api.submit(trackId, v));
  }

  async accept(trackId: number): Promise<void> {
    await this.review(trackId, (v) => this.api.accept(trackId, v));
  }

  async reject(trackId: number, comment: string, frame: number | null): Promise<void> {
    await this.review(trackId, (v) => this.api.reject(trackId, v, comment, frame));
  }

  /** Frames of a track in a range, in order, read from the server (for undoing a range deletion). */
  framesBetween(trackId: number, first: number, last: number): Promise<Annotation[]> {
    return fetchFrames(this.api, trackId, first, last);
  }

  private async put(trackId: number, frame: number, change: { box?: BoxXYWH; mask?: Rle }): Promise<Annotation> {
    const state = this.state(trackId);
    const saved = await this.guard(trackId, () =>
      this.api.putAnnotation(trackId, frame, { version: state.track.version, ...change }));
    const { version, review_status, repropagation, ...annotation } = saved;
    this.setVersion(trackId, version, review_status);
    state.annotations.set(frame, annotation);
    this.summaryOf(trackId).set(frame, summaryRow(annotation));
    this.bus.emit("annotations.changed", { trackId });
    if (repropagation) this.bus.emit("job.started", { job: repropagation, cause: "correction" });
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
