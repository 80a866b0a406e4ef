import { describe, expect, it } from "vitest";
import { colourVariant, trackColours } from "./trackColours";

// annotator/services/projects.py LABEL_PALETTE, plus black and white
const LABEL_PALETTE = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c",
  "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000", "#ffd8b1", "#000075", "#808080",
  "#ffffff", "#000000"];

function rgb(hex: string): number[] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function hue(hex: string): number {
  const [r, g, b] = rgb(hex);
  return ((Math.atan2(Math.sqrt(3) * (g - b), 2 * r - g - b) * 180) / Math.PI + 360) % 360;
}

function distance(a: string, b: string): number {
  return Math.hypot(...rgb(a).map((v, i) => v - rgb(b)[i]));
}

describe("trackColours", () => {
  it("keeps the label colour for the first track and gives the next ones their own", () => {
    const colours = trackColours([
      { id: 7, labelId: 1, objectId: 2, labelColour: "#e6194b" },
      { id: 5, labelId: 1, objectId: 1, labelColour: "#e6194b" },
      { id: 9, labelId: 2, objectId: 3, labelColour: "#3cb44b" },
    ]);
    expect(colours.get(5)).toBe("#e6194b");
    expect(colours.get(9)).toBe("#3cb44b");
    expect(colours.get(7)).not.toBe("#e6194b");
  });

  it("depends on object ids only, not on the order tracks arrive in", () => {
    const tracks = [1, 2, 3, 4].map((n) => ({ id: 10 + n, labelId: 1, objectId: n, labelColour: "#4363d8" }));
    const a = trackColours(tracks), b = trackColours([...tracks].reverse());
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
  });

  it.each(LABEL_PALETTE)("gives 12 tracks of label %s clearly different colours", (label) => {
    const colours = Array.from({ length: 12 }, (_, rank) => colourVariant(label, rank));
    for (let i = 0; i < colours.length; i++) {
      expect(colours[i]).toMatch(/^#[0-9a-f]{6}$/);
      for (let j = 0; j < i; j++) expect(distance(colours[i], colours[j]), `${colours[i]} vs ${colours[j]}`).toBeGreaterThan(40);
    }
  });

  it("keeps a mid-lightness label's colour for rank 0 and stays within 90 degrees of its hue", () => {
    expect(colourVariant("#3cb44b", 0)).toBe("#3cb44b");
    for (let rank = 0; rank < 30; rank++) {
      const turn = Math.abs(hue(colourVariant("#4363d8", rank)) - hue("#4363d8"));
      expect(Math.min(turn, 360 - turn)).toBeLessThanOrEqual(95) // this hue formula is close to, not equal to, HSL hue;
    }
  });
});
