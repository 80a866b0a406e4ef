/**
 * Polygon tool at 1080p: trace + simplify a mask's outline, and fill the polygons back, in Node.
 *
 *   ./node_modules/.bin/esbuild bench/polygons.node.ts --bundle --platform=node --outfile=/tmp/polygons.js \
 *     && node /tmp/polygons.js          # one JSON line per object size
 *
 * The object is a wobbly ellipse (side x 0.8 side) in the middle of a 1920x1080 mask, the same
 * sizes as bench/grabcut.py; tolerance 1.5 px like the tool (canvas/tools/PolygonTool.ts).
 */
import { fillRings, simplifyRings, traceRings } from "../src/canvas/polygons";
import { TOLERANCE } from "../src/canvas/tools/PolygonTool";

const W = 1920, H = 1080;

function blob(side: number): Uint8Array {
  const mask = new Uint8Array(W * H), a = side / 2, b = side * 0.4;
  for (let x = 0; x < W; x++) {
    for (let y = 0; y < H; y++) {
      const wobble = 1 + 0.08 * Math.sin(7 * Math.atan2(y - H / 2, x - W / 2));
      mask[x * H + y] = ((x - W / 2) / a) ** 2 + ((y - H / 2) / b) ** 2 < wobble ** 2 ? 1 : 0;
    }
  }
  return mask;
}

const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];

for (const side of [200, 360, 720]) {
  const mask = blob(side);
  const trace: number[] = [], fill: number[] = [];
  let corners = 0, vertices = 0, changed = 0;
  for (let i = 0; i < 9; i++) {
    let start = performance.now();
    const traced = traceRings(mask, H, W);
    const rings = simplifyRings(traced, TOLERANCE);
    trace.push(performance.now() - start);
    start = performance.now();
    const back = fillRings(rings, H, W);
    fill.push(performance.now() - start);
    corners = traced.reduce((n, r) => n + r.length, 0);
    vertices = rings.reduce((n, r) => n + r.length, 0);
    changed = mask.reduce((n, v, k) => n + Number(v !== back[k]), 0);
  }
  console.log(JSON.stringify({
    side, area: mask.reduce((n, v) => n + v, 0), trace_simplify_median_ms: +median(trace).toFixed(1),
    fill_median_ms: +median(fill).toFixed(1), traced_corners: corners, vertices, pixels_changed: changed,
  }));
}
