/**
 * The app's one way of writing dates: "1 Dec 2026" (day, short month, year), the same on every
 * page whatever the browser's locale; with the time where a list needs it: "1 Dec 2026, 06:51".
 */
const DATE: Intl.DateTimeFormatOptions = { day: "numeric", month: "short", year: "numeric" };
const TIME: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hour12: false };

export function formatDate(when: string | Date): string {
  return new Date(when).toLocaleDateString("en-GB", DATE);
}

export function formatDateTime(when: string | Date): string {
  const d = new Date(when);
  return `${formatDate(d)}, ${formatTime(d)}`;
}

export function formatTime(when: string | Date): string {
  return new Date(when).toLocaleTimeString("en-GB", TIME);
}
