import { describe, expect, it } from "vitest";
import { frameValue } from "./trackActions";

describe("frameValue", () => {
  it("reads a whole frame number within the clip", () => {
    expect(frameValue("0", 11)).toBe(0);
    expect(frameValue(" 11 ", 11)).toBe(11);
  });

  it("refuses what is not a frame of the clip", () => {
    for (const text of ["", "12", "-1", "2.5", "3-4", "abc"]) expect(frameValue(text, 11)).toBeNull();
  });
});
