/**
 * Which masks go into the canvas's overlay, in which order and colour: every shown track's,
 * the selected one last (on top) and more opaque.
 *
 *   maskLayer.compose(rasterEntries(tracks, toggles));
 *   maskLayer.beginEdit(rasterEntries(tracks, toggles, editedTrackId));   // the others, under the stroke
 */
import { packColour, type RasterEntry } from "./maskRaster";
import type { CanvasTrack, LayerToggles } from "./types";

export const MASK_ALPHA = 0.45;
export const SELECTED_MASK_ALPHA = 0.6;

/** The overlay's masks, bottom first; none while the mask layer is off. */
export function rasterEntries(tracks: CanvasTrack[], toggles: LayerToggles, exceptTrack?: number): RasterEntry[] {
  if (!toggles.masks) return [];
  const entries: RasterEntry[] = [];
  // the selected track goes last, so it is drawn on top
  const ordered = [...tracks].sort((a, b) => Number(a.selected) - Number(b.selected));
  for (const t of ordered) {
    const runs = t.annotation?.runs;
    if (!t.visible || !runs || t.id === exceptTrack) continue;
    entries.push({ runs, colour: packColour(t.colour, t.selected ? SELECTED_MASK_ALPHA : MASK_ALPHA) });
  }
  return entries;
}
