import { describe, expect, it } from "vitest";
import { frameSizeText } from "./videoSize";

describe("frameSizeText", () => {
  it("shows the frame size and rate", () => {
    expect(frameSizeText({ width: 854, height: 480, original_width: 854, original_height: 480, fps: 25 })).toBe("854×480 @ 25.0 fps");
  });

  it("names the uploaded size when frames were stored smaller", () => {
    expect(frameSizeText({ width: 1280, height: 720, original_width: 1920, original_height: 1080, fps: 29.97 }))
      .toBe("1280×720 (uploaded 1920×1080; exports use it) @ 30.0 fps");
  });

  it("treats a missing original size as the stored one, and a video not extracted yet as unknown", () => {
    expect(frameSizeText({ width: 640, height: 360, original_width: null, original_height: null, fps: null })).toBe("640×360");
    expect(frameSizeText({ width: null, height: null, original_width: null, original_height: null, fps: null })).toBe("—");
  });
});
