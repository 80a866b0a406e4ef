/**
 * Decoded masks by annotation: an LRU of run-length arrays, filled in bulk by a Web Worker when
 * chunks of annotations arrive, and synchronously on a miss when a frame must be drawn now.
 *
 *   decoder.prefetch(annotations);      // off the main thread
 *   const runs = decoder.runs(annotation);  // Uint32Array | null, never waits
 */
import type { Annotation } from "../api/client";
import { decodeCounts } from "../canvas/rle";
import type { DecodeReply, DecodeRequest } from "../canvas/rle.worker";
import { Lru } from "./lru";

export class MaskDecoder {
  private cache = new Lru<Annotation, Uint32Array>(4000);
  private worker: Worker | null = null;
  private nextId = 1;
  private waiting = new Map<number, Annotation[]>();
  onDecoded: () => void = () => {};

  constructor(useWorker = typeof Worker !== "undefined") {
    if (!useWorker) return;
    try {
      this.worker = new Worker(new URL("../canvas/rle.worker.ts", import.meta.url), { type: "module", name: "rle-worker" });
      this.worker.onmessage = (e: MessageEvent<DecodeReply>) => this.receive(e.data);
      this.worker.onerror = () => (this.worker = null); // fall back to decoding on demand
    } catch {
      this.worker = null;
    }
  }

  /** The run lengths of an annotation's mask, decoding now if the worker has not yet. */
  runs(annotation: Annotation): Uint32Array | null {
    if (!annotation.mask || typeof annotation.mask.counts !== "string") return null;
    let runs = this.cache.get(annotation);
    if (!runs) {
      try {
        runs = decodeCounts(annotation.mask.counts);
      } catch {
        return null; // a corrupt mask is drawn as no mask rather than breaking the page
      }
      this.cache.set(annotation, runs);
    }
    return runs;
  }

  /** Decode these annotations' masks in the background. */
  prefetch(annotations: Annotation[]): void {
    const todo = annotations.filter((a) => a.mask && typeof a.mask.counts === "string" && !this.cache.has(a));
    if (!todo.length) return;
    if (!this.worker) return; // decoding on demand is fast enough; nothing to gain on this thread
    const id = this.nextId++;
    this.waiting.set(id, todo);
    const message: DecodeRequest = { id, counts: todo.map((a) => a.mask!.counts) };
    this.worker.postMessage(message);
  }

  /** Put runs decoded elsewhere (e.g. by the canvas after a brush stroke) in the cache. */
  remember(annotation: Annotation, runs: Uint32Array): void {
    this.cache.set(annotation, runs);
  }

  destroy(): void {
    this.worker?.terminate();
    this.worker = null;
    this.cache.clear();
  }

  private receive(reply: DecodeReply): void {
    const annotations = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    if (!annotations) return;
    annotations.forEach((a, i) => {
      const runs = reply.runs[i];
      if (runs && !this.cache.has(a)) this.cache.set(a, runs);
    });
    this.onDecoded();
  }
}
