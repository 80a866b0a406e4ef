import { describe, expect, it } from "vitest";
import { BoxTool, TOO_SMALL, tooSmallDrag } from "./BoxTool";
import type { Tool, ToolHost } from "./Tool";

/** An 854x480 frame shown at `scale` screen pixels per image pixel. */
function fakeHost(scale: number) {
  const emitted: { type: string; payload: unknown }[] = [];
  const host = {
    imageW: 854, imageH: 480, frame: 3, brushSize: 8,
    view: () => ({ scale, offsetX: 0, offsetY: 0 }), requestRender: () => {}, selectedTrack: () => null,
    emit: (type: string, payload: unknown) => emitted.push({ type, payload }),
  };
  return { host: host as unknown as ToolHost, emitted };
}

function drag(tool: Tool, scale: number, from: [number, number], to: [number, number]): void {
  const screen = (x: number, y: number) => ({ x, y });
  const image = (x: number, y: number) => ({ x: x / scale, y: y / scale });
  tool.pointerDown(image(...from), screen(...from), {} as PointerEvent);
  tool.pointerMove(image(...to), screen(...to), {} as PointerEvent);
  tool.pointerUp(image(...to), screen(...to), {} as PointerEvent);
}

describe("BoxTool", () => {
  it("treats a 3x3 screen-pixel drag as a click at any zoom, and says to drag a larger box", () => {
    for (const scale of [0.5, 1.29, 4]) {
      const { host, emitted } = fakeHost(scale);
      drag(new BoxTool(host), scale, [490, 236], [493, 239]);
      expect(emitted).toEqual([{ type: "canvas.refused", payload: { reason: TOO_SMALL } }]);
    }
  });

  it("draws a box from a real drag", () => {
    const { host, emitted } = fakeHost(1.29);
    drag(new BoxTool(host), 1.29, [100, 100], [229, 164.5]);
    expect(emitted).toHaveLength(1);
    expect(emitted[0].type).toBe("canvas.drawn");
    const { box } = emitted[0].payload as { box: number[] };
    expect(box[2]).toBeCloseTo(100, 0);
    expect(box[3]).toBeCloseTo(50, 0);
  });

  it("needs both sides of the drag to be a few screen pixels", () => {
    expect(tooSmallDrag({ x: 0, y: 0 }, { x: 3, y: 3 })).toBe(true);
    expect(tooSmallDrag({ x: 0, y: 0 }, { x: 200, y: 2 })).toBe(true);
    expect(tooSmallDrag({ x: 10, y: 10 }, { x: 4, y: 2 })).toBe(false);
  });
});
