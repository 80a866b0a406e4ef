/**
 * Frames of one video: fetched as JPEG, decoded off the main thread by createImageBitmap, and kept
 * in an LRU sized to a memory budget, so scrubbing and playback draw from memory.
 *
 *   const frames = new FrameStore(video, (n) => api.frameUrl(video.id, n));
 *   frames.onLoaded = (n) => n === current && redraw();
 *   frames.prefetch(current, 30, 8);    // nearest first, ahead before behind
 *   const bitmap = frames.get(current); // undefined until loaded
 */
import { Lru } from "./lru";

const MAX_IN_FLIGHT = 6;
export const DEFAULT_BUDGET_BYTES = 512 * 1024 * 1024;

export function capacityFor(width: number, height: number, budgetBytes = DEFAULT_BUDGET_BYTES): number {
  return Math.max(48, Math.min(3000, Math.floor(budgetBytes / Math.max(1, width * height * 4))));
}

/** Frames to fetch around `center`, nearest first; at equal distance the later frame comes first. */
export function prefetchOrder(center: number, ahead: number, behind: number, frameCount: number): number[] {
  const order: number[] = [];
  for (let d = 0; d <= Math.max(ahead, behind); d++) {
    if (d <= ahead && center + d < frameCount) order.push(center + d);
    if (d > 0 && d <= behind && center - d >= 0) order.push(center - d);
  }
  return order;
}

export class FrameStore {
  onLoaded: (frame: number) => void = () => {};
  onError: (frame: number, error: unknown) => void = () => {};
  readonly cache: Lru<number, ImageBitmap>;
  private inFlight = new Map<number, Promise<ImageBitmap>>();
  private queue: number[] = [];
  private destroyed = false;

  constructor(private frameCount: number, width: number, height: number, private urlOf: (frame: number) => string,
              budgetBytes = DEFAULT_BUDGET_BYTES) {
    this.cache = new Lru(capacityFor(width, height, budgetBytes), (bitmap) => bitmap.close?.());
  }

  get(frame: number): ImageBitmap | undefined {
    return this.cache.get(frame);
  }

  has(frame: number): boolean {
    return this.cache.has(frame);
  }

  /** Load one frame now, ahead of any queued prefetch. */
  load(frame: number): Promise<ImageBitmap> {
    const cached = this.cache.get(frame);
    if (cached) return Promise.resolve(cached);
    return this.inFlight.get(frame) ?? this.fetch(frame);
  }

  /** Replace the prefetch queue with the window around `center`. */
  prefetch(center: number, ahead: number, behind: number): void {
    const limit = Math.floor(this.cache.capacity / 2);
    this.queue = prefetchOrder(center, Math.min(ahead, limit), Math.min(behind, limit / 4), this.frameCount)
      .filter((n) => !this.cache.has(n) && !this.inFlight.has(n));
    this.pump();
  }

  destroy(): void {
    this.destroyed = true;
    this.queue = [];
    this.cache.clear();
  }

  private pump(): void {
    while (this.inFlight.size < MAX_IN_FLIGHT && this.queue.length) {
      const frame = this.queue.shift()!;
      if (!this.cache.has(frame) && !this.inFlight.has(frame)) this.fetch(frame).catch(() => {});
    }
  }

  private fetch(frame: number): Promise<ImageBitmap> {
    const promise = (async () => {
      const response = await fetch(this.urlOf(frame), { credentials: "same-origin" });
      if (!response.ok) throw Object.assign(new Error(`frame ${frame}: HTTP ${response.status}`), { status: response.status });
      return createImageBitmap(await response.blob());
    })();
    this.inFlight.set(frame, promise);
    promise.then(
      (bitmap) => {
        this.inFlight.delete(frame);
        if (this.destroyed) return bitmap.close();
        this.cache.set(frame, bitmap);
        this.onLoaded(frame);
        this.pump();
      },
      (error) => {
        this.inFlight.delete(frame);
        this.onError(frame, error);
        this.pump();
      },
    );
    return promise;
  }
}
