import { describe, expect, it } from "vitest";
import { capacityFor, prefetchOrder } from "./frames";

describe("frame prefetching", () => {
  it("fetches nearest frames first, the later one first at equal distance", () => {
    expect(prefetchOrder(10, 3, 2, 100)).toEqual([10, 11, 9, 12, 8, 13]);
  });

  it("stays inside the clip", () => {
    expect(prefetchOrder(1, 2, 3, 3)).toEqual([1, 2, 0]);
  });

  it("sizes the cache to the memory budget, within bounds", () => {
    expect(capacityFor(1920, 1080, 512 * 2 ** 20)).toBe(64);
    expect(capacityFor(7680, 4320, 512 * 2 ** 20)).toBe(48);
    expect(capacityFor(160, 120)).toBe(3000);
  });
});
