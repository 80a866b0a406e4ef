import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, request, retry } from "./client";

function answer(status: number, body: unknown = {}, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers });
}

describe("request", () => {
  const waits: number[] = [];
  retry.wait = async (seconds) => void waits.push(seconds);
  vi.stubGlobal("document", { cookie: "csrftoken=abc" });

  afterEach(() => {
    waits.length = 0;
    retry.listener = null;
  });

  it("sends an edit again while the server answers 503, then returns the saved result", async () => {
    const fetch = vi.fn()
      .mockResolvedValueOnce(answer(503, { detail: "the database is unavailable" }, { "Retry-After": "5" }))
      .mockResolvedValueOnce(answer(503, {}))
      .mockResolvedValueOnce(answer(200, { frame: 3, version: 8 }));
    vi.stubGlobal("fetch", fetch);
    const heard: number[] = [];
    retry.listener = (attempt) => heard.push(attempt);
    const saved = await request<{ version: number }>("PUT", "/tracks/1/annotations/3/", { version: 7 });
    expect(saved.version).toBe(8);
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(JSON.parse(fetch.mock.calls[2][1].body)).toEqual({ version: 7 });  // the same edit, not a new one
    expect(waits).toEqual([5, 2]);  // the server's Retry-After first, then our own back-off
    expect(heard).toEqual([1, 2]);
  });

  it("gives up after about half a minute with the server's message", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer(503, { detail: "the database is unavailable" })));
    await expect(request("GET", "/videos/1/")).rejects.toMatchObject({ status: 503, message: "the database is unavailable" });
    expect(waits.reduce((a, b) => a + b, 0)).toBe(31);
  });

  it("does not resend an edit that may have been saved, so the caller re-reads it", async () => {
    const detail = "the database became unavailable while your change was being saved; it may have been saved";
    const fetch = vi.fn(async () => answer(503, { detail, maybe_saved: true }, { "Retry-After": "5" }));
    vi.stubGlobal("fetch", fetch);
    await expect(request("POST", "/tracks/1/comments/", { text: "x" })).rejects.toMatchObject({ status: 503, message: detail });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(waits).toEqual([]);
  });

  it("does not retry other errors", async () => {
    const fetch = vi.fn(async () => answer(409, { detail: "stale", current_version: 9 }));
    vi.stubGlobal("fetch", fetch);
    await expect(request("PUT", "/tracks/1/annotations/3/", { version: 7 })).rejects.toBeInstanceOf(ApiError);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(waits).toEqual([]);
  });
});
