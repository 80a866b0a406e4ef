/// <reference lib="webworker" />
/** Decodes many RLE counts strings off the main thread (see store/maskDecoder.ts). */
import { decodeCounts } from "./rle";

export interface DecodeRequest {
  id: number;
  counts: string[];
}

export interface DecodeReply {
  id: number;
  runs: (Uint32Array | null)[];
}

self.onmessage = (event: MessageEvent<DecodeRequest>) => {
  const runs = event.data.counts.map((c) => {
    try {
      return decodeCounts(c);
    } catch {
      return null;
    }
  });
  const reply: DecodeReply = { id: event.data.id, runs };
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply, runs.filter((r) => r).map((r) => r!.buffer));
};
