/**
 * Exports and imports in words, for the lists on the export/import page.
 *
 *   exportSettings(job, names)  // "COCO · clip, dance · accepted only · with frames"
 *   importResult(job)           // "2 videos, 3 tracks, 40 frames (31 masks, 9 boxes)" or the refusal
 */
import type { ExportJob, ImportJob, TransferFormat } from "../api/client";

export const FORMATS: [TransferFormat, string][] = [["coco", "COCO"], ["youtube-vis", "YouTube-VIS"], ["davis", "DAVIS"]];
export const REVIEW_STATUSES = [["draft", "draft"], ["in_review", "in review"], ["accepted", "accepted"],
  ["rejected", "rejected"]] as const;

/** The server's default for include_frames (annotator/exporters): only DAVIS carries its frames. */
export const framesByDefault = (format: TransferFormat): boolean => format === "davis";

export const formatName = (format: TransferFormat): string => FORMATS.find(([f]) => f === format)?.[1] ?? format;

export function exportSettings(job: ExportJob, videoNames: Map<number, string>): string {
  const videos = job.videos.length ? job.videos.map((id) => videoNames.get(id) ?? `#${id}`).join(", ") : "all ready videos";
  const statuses = (job.review_status as string[]) ?? [];
  const words = statuses.map((s) => REVIEW_STATUSES.find(([k]) => k === s)?.[1] ?? s);
  const review = words.length ? `${words.join(", ")} only` : "all review statuses";
  const parts = [formatName(job.format), videos, review, job.include_frames ? "with frames" : "labels only"];
  if (job.coco_masks === "polygon") parts.splice(1, 0, "masks as polygons");
  return parts.join(" · ");
}

interface ImportSummary { videos: number; tracks: number; frames: number; masks: number; boxes: number; outside?: number }

/** What a finished import created, or why it was refused; "" while it runs. */
export function importResult(job: ImportJob): string {
  if (job.status === "failed" || job.status === "cancelled") return job.error || job.status;
  const s = job.summary as ImportSummary | null;
  if (job.status !== "succeeded" || !s || typeof s.videos !== "number") return "";
  const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
  return `${plural(s.videos, "video")}, ${plural(s.tracks, "track")}, ${plural(s.frames, "frame")} `
    + `(${plural(s.masks, "mask")}, ${plural(s.boxes, "box", "boxes")}${s.outside ? `, ${s.outside} outside` : ""})`;
}

export const isRunning = (job: { status: string }): boolean => job.status === "queued" || job.status === "running";
