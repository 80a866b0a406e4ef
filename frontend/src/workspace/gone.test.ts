import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { TRACK_GONE, VIDEO_GONE, failureText, isNotFound } from "./gone";

describe("a 404 in the workspace", () => {
  it("says the video no longer exists instead of the server's words", async () => {
    const error = new ApiError(404, "No Video matches the given query.");
    expect(isNotFound(error)).toBe(true);
    expect(await failureText(error, async () => false)).toBe(VIDEO_GONE);
    expect(VIDEO_GONE).toContain("this video no longer exists");
  });

  it("says the track is gone when the video is still there", async () => {
    expect(await failureText(new ApiError(404, "No Track matches the given query."), async () => true)).toBe(TRACK_GONE);
  });

  it("treats a frame's 404 the same way and leaves other errors in their words", async () => {
    const frame = Object.assign(new Error("frame 12: HTTP 404"), { status: 404 });
    expect(await failureText(frame, async () => false)).toBe(VIDEO_GONE);
    let asked = false;
    const other = new ApiError(400, "box outside the frame");
    expect(await failureText(other, async () => { asked = true; return true; })).toBe("box outside the frame");
    expect(asked).toBe(false);
  });
});
