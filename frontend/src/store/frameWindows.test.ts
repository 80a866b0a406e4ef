import { describe, expect, it } from "vitest";
import { FrameWindows } from "./frameWindows";

describe("FrameWindows", () => {
  it("asks for the frame's window first, then its neighbours, inside the video", () => {
    const w = new FrameWindows(20_000, 500);
    expect(w.around(1234)).toEqual([2, 3, 1]);
    expect(w.around(0)).toEqual([0, 1]);
    expect(w.around(19_999)).toEqual([39, 38]);
    expect(w.range(39)).toEqual([19_500, 19_999]);
    expect(new FrameWindows(700, 500).range(1)).toEqual([500, 699]);
  });

  it("only asks for windows it does not hold", () => {
    const w = new FrameWindows(20_000, 500);
    w.add(2);
    expect(w.missing(1234)).toEqual([3, 1]);
    expect(w.covers(1499)).toBe(true);
    expect(w.covers(1500)).toBe(false);
  });

  it("drops the farthest windows past the cap and never the ones around the frame", () => {
    const w = new FrameWindows(20_000, 500, 4);
    for (const i of [0, 1, 2, 10, 11, 12]) w.add(i);
    expect(w.overflow(5500)).toEqual([0, 1]); // around 5500: 10, 11, 12; 0 and 1 are farthest
    expect(w.overflow(600)).toEqual([12, 11]);
    w.remove(12);
    w.remove(11);
    expect(w.overflow(600)).toEqual([]);
  });

  it("splits a frame range into the parts it holds", () => {
    const w = new FrameWindows(20_000, 500);
    w.add(3);
    w.add(1);
    expect(w.heldParts(400, 1700)).toEqual([[500, 999], [1500, 1700]]);
    expect(w.heldParts(2000, 3000)).toEqual([]);
  });

  it("refuses a cap too small to hold the windows around a frame", () => {
    expect(() => new FrameWindows(100, 500, 2)).toThrow();
  });
});
