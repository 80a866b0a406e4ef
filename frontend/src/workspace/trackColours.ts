/**
 * One colour per track, derived from its label's colour, so objects of the same label can be
 * told apart on the canvas, in the track list and on the timeline.
 *
 *   const colours = trackColours(tracks.map((t) => ({ id: t.id, labelId: t.label, objectId: t.object_id, labelColour: t.colour })));
 *   colours.get(track.id); // "#rrggbb"
 *
 * Within a label, tracks are ranked by object id (fixed by the server, so the colours survive a
 * reload); rank 0 keeps the label's colour and each further rank gets its own variant. Every
 * track of a label in the video gets a different colour, so tracks sharing a frame always differ.
 */

export interface TrackColourInput {
  id: number;
  labelId: number;
  objectId: number;
  labelColour: string; // "#rrggbb"
}

// Lightness steps cycle fastest, then hue steps (degrees), so variants stay recognisably the
// label's hue; 3 x 7 = 21 variants per label. Tuned in trackColours.test.ts so that 12 tracks of
// any colour of the label palette (annotator/services/projects.py) stay clearly apart.
const LIGHTNESS_STEPS = [0, 0.16, -0.16];
const HUE_STEPS = [0, 45, -45, 90, -90, 22, -22];
const LIGHTNESS_EDGE = 0.25; // no variant darker or paler than this from black or white
const MIN_SATURATION = 0.7; // weakly saturated variants look alike whatever their hue
const GOLDEN = 0.618033988749895;

/** Return each track's colour, keyed by track id. */
export function trackColours(tracks: TrackColourInput[]): Map<number, string> {
  const byLabel = new Map<number, TrackColourInput[]>();
  for (const t of tracks) byLabel.set(t.labelId, [...(byLabel.get(t.labelId) ?? []), t]);
  const colours = new Map<number, string>();
  for (const group of byLabel.values()) {
    group.sort((a, b) => a.objectId - b.objectId || a.id - b.id);
    group.forEach((t, rank) => colours.set(t.id, colourVariant(t.labelColour, rank)));
  }
  return colours;
}

/**
 * Return the rank-th variant of a "#rrggbb" colour. Rank 0 is the colour itself, unless it is too
 * dark or too pale to have variants on both sides: then it too is brought to the nearest usable
 * lightness, so no variant lands back on it.
 */
export function colourVariant(hex: string, rank: number): string {
  const [h, s, l] = hexToHsl(hex);
  const step = LIGHTNESS_STEPS[rank % LIGHTNESS_STEPS.length];
  const base = Math.min(1 - LIGHTNESS_EDGE - LIGHTNESS_STEPS[1], Math.max(LIGHTNESS_EDGE + LIGHTNESS_STEPS[1], l));
  if (rank === 0 && base === l) return hex.toLowerCase();
  const hueIndex = Math.floor(rank / LIGHTNESS_STEPS.length);
  // past the table, golden-ratio offsets within ±90° keep new hues away from earlier ones
  const hue = hueIndex < HUE_STEPS.length ? HUE_STEPS[hueIndex] : ((hueIndex * GOLDEN) % 1) * 180 - 90;
  return hslToHex(h + hue, rank === 0 ? s : Math.max(s, MIN_SATURATION), base + step);
}

function hexToHsl(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1, 7), 16);
  const r = ((n >> 16) & 255) / 255, g = ((n >> 8) & 255) / 255, b = (n & 255) / 255;
  const max = Math.max(r, g, b), min = Math.min(r, g, b), l = (max + min) / 2, d = max - min;
  if (d === 0) return [0, 0, l];
  const s = d / (1 - Math.abs(2 * l - 1));
  const h = max === r ? ((g - b) / d + 6) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return [h * 60, s, l];
}

function hslToHex(h: number, s: number, l: number): string {
  h = ((h % 360) + 360) % 360;
  const c = (1 - Math.abs(2 * l - 1)) * s, x = c * (1 - Math.abs(((h / 60) % 2) - 1)), m = l - c / 2;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return "#" + [r, g, b].map((v) => Math.round((v + m) * 255).toString(16).padStart(2, "0")).join("");
}
