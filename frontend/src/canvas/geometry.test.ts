import { describe, expect, it } from "vitest";
import {
  boxCorners, boxFromPoints, fitView, imageToScreen, isValidRotatedBox, MAX_SCALE, panBy, pointInPolygon,
  polygonArea, polygonBounds, rectCorners, rotatedRect, screenToImage, wheelFactor, zoomAt, type Corners,
} from "./geometry";

describe("view transform", () => {
  it("maps image to screen and back", () => {
    const view = { scale: 2.5, offsetX: 10, offsetY: -4 };
    const p = { x: 12.25, y: 7 };
    expect(imageToScreen(view, p)).toEqual({ x: 40.625, y: 13.5 });
    const back = screenToImage(view, imageToScreen(view, p));
    expect(back.x).toBeCloseTo(p.x);
    expect(back.y).toBeCloseTo(p.y);
  });

  it("fits a wide frame to the viewport width and centres it vertically", () => {
    const view = fitView(1920, 1080, 1000, 800, 0);
    expect(view.scale).toBeCloseTo(1000 / 1920);
    expect(view.offsetX).toBeCloseTo(0);
    expect(view.offsetY).toBeCloseTo((800 - 1080 * view.scale) / 2);
  });

  it("keeps the image point under the cursor fixed while zooming", () => {
    const view = fitView(640, 480, 800, 600);
    const cursor = { x: 123, y: 456 };
    const before = screenToImage(view, cursor);
    const zoomed = zoomAt(view, 3, cursor);
    expect(zoomed.scale).toBeCloseTo(view.scale * 3);
    const after = screenToImage(zoomed, cursor);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it("clamps the zoom", () => {
    const view = zoomAt({ scale: 30, offsetX: 0, offsetY: 0 }, 10, { x: 0, y: 0 });
    expect(view.scale).toBe(MAX_SCALE);
  });

  it("pans by screen pixels", () => {
    expect(panBy({ scale: 2, offsetX: 1, offsetY: 2 }, 5, -3)).toEqual({ scale: 2, offsetX: 6, offsetY: -1 });
  });

  it("zooms in for wheel up and out for wheel down, symmetrically", () => {
    const zin = wheelFactor(-100, 0), zout = wheelFactor(100, 0);
    expect(zin).toBeGreaterThan(1);
    expect(zin * zout).toBeCloseTo(1);
    expect(wheelFactor(-3, 1)).toBeCloseTo(wheelFactor(-99, 0));
  });
});

describe("boxes", () => {
  it("normalises a box drawn from bottom-right to top-left and clips it to the frame", () => {
    expect(boxFromPoints({ x: 50, y: 40 }, { x: -10, y: 10 }, 160, 120)).toEqual([0, 10, 50, 30]);
    expect(boxFromPoints({ x: 150, y: 100 }, { x: 170, y: 130 }, 160, 120)).toEqual([150, 100, 10, 20]);
  });

  it("lists corners clockwise from the top-left like the server", () => {
    expect(boxCorners([10, 20, 30, 40])).toEqual([[10, 20], [40, 20], [40, 60], [10, 60]]);
  });
});

describe("rotated boxes", () => {
  const square45: Corners = [[10, 0], [20, 10], [10, 20], [0, 10]];

  it("recovers centre, sides and angle", () => {
    const r = rotatedRect(square45);
    expect(r.cx).toBeCloseTo(10);
    expect(r.cy).toBeCloseTo(10);
    expect(r.width).toBeCloseTo(Math.SQRT2 * 10);
    expect(r.height).toBeCloseTo(Math.SQRT2 * 10);
    expect(r.angle).toBeCloseTo(Math.PI / 4);
  });

  it("rebuilds the same corners from centre, sides and angle", () => {
    const corners: Corners = [[2, 1], [8, 4], [6.5, 7], [0.5, 4]];
    const rebuilt = rectCorners(rotatedRect(corners));
    rebuilt.forEach((c, i) => {
      expect(c[0]).toBeCloseTo(corners[i][0]);
      expect(c[1]).toBeCloseTo(corners[i][1]);
    });
  });

  it("measures area and containment", () => {
    expect(Math.abs(polygonArea(square45))).toBeCloseTo(200);
    expect(pointInPolygon({ x: 10, y: 10 }, square45)).toBe(true);
    expect(pointInPolygon({ x: 1, y: 1 }, square45)).toBe(false);
    expect(polygonBounds(square45)).toEqual([0, 0, 20, 20]);
  });

  it("rejects malformed rotated boxes", () => {
    expect(isValidRotatedBox(square45)).toBe(true);
    expect(isValidRotatedBox(null)).toBe(false);
    expect(isValidRotatedBox([[0, 0], [1, 1], [2, 2]])).toBe(false);
    expect(isValidRotatedBox([[0, 0], [0, 0], [0, 0], [0, 0]])).toBe(false);
  });
});
