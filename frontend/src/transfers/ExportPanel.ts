/**
 * Start an export (format, videos, review statuses, frames), follow its progress, download it;
 * the project's past exports below, each with its settings.
 */
import { api, type ExportJob, type TransferFormat, type Video } from "../api/client";
import { h } from "../ui/dom";
import { oneAtATime } from "../ui/submit";
import { exportSettings, FORMATS, framesByDefault, REVIEW_STATUSES } from "./describe";
import { JobTable, statusCell } from "./JobTable";
import type { Poller } from "./poll";
import { formatDate, formatDateTime } from "../ui/dates";

export class ExportPanel {
  readonly element: HTMLElement;
  private table = new JobTable();
  private names: Map<number, string>;

  constructor(private projectId: number, videos: Video[], exports: ExportJob[], private poller: Poller,
              canManage: boolean) {
    this.names = new Map(videos.map((v) => [v.id, v.name]));
    this.element = h("section", { class: "transfer export-section" }, h("h2", {}, "Export labels"),
      canManage ? this.form(videos.filter((v) => v.status === "ready")) : h("p", { class: "muted" }, "Only managers start exports."),
      h("table", { class: "list exports" },
        h("thead", {}, h("tr", {}, ...["#", "Settings", "Status", "Started", ""].map((t) => h("th", {}, t)))), this.table.body));
    for (const job of [...exports].reverse()) this.show(job);
  }

  private form(videos: Video[]): HTMLElement {
    const format = h("select", { class: "export-format", name: "format" },
      ...FORMATS.map(([value, text]) => h("option", { value }, text)));
    const frames = h("input", { type: "checkbox", class: "export-frames", name: "include_frames" });
    // COCO only: compressed RLE is exact; polygons are for readers that take nothing else
    const masks = h("select", { class: "export-masks", name: "coco_masks",
                                title: "Polygons: for training code that reads only polygons (holes come back filled)" },
      h("option", { value: "rle" }, "masks as RLE (exact)"), h("option", { value: "polygon" }, "masks as polygons"));
    const masksLabel = h("label", { hidden: format.value !== "coco" }, masks);
    format.addEventListener("change", () => {
      frames.checked = framesByDefault(format.value as TransferFormat);
      masksLabel.hidden = format.value !== "coco";
      if (masksLabel.hidden) masks.value = "rle";
    });
    const videoBoxes = videos.map((v) => h("label", { class: "check" },
      h("input", { type: "checkbox", class: "export-video", value: v.id }), ` ${v.name}`));
    const statusBoxes = REVIEW_STATUSES.map(([value, text]) => h("label", { class: "check" },
      h("input", { type: "checkbox", class: "export-status", value }), ` ${text}`));
    const submit = h("button", { type: "submit", class: "primary" }, "Export");
    const message = h("p", { class: "export-message" });
    const form = h("form", { class: "export-form" },
      h("div", { class: "row" }, h("label", {}, "Format ", format), masksLabel,
        h("label", { class: "check" }, frames, " include frames")),
      h("div", { class: "row" }, h("span", { class: "muted" }, "Videos (none ticked: every ready video):"), ...videoBoxes),
      h("div", { class: "row" }, h("span", { class: "muted" }, "Review status (none ticked: all):"), ...statusBoxes),
      h("div", { class: "row" }, submit), message);
    const ticked = (boxes: HTMLElement[]) => boxes.map((l) => l.querySelector("input")!).filter((i) => i.checked).map((i) => i.value);
    form.addEventListener("submit", oneAtATime(async () => {
      message.textContent = "";
      try {
        const job = await api.startExport(this.projectId, {
          format: format.value as TransferFormat, videos: ticked(videoBoxes).map(Number),
          review_status: ticked(statusBoxes) as ("draft" | "in_review" | "accepted" | "rejected")[],
          include_frames: frames.checked, coco_masks: masks.value as "rle" | "polygon",
        });
        this.show(job);
      } catch (error) {
        message.textContent = (error as Error).message;
        message.className = "export-message error";
      }
    }));
    return form;
  }

  private show(job: ExportJob): void {
    const status = statusCell(job);
    if (job.error) status.append(h("div", { class: "error small" }, job.error));
    const row = h("tr", { "data-export": job.id, "data-status": job.status },
      h("td", {}, job.id), h("td", { class: "settings" }, exportSettings(job, this.names)), status,
      h("td", { class: "muted small" }, h("time", { datetime: job.created_at, title: formatDateTime(job.created_at) }, formatDate(job.created_at))),
      h("td", {}, job.download_url ? h("a", { href: job.download_url, class: "button download", download: "" }, "Download") : ""));
    this.table.upsert(job.id, row);
    this.poller.follow(job, () => api.getExport(job.id), (next) => this.show(next));
  }
}
