import { describe, expect, it } from "vitest";
import type { CanvasTrack } from "../types";
import { PolygonTool } from "./PolygonTool";
import { ScribbleTool } from "./ScribbleTool";
import type { Tool, ToolHost } from "./Tool";

/** A 10x10 image at scale 10, one selected track with a box [2, 2, 4, 4] on frame 0. */
function fakeHost() {
  const track: CanvasTrack = {
    id: 7, objectId: 1, label: "person", colour: "#ff0000", visible: true, locked: false, selected: true,
    annotation: { bbox: [2, 2, 4, 4], rotatedBox: null, runs: null, source: "manual_box", confidence: null },
  };
  const committed: Uint8Array[] = [];
  const emitted: { type: string; payload: unknown }[] = [];
  const host = {
    imageW: 10, imageH: 10, frame: 0, brushSize: 2,
    view: () => ({ scale: 10, offsetX: 0, offsetY: 0 }),
    setView: () => {}, pick: () => null, requestRender: () => {},
    selectedTrack: () => track, editableTrack: () => track,
    emit: (type: string, payload: unknown) => emitted.push({ type, payload }),
    beginMaskEdit: () => null, paintMaskEdit: () => {}, endMaskEdit: () => {}, abortMaskEdit: () => {},
    commitMask: (_id: number, _frame: number, mask: Uint8Array) => committed.push(mask),
  };
  return { host: host as unknown as ToolHost & { frame: number }, committed, emitted };
}

const at = (x: number, y: number) => ({ image: { x, y }, screen: { x: x * 10, y: y * 10 } });
const event = (extra: Partial<PointerEvent> = {}) => ({ timeStamp: 0, altKey: false, shiftKey: false, ...extra }) as PointerEvent;

function drag(tool: Tool, from: [number, number], to: [number, number], e = event()): void {
  const a = at(...from), b = at(...to);
  tool.pointerDown(a.image, a.screen, e);
  tool.pointerMove(b.image, b.screen, e);
  tool.pointerUp(b.image, b.screen, e);
}

describe("PolygonTool", () => {
  it("stores a dragged vertex as a mask on Enter, once", () => {
    const { host, committed } = fakeHost();
    const tool: Tool = new PolygonTool(host);
    drag(tool, [6, 6], [8, 8]); // the box's bottom-right corner outwards
    expect(committed).toHaveLength(0);
    expect(tool.keyDown("Enter")).toBe(true);
    expect(committed).toHaveLength(1);
    const mask = committed[0], px = (x: number, y: number) => mask[x * 10 + y];
    expect(px(7, 7)).toBe(1);
    expect(px(1, 1)).toBe(0);
    const area = mask.reduce((n, v) => n + v, 0);
    expect(area).toBeGreaterThan(20); // the quadrilateral's area is 24
    expect(area).toBeLessThan(28);
    expect(tool.keyDown("Enter")).toBe(false); // nothing left to store
  });

  it("drops changes on Escape and stores them when another tool is taken", () => {
    const { host, committed } = fakeHost();
    const tool: Tool = new PolygonTool(host);
    drag(tool, [2, 2], [0, 0]);
    expect(tool.keyDown("Escape")).toBe(true);
    tool.leave();
    expect(committed).toHaveLength(0);
    drag(tool, [2, 2], [0, 0]);
    tool.leave();
    expect(committed).toHaveLength(1);
    expect(committed[0][0]).toBe(1); // pixel (0, 0) is in now
  });

  it("removes a vertex with Alt+click, and a selected one with Delete", () => {
    const { host, committed } = fakeHost();
    const tool: Tool = new PolygonTool(host);
    const corner = at(6, 6);
    tool.pointerDown(corner.image, corner.screen, event({ altKey: true })); // a triangle is left
    const other = at(2, 2);
    tool.pointerDown(other.image, other.screen, event({ timeStamp: 1000 }));
    tool.pointerUp(other.image, other.screen, event());
    expect(tool.keyDown("Delete")).toBe(true); // a triangle without a corner is nothing
    expect(tool.keyDown("Delete")).toBe(false); // nothing selected: the workspace's Delete runs
    tool.keyDown("Enter");
    expect(committed[0].every((v) => v === 0)).toBe(true);
  });

  it("inserts a vertex where an edge is double-clicked", () => {
    const { host, committed } = fakeHost();
    const tool: Tool = new PolygonTool(host);
    const top = at(4, 2);
    tool.pointerDown(top.image, top.screen, event({ timeStamp: 100 }));
    tool.pointerUp(top.image, top.screen, event());
    tool.pointerDown(top.image, top.screen, event({ timeStamp: 200 }));
    const up = at(4, 0);
    tool.pointerMove(up.image, up.screen, event());
    tool.pointerUp(up.image, up.screen, event());
    tool.keyDown("Enter");
    expect(committed[0][4 * 10 + 1]).toBe(1); // pixel (4, 1), above the old top edge
  });
});

describe("ScribbleTool", () => {
  it("sends every stroke of the track and frame, Shift+drag as background, clamped to the image", () => {
    const { host, emitted } = fakeHost();
    const tool: Tool = new ScribbleTool(host);
    drag(tool, [3, 3], [5, 5]);
    drag(tool, [8, 8], [12, -1], event({ shiftKey: true }));
    expect(emitted.map((e) => e.type)).toEqual(["canvas.scribbled", "canvas.scribbled"]);
    type Sent = { trackId: number; frame: number; strokes: { foreground: boolean; radius: number; points: number[][] }[] };
    const last = emitted[1].payload as Sent;
    expect(last.trackId).toBe(7);
    expect(last.frame).toBe(0);
    expect(last.strokes.map((s) => s.foreground)).toEqual([true, false]);
    expect(last.strokes[1].points.at(-1)).toEqual([10, 0]);
    expect(last.strokes[0].radius).toBe(2);
  });

  it("forgets the strokes on Escape and on another frame", () => {
    const { host, emitted } = fakeHost();
    const tool: Tool = new ScribbleTool(host);
    drag(tool, [3, 3], [5, 5]);
    expect(tool.keyDown("Escape")).toBe(true);
    expect(tool.keyDown("Escape")).toBe(false);
    drag(tool, [3, 3], [5, 5]);
    host.frame = 1;
    drag(tool, [3, 3], [5, 5]);
    expect((emitted.at(-1)!.payload as { strokes: unknown[] }).strokes).toHaveLength(1);
  });
});
