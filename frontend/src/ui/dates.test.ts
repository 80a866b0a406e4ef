import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatTime } from "./dates";

describe("dates", () => {
  const when = new Date(2026, 11, 1, 6, 51, 3); // local time, as the pages show it

  it("writes one format everywhere: day, short month, year", () => {
    expect(formatDate(when)).toBe("1 Dec 2026");
    expect(formatDate(when.toISOString())).toBe("1 Dec 2026");
  });

  it("adds a 24-hour time where a list needs it", () => {
    expect(formatTime(when)).toBe("06:51");
    expect(formatDateTime(when)).toBe("1 Dec 2026, 06:51");
  });
});
