/**
 * What the timeline shows for each frame of a track, and where the likely errors are.
 *
 *   const kinds = frameKinds(annotations, frameCount);      // "manual" | "propagated" | "empty"
 *   const marks = suspiciousFrames(annotations);            // low score or sudden area change
 *   const next = nextSuspicious(marks, current, +1);
 */

export interface FrameInfo {
  frame: number;
  source: string;
  score: number | null;
  area: number;
}

export type FrameKind = "manual" | "propagated" | "empty";

export const LOW_SCORE = 0.6;
export const AREA_JUMP = 0.5; // relative change of mask area between neighbouring annotated frames

export function frameKinds(frames: Iterable<FrameInfo>, frameCount: number): FrameKind[] {
  const kinds: FrameKind[] = new Array(frameCount).fill("empty");
  for (const f of frames) {
    if (f.frame < 0 || f.frame >= frameCount) continue;
    kinds[f.frame] = f.source === "propagated" ? "propagated" : "manual";
  }
  return kinds;
}

/** Red (0) through yellow (0.5) to green (1) for a tracker score; grey when unknown. */
export function scoreColour(score: number | null): string {
  if (score === null || !Number.isFinite(score)) return "#8a8f98";
  const s = Math.min(1, Math.max(0, score));
  return `hsl(${Math.round(s * 120)}, 75%, 45%)`;
}

export interface Suspicion {
  frame: number;
  reason: "low score" | "area jump";
  value: number;
}

/** Frames worth a look: a propagated frame scoring under `lowScore`, or a jump in mask area. */
export function suspiciousFrames(frames: FrameInfo[], lowScore = LOW_SCORE, areaJump = AREA_JUMP): Suspicion[] {
  const sorted = [...frames].sort((a, b) => a.frame - b.frame);
  const out: Suspicion[] = [];
  let previousArea: number | null = null;
  for (const f of sorted) {
    if (f.source === "propagated" && f.score !== null && f.score < lowScore) {
      out.push({ frame: f.frame, reason: "low score", value: f.score });
    } else if (f.source !== "manual_box" && previousArea !== null) {
      const larger = Math.max(previousArea, f.area);
      const jump = larger ? Math.abs(f.area - previousArea) / larger : 0;
      if (jump >= areaJump) out.push({ frame: f.frame, reason: "area jump", value: jump });
    }
    if (f.source !== "manual_box") previousArea = f.area;
  }
  return out;
}

/** The next (direction +1) or previous (-1) suspicious frame after `current`, wrapping around. */
export function nextSuspicious(marks: Suspicion[], current: number, direction: 1 | -1): number | null {
  if (!marks.length) return null;
  const frames = [...new Set(marks.map((m) => m.frame))].sort((a, b) => a - b);
  if (direction > 0) return frames.find((f) => f > current) ?? frames[0];
  return [...frames].reverse().find((f) => f < current) ?? frames[frames.length - 1];
}
