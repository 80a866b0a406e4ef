/**
 * Outside frames: the annotator says the object is not visible there (docs/frontend.md, "Outside
 * frames"). The server stores them as annotations with source "outside" and no box or mask; the
 * store shows them at once (before the server answers) and puts back what was there if it refuses.
 *
 *   isOutside(store.annotation(trackId, frame))      // true on a frame marked outside
 *   frameRuns([3, 4, 5, 9])                          // [[3, 5], [9, 9]]: one request per run
 */
import type { Annotation } from "../api/client";

export const OUTSIDE = "outside" as const;

export function isOutside(a: { source: string } | null | undefined): boolean {
  return a?.source === OUTSIDE;
}

/** What the store holds for an outside frame until the server's copy is read. */
export function outsideAnnotation(frame: number): Annotation {
  return { frame, source: OUTSIDE, score: null, quality: null, bbox: null, rotated_box: null, mask: null, area: 0,
           job: null, updated_at: "" } as unknown as Annotation; // Annotation types bbox as set: only outside frames lack one
}

/** Ascending [first, last] runs of consecutive frames. */
export function frameRuns(frames: Iterable<number>): [number, number][] {
  const runs: [number, number][] = [];
  for (const f of [...new Set(frames)].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && f === last[1] + 1) last[1] = f;
    else runs.push([f, f]);
  }
  return runs;
}

/**
 * Mark frames first..last of `rows` outside (`make` builds an outside row), or drop the outside
 * marks there; return the rows that were there before. Works on annotations and summary rows alike.
 */
export function applyOutside<T extends { frame: number; source: string }>(
  rows: Map<number, T>, first: number, last: number, mark: boolean, make: (frame: number) => T,
): T[] {
  const before = [...rows.values()].filter((a) => a.frame >= first && a.frame <= last);
  for (const a of before) if (mark || isOutside(a)) rows.delete(a.frame);
  if (mark) for (let f = first; f <= last; f++) rows.set(f, make(f));
  return before;
}
