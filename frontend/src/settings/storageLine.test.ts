import { describe, expect, it } from "vitest";
import { formatBytes, storageText } from "./storageLine";

const MB = 2 ** 20;

describe("storageText", () => {
  it("shows use against the quota and the free space left after the reserve", () => {
    const text = storageText({ used_bytes: 300 * MB, quota_bytes: 2048 * MB, free_bytes: 5000 * MB, reserve_bytes: 1024 * MB });
    expect(text).toBe("Storage: 300 MB of the 2,048 MB quota used (all projects); 3,976 MB free for new frames on the media disk after the 1,024 MB reserve.");
  });

  it("says when there is no quota, and never shows negative free space", () => {
    const text = storageText({ used_bytes: 20 * 1024 * MB, quota_bytes: 0, free_bytes: 10 * MB, reserve_bytes: 1024 * MB });
    expect(text).toContain("20.0 GB used (all projects, no quota)");
    expect(text).toContain("0 MB free");
  });

  it("formats MB below 10 GB and GB above", () => {
    expect(formatBytes(9 * 1024 * MB)).toBe("9,216 MB");
    expect(formatBytes(12.25 * 1024 * MB)).toBe("12.3 GB");
  });
});
