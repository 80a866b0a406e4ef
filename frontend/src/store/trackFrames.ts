/**
 * Reading a track's frames from the server in the shapes the store keeps: full annotations in
 * spans the server answers whole, and the light per-frame summary the timeline draws.
 *
 *   const list = await fetchFrames(api, trackId, 0, 2499);   // three requests of <= 1000 frames
 *   const rows = summaryRows(await api.trackSummary(trackId)); // [{frame, source, score, quality, area}]
 */
import type { Annotation, Api, TrackSummary } from "../api/client";
import type { FrameInfo } from "../timeline/ConfidenceStrip";
import { FrameWindows } from "./frameWindows";

/** What the store knows of one track's frames besides the masks it holds. */
export interface FrameBook {
  windows: FrameWindows; // which frame windows the track's `annotations` hold
  summary: Map<number, FrameInfo>; // every annotated frame, without geometry
  cursor?: string; // the held windows are current as of this summary cursor (`?changed_since=`)
}

export function newFrameBook(frameCount: number): FrameBook {
  return { windows: new FrameWindows(frameCount), summary: new Map() };
}

/** The server answers at most 1000 annotations a request (annotator/api/frame_ranges.py). */
export const MAX_SPAN = 1000;

/** Split frames first..last (inclusive) into spans of at most `size` frames. */
export function spans(first: number, last: number, size = MAX_SPAN): [number, number][] {
  const out: [number, number][] = [];
  for (let a = first; a <= last; a += size) out.push([a, Math.min(last, a + size - 1)]);
  return out;
}

/** A track's annotations on frames first..last, in frame order; with `changedSince`, only those written since. */
export async function fetchFrames(api: Pick<Api, "listAnnotations">, trackId: number, first: number,
                                  last: number, changedSince?: string): Promise<Annotation[]> {
  const parts = await Promise.all(spans(first, last).map(([a, b]) => api.listAnnotations(trackId, a, b, changedSince)));
  return parts.flat();
}

/** The summary's parallel arrays as one row per frame. */
export function summaryRows(summary: TrackSummary): FrameInfo[] {
  return summary.frame.map((frame, i) => ({
    frame, source: summary.source[i], score: summary.score[i], quality: summary.quality[i], area: summary.area[i],
  }));
}

/** The summary row of an annotation the store holds (after an edit, before the next summary read). */
export function summaryRow(a: Annotation): FrameInfo {
  return { frame: a.frame, source: a.source, score: a.score, quality: a.quality, area: a.area };
}

/**
 * Make `target` hold exactly `rows` on frames lo..hi: the server is the truth for the range it
 * answered. `same` keeps the old object when nothing changed (so decoded masks stay cached).
 */
export function mergeRange<T extends { frame: number }>(target: Map<number, T>, rows: T[], lo: number, hi: number,
                                                       same: (old: T, fresh: T) => boolean = () => false): void {
  const fresh = new Set(rows.map((r) => r.frame));
  for (const frame of [...target.keys()]) if (frame >= lo && frame <= hi && !fresh.has(frame)) target.delete(frame);
  for (const row of rows) {
    const old = target.get(row.frame);
    if (!old || !same(old, row)) target.set(row.frame, row);
  }
}

/**
 * Apply a delta to frames lo..hi of `target`: `changed` rows replace theirs, and frames no longer in
 * `present` (a fresh summary of the range) are removed.
 */
export function mergeChanged<T extends { frame: number }>(target: Map<number, T>, changed: T[], lo: number, hi: number,
                                                         present: Map<number, unknown>): void {
  for (const frame of [...target.keys()]) if (frame >= lo && frame <= hi && !present.has(frame)) target.delete(frame);
  for (const row of changed) target.set(row.frame, row);
}

/** Forget frames lo..hi of `target`. */
export function dropRange(target: Map<number, unknown>, lo: number, hi: number): void {
  for (const frame of [...target.keys()]) if (frame >= lo && frame <= hi) target.delete(frame);
}
