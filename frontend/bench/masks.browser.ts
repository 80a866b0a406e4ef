/**
 * The whole mask drawing path in the browser, through the real Canvas facade: decode 10 RLE strings,
 * compose the overlay, upload it, and draw frame + masks on a 1280x720 canvas. Loaded by
 * bench/frontend_masks.py, which reads window.benchResult.
 */
import { Canvas } from "../src/canvas/Canvas";
import type { CanvasTrack } from "../src/canvas/types";
import { decodeCounts } from "../src/canvas/rle";
import { HEIGHT, scene, WIDTH } from "./maskScene";

async function run(): Promise<void> {
  const host = document.getElementById("host")!;
  const canvas = new Canvas(host);
  canvas.setImageSize(WIDTH, HEIGHT);
  const frame = new ImageData(WIDTH, HEIGHT);
  for (let i = 0; i < frame.data.length; i += 4) frame.data[i] = frame.data[i + 1] = frame.data[i + 2] = (i >> 4) & 255;
  frame.data.forEach((_, i) => i % 4 === 3 && (frame.data[i] = 255));
  const bitmap = await createImageBitmap(frame);
  const { rles, colours } = scene();
  const flush = host.querySelector("canvas.frame-layer") as HTMLCanvasElement;
  const times: number[] = [];
  for (let iteration = 0; iteration < 80; iteration++) {
    const t0 = performance.now();
    const tracks: CanvasTrack[] = rles.map((r, i) => ({
      id: i + 1, objectId: i + 1, label: "object", colour: colours[i], visible: true, locked: false, selected: i === 0,
      annotation: { bbox: null, rotatedBox: null, runs: decodeCounts(r.counts), source: "propagated", confidence: 0.9 },
    }));
    canvas.setFrame(iteration, bitmap);
    canvas.setTracks(tracks);
    canvas.renderBase();
    flush.getContext("2d")!.getImageData(0, 0, 1, 1); // wait for the raster work to finish
    times.push(performance.now() - t0);
  }
  const warm = times.slice(10).sort((a, b) => a - b);
  const at = (q: number) => warm[Math.min(warm.length - 1, Math.floor(q * warm.length))];
  (window as unknown as { benchResult: unknown }).benchResult = {
    tracks: rles.length, width: WIDTH, height: HEIGHT, iterations: warm.length,
    median_ms: at(0.5), p95_ms: at(0.95), max_ms: warm[warm.length - 1],
    rle_chars: rles.reduce((s, r) => s + r.counts.length, 0),
  };
}

run().catch((e) => ((window as unknown as { benchResult: unknown }).benchResult = { error: String(e) }));
