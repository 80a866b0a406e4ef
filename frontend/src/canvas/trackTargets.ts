/**
 * Which track a click or an edit on the canvas is aimed at: the topmost shown track under a point,
 * and whether the selected track may be edited (hidden and locked tracks may not).
 *
 *   const trackId = pickTrack(tracks, point, imageW, imageH, toggles.masks);
 *   const reason = editRefusal(track);   // null: edit away; else tell the user why not
 */
import { boxCorners, pointInPolygon, type Point } from "./geometry";
import { runsContain } from "./maskRaster";
import type { CanvasTrack } from "./types";

/** The last-drawn shown track whose mask (when masks are shown) or box holds image point `p`. */
export function pickTrack(tracks: CanvasTrack[], p: Point, imageW: number, imageH: number, masksShown: boolean): number | null {
  const x = Math.floor(p.x), y = Math.floor(p.y);
  if (x < 0 || y < 0 || x >= imageW || y >= imageH) return null;
  for (const t of [...tracks].reverse()) {
    const a = t.annotation;
    if (!t.visible || !a) continue;
    if (a.runs && masksShown && runsContain(a.runs, x * imageH + y)) return t.id;
    if (a.bbox && pointInPolygon(p, boxCorners(a.bbox))) return t.id;
  }
  return null;
}

/** Why the selected track (null: none) may not be edited, in words for the user; null when it may. */
export function editRefusal(track: CanvasTrack | null): string | null {
  if (!track) return "select a track first (click it in the list or press 1-9)";
  if (!track.locked && track.visible) return null;
  const why = track.locked ? "is locked; unlock it in the track list to edit" : "is hidden; show it to edit";
  return `${track.label} #${track.objectId} ${why}`;
}
