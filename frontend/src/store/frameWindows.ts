/**
 * Which windows of frames a track holds in the browser: the workspace loads a track's full
 * annotations (masks, boxes) window by window around the frame on screen, prefetches the
 * neighbours, and drops the farthest windows past a cap so memory stays bounded on long videos.
 * The whole-track picture (the timeline) comes from the light summary instead (store/frameBooks.ts).
 *
 *   const windows = new FrameWindows(frameCount);
 *   for (const i of windows.missing(frame)) { load(windows.range(i)); windows.add(i); }
 *   for (const i of windows.overflow(frame)) { drop(windows.range(i)); windows.remove(i); }
 */

export const WINDOW_FRAMES = 500;
/** Windows held per track: 6 x 500 frames. Masks of a 20,000-frame track would otherwise all stay in memory. */
export const MAX_WINDOWS = 6;

export class FrameWindows {
  private held = new Set<number>();

  constructor(readonly frameCount: number, readonly size = WINDOW_FRAMES, readonly cap = MAX_WINDOWS) {
    if (size < 1 || cap < 3) throw new Error("a window holds a frame or more, and a track holds 3 windows or more");
  }

  indexOf(frame: number): number {
    return Math.floor(Math.max(0, frame) / this.size);
  }

  /** The first and last frame (inclusive) of window `index`. */
  range(index: number): [number, number] {
    return [index * this.size, Math.min(this.frameCount, (index + 1) * this.size) - 1];
  }

  /** The windows to hold around `frame`: its own first, then the next and the previous (prefetch). */
  around(frame: number): number[] {
    const i = this.indexOf(frame), last = this.indexOf(this.frameCount - 1);
    return [i, i + 1, i - 1].filter((w) => w >= 0 && w <= last);
  }

  /** The windows around `frame` not held yet, the one with `frame` first. */
  missing(frame: number): number[] {
    return this.around(frame).filter((w) => !this.held.has(w));
  }

  has(index: number): boolean {
    return this.held.has(index);
  }

  covers(frame: number): boolean {
    return this.held.has(this.indexOf(frame));
  }

  add(index: number): void {
    this.held.add(index);
  }

  remove(index: number): void {
    this.held.delete(index);
  }

  /** Held windows, in frame order. */
  all(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** The held windows to drop so at most `cap` remain: the farthest from `frame` first, never one around it. */
  overflow(frame: number): number[] {
    const keep = new Set(this.around(frame)), centre = this.indexOf(frame);
    const far = this.all().filter((w) => !keep.has(w)).sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    return far.slice(0, Math.max(0, this.held.size - this.cap));
  }

  /** The parts of frames first..last that fall in held windows, as [from, to] spans in frame order. */
  heldParts(first: number, last: number): [number, number][] {
    const parts: [number, number][] = [];
    for (const w of this.all()) {
      const [a, b] = this.range(w);
      if (b >= first && a <= last) parts.push([Math.max(a, first), Math.min(b, last)]);
    }
    return parts;
  }
}
