/** The managers' line on media storage: what all projects use, the quota, and the disk's free space. */
import type { StorageUsage } from "../api/client";
import { h } from "../ui/dom";

/** Bytes as MB below 10 GB, else GB (one decimal): what an operator plans disk in. */
export function formatBytes(n: number): string {
  const mb = n / 2 ** 20;
  return mb < 10 * 1024 ? `${Math.round(mb).toLocaleString("en")} MB` : `${(mb / 1024).toFixed(1)} GB`;
}

export function storageText(s: StorageUsage): string {
  const used = s.quota_bytes > 0
    ? `${formatBytes(s.used_bytes)} of the ${formatBytes(s.quota_bytes)} quota used (all projects)`
    : `${formatBytes(s.used_bytes)} used (all projects, no quota)`;
  const free = Math.max(s.free_bytes - s.reserve_bytes, 0);
  return `Storage: ${used}; ${formatBytes(free)} free for new frames on the media disk after the ${formatBytes(s.reserve_bytes)} reserve.`;
}

export function storageLine(s: StorageUsage): HTMLElement {
  return h("p", { class: "muted storage-line" }, storageText(s));
}
