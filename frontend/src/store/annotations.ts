/**
 * The one store of the workspace: the video, its tracks, their annotations and the selection.
 * Every write goes to the server with the track's version (optimistic locking); a 409 is
 * reported as a "conflict" event and never retried or overwritten (writeGuard.ts).
 *
 * This class is the store's face; the work is in its parts: which frames are held and reading
 * them (frameBooks.ts), writes to frames (frameEdits.ts), writes that add or remove tracks
 * (trackEdits.ts).
 *
 *   const store = new AnnotationStore(api, bus);
 *   await store.load(videoId, frame);
 *   void store.focus(frame);                    // on every frame change: load near windows, drop far ones
 *   await store.setMask(trackId, frame, rle);   // throws ConflictError when stale
 */
import type { Annotation, Api, Label, ModelSummary, Track, Video } from "../api/client";
import type { BoxXYWH } from "../canvas/geometry";
import type { Rle } from "../canvas/rle";
import type { AppEvents, EventBus } from "../events";
import type { FrameInfo } from "../timeline/ConfidenceStrip";
import { roleCanEdit } from "../workspace/roles";
import { FrameBooks } from "./frameBooks";
import { FrameEdits } from "./frameEdits";
import { TrackEdits } from "./trackEdits";
import { fetchFrames } from "./trackFrames";
import { browserStorage, TrackPrefs, type KeyValueStorage } from "./trackPrefs";
import { newTrackState, stateOf, type TrackState } from "./trackState";
import { WriteGuard } from "./writeGuard";

export class AnnotationStore {
  video!: Video;
  labels: Label[] = [];
  role: string | null = null;
  defaultModel: ModelSummary | null = null; // the weights new propagation jobs start with
  readonly tracks = new Map<number, TrackState>();
  selectedId: number | null = null;
  private prefs = new TrackPrefs(null, 0);
  private books: FrameBooks;
  private guard: WriteGuard;
  private frameEdits: FrameEdits;
  private trackEdits: TrackEdits;

  constructor(private api: Api, private bus: EventBus<AppEvents>, private storage: KeyValueStorage | null = browserStorage()) {
    this.books = new FrameBooks(api, bus, this.tracks, () => this.video?.frame_count);
    this.guard = new WriteGuard(bus, this.tracks);
    this.frameEdits = new FrameEdits(api, bus, this.tracks, this.books, this.guard);
    this.trackEdits = new TrackEdits(api, bus, this, this.books, this.guard);
  }

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
    this.books.reset(frame);
    this.prefs = new TrackPrefs(this.storage, videoId);
    for (const track of tracks) {
      this.tracks.set(track.id, newTrackState(track, !this.prefs.has("hidden", track.id), this.prefs.has("locked", track.id)));
    }
    await Promise.all(tracks.map((t) => this.books.readAround(t.id)));
    this.bus.emit("tracks.changed", {});
  }

  /** Hold every track's annotations around `frame` (loading missing windows), dropping the farthest past the cap. */
  focus(frame: number): Promise<void> {
    return this.books.focus(frame);
  }

  /** Every annotated frame of the track (source, confidence, area; no geometry), in frame order. */
  summary(trackId: number): FrameInfo[] {
    return this.books.summary(trackId);
  }

  /** How many frames the track has an annotation on. */
  frameTotal(trackId: number): number {
    return this.books.frameTotal(trackId);
  }

  /** Whether the track has an annotation on `frame`, loaded here or not. */
  hasFrame(trackId: number, frame: number): boolean {
    return this.books.hasFrame(trackId, frame);
  }

  get canEdit(): boolean {
    return roleCanEdit(this.role);
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
    return stateOf(this.tracks, trackId);
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

  /** Re-read a track's frames from..to (default: all); frames the server no longer has go (frameBooks.ts). */
  refreshAnnotations(trackId: number, from?: number, to?: number): Promise<void> {
    return this.books.refresh(trackId, from, to);
  }

  /** Re-read a track (version, review status) and all its frames: the way out of a conflict. */
  async reloadTrack(trackId: number): Promise<void> {
    const track = await this.api.getTrack(trackId);
    this.state(trackId).track = track;
    await this.refreshAnnotations(trackId);
    this.bus.emit("tracks.changed", {});
  }

  /** Frames of a track in a range, in order, read from the server (for undoing a range deletion). */
  framesBetween(trackId: number, first: number, last: number): Promise<Annotation[]> {
    return fetchFrames(this.api, trackId, first, last);
  }

  // ---- writes: each sends the version we hold and keeps the one the server returns ----

  createTrack(labelId: number, frame: number, box: BoxXYWH): Promise<Track> {
    return this.trackEdits.createTrack(labelId, frame, box);
  }

  /** Delete a track; `checked` sends the version we hold (a stale one is a conflict), undo sends none. */
  deleteTrack(trackId: number, checked = false): Promise<void> {
    return this.trackEdits.deleteTrack(trackId, checked);
  }

  /** Move `otherId`'s frames into `keepId` (where both have a frame, keep's stays) and drop `otherId`. */
  mergeTracks(keepId: number, otherId: number): Promise<{ moved: number; dropped: number }> {
    return this.trackEdits.mergeTracks(keepId, otherId);
  }

  /** Move the track's frames from `frame` on to a new track with the same label; return the new track. */
  splitTrack(trackId: number, frame: number): Promise<Track> {
    return this.trackEdits.splitTrack(trackId, frame);
  }

  setBox(trackId: number, frame: number, box: BoxXYWH): Promise<Annotation> {
    return this.frameEdits.setBox(trackId, frame, box);
  }

  setMask(trackId: number, frame: number, mask: Rle): Promise<Annotation> {
    return this.frameEdits.setMask(trackId, frame, mask);
  }

  /** Put back a frame as it was (undo): its mask if it had one, else its box, else nothing. */
  restore(trackId: number, frame: number, before: Annotation | null): Promise<void> {
    return this.frameEdits.restore(trackId, frame, before);
  }

  deleteFrames(trackId: number, first: number, last: number): Promise<number> {
    return this.frameEdits.deleteFrames(trackId, first, last);
  }

  /** Mark frames first..last outside (or clear those marks): shown at once, put back if the server refuses. */
  setOutside(trackId: number, first: number, last: number, mark: boolean): Promise<number> {
    return this.frameEdits.setOutside(trackId, first, last, mark);
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

  private async review(trackId: number, call: (version: number) => Promise<Track>): Promise<void> {
    const state = this.state(trackId);
    state.track = await this.guard.run(trackId, () => call(state.track.version), false); // a lock guards edits, not review
    this.bus.emit("tracks.changed", {});
  }
}
