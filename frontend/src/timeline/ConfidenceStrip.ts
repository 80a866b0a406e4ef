/**
 * What the timeline shows for each frame of a track, and where the likely errors are.
 *
 *   const kinds = frameKinds(annotations, frameCount);      // "manual" | "propagated" | "outside" | "empty"
 *   const marks = suspiciousFrames(annotations);            // low confidence or sudden area change
 *   const next = nextSuspicious(marks, current, +1);
 *
 * A frame's confidence is the model's `quality` of the mask when it gives one, else
 * the tracker's score: the same rule as the review queue (annotator/review_queue.py).
 */

export interface FrameInfo {
  frame: number;
  source: string;
  score: number | null;
  quality: number | null; // null for models without a quality head (the official weights)
  area: number;
}

export type FrameKind = "manual" | "propagated" | "outside" | "empty";

export const LOW_CONFIDENCE = 0.6;
export const AREA_JUMP = 0.5; // relative change of mask area between neighbouring annotated frames

/** The quality when there is one, else the tracker score; null when neither is known. */
export function confidence(f: Pick<FrameInfo, "score" | "quality">): number | null {
  return f.quality ?? f.score;
}

/** How to name a frame's confidence: "quality 0.83" or "score 0.95". */
export function confidenceText(f: Pick<FrameInfo, "score" | "quality">): string {
  if (f.quality !== null) return `quality ${f.quality.toFixed(2)}`;
  return `score ${f.score?.toFixed(2) ?? "?"}`;
}

export function frameKinds(frames: Iterable<FrameInfo>, frameCount: number): FrameKind[] {
  const kinds: FrameKind[] = new Array(frameCount).fill("empty");
  for (const f of frames) {
    if (f.frame < 0 || f.frame >= frameCount) continue;
    kinds[f.frame] = f.source === "propagated" || f.source === "outside" ? f.source : "manual";
  }
  return kinds;
}

/** Red (0) through yellow (0.5) to green (1) for a confidence; grey when unknown. */
export function confidenceColour(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "#8a8f98";
  const s = Math.min(1, Math.max(0, value));
  return `hsl(${Math.round(s * 120)}, 75%, 45%)`;
}

export interface Suspicion {
  frame: number;
  reason: "low confidence" | "area jump";
  value: number;
}

/** Frames worth a look: a propagated frame under `low` confidence, or a jump in mask area. */
export function suspiciousFrames(frames: FrameInfo[], low = LOW_CONFIDENCE, areaJump = AREA_JUMP): Suspicion[] {
  const sorted = [...frames].sort((a, b) => a.frame - b.frame);
  const out: Suspicion[] = [];
  let previousArea: number | null = null;
  for (const f of sorted) {
    if (f.source === "outside") { // not visible: the area after it is not comparable to the one before
      previousArea = null;
      continue;
    }
    const value = confidence(f);
    if (f.source === "propagated" && value !== null && value < low) {
      out.push({ frame: f.frame, reason: "low confidence", value });
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
