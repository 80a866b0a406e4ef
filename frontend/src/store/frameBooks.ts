/**
 * Which frames of each track the store holds, and reading them from the server. A track's full
 * annotations (masks) are held only in windows of frames around the frame on screen
 * (frameWindows.ts); its light per-frame summary covers the whole track and is what the timeline,
 * frame counts and "next suspicious frame" use.
 *
 *   const books = new FrameBooks(api, bus, tracks, () => video.frame_count);
 *   await books.readAround(trackId);            // first read: the summary and the windows near the focus
 *   void books.focus(frame);                    // on every frame change: load near windows, drop far ones
 */
import type { Annotation, Api } from "../api/client";
import type { AppEvents, EventBus } from "../events";
import type { FrameInfo } from "../timeline/ConfidenceStrip";
import { FrameWindows, WINDOW_FRAMES } from "./frameWindows";
import { dropRange, fetchFrames, mergeChanged, mergeRange, newFrameBook, summaryRows, type FrameBook } from "./trackFrames";
import type { TrackState } from "./trackState";

export class FrameBooks {
  private books = new Map<number, FrameBook>(); // per track: held windows, summary, delta cursor
  private loading = new Map<string, Promise<void>>(); // "track:window" in flight
  private focusFrame = 0;

  constructor(private api: Api, private bus: EventBus<AppEvents>, private tracks: Map<number, TrackState>,
              private frameCount: () => number | undefined) {}

  /** Forget every track's frames (a video is loaded); windows are held around `frame` from now. */
  reset(frame: number): void {
    this.books.clear();
    this.focusFrame = frame;
  }

  forget(trackId: number): void {
    this.books.delete(trackId);
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

  /** The track's summary rows by frame, to change along with an edit. */
  summaryOf(trackId: number): Map<number, FrameInfo> {
    return this.bookOf(trackId).summary;
  }

  /** First read of a track: its whole summary and the windows around the focus, in one round (one redraw). */
  readAround(trackId: number): Promise<void> {
    const windows = this.windowsOf(trackId);
    windows.around(this.focusFrame).forEach((w) => windows.add(w)); // held from now: this read fills them
    return this.refresh(trackId);
  }

  /**
   * Re-read a track's frames from..to (default: all): the summary of the range, then in held
   * windows only the frames written since the last full re-read (`?changed_since=`, docs/api.md).
   * The server is the truth for the range read: frames it no longer has are removed here too.
   */
  async refresh(trackId: number, from = 0, to = this.lastFrame): Promise<void> {
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
    return Math.max(0, (this.frameCount() ?? 1) - 1);
  }

  private bookOf(trackId: number): FrameBook {
    let book = this.books.get(trackId);
    if (!book) this.books.set(trackId, book = newFrameBook(this.frameCount() ?? WINDOW_FRAMES));
    return book;
  }

  private windowsOf(trackId: number): FrameWindows {
    return this.bookOf(trackId).windows;
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
}
