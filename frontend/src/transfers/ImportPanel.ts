/**
 * Upload a labels file to import (upload progress, then the job's), and the project's past imports
 * with what each created or why it was refused (the server's message lists every offending item).
 */
import { api, uploadImport, type ImportJob, type TransferFormat } from "../api/client";
import { h, progressBar, uploadProgress } from "../ui/dom";
import { oneAtATime } from "../ui/submit";
import { FORMATS, formatName, importResult } from "./describe";
import { JobTable, statusCell } from "./JobTable";
import type { Poller } from "./poll";
import { formatDate, formatDateTime } from "../ui/dates";

export class ImportPanel {
  readonly element: HTMLElement;
  private table = new JobTable();

  constructor(private projectId: number, imports: ImportJob[], private poller: Poller, canManage: boolean) {
    this.element = h("section", { class: "transfer import-section" }, h("h2", {}, "Import labels"),
      canManage ? this.form() : h("p", { class: "muted" }, "Only managers import labels."),
      h("table", { class: "list imports" },
        h("thead", {}, h("tr", {}, ...["#", "Format", "Status", "Result", "Started"].map((t) => h("th", {}, t)))), this.table.body));
    for (const job of [...imports].reverse()) this.show(job);
  }

  private form(): HTMLElement {
    const format = h("select", { class: "import-format", name: "format" },
      ...FORMATS.map(([value, text]) => h("option", { value }, text)));
    const file = h("input", { type: "file", name: "file", class: "import-file", accept: ".zip,.json", required: true });
    const submit = h("button", { type: "submit", class: "primary" }, "Import");
    const bar = progressBar();
    bar.el.hidden = true;
    const message = h("p", { class: "import-message" });
    const form = h("form", { class: "import-form" }, h("div", { class: "row" }, h("label", {}, "Format ", format), file, submit),
      bar.el, message, h("p", { class: "muted small" },
        "Videos are matched by name and labels must exist. An import is all or nothing: if any part is refused, nothing is created, and the reason is shown here."));
    form.addEventListener("submit", oneAtATime(async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      bar.el.hidden = false;
      message.textContent = "";
      message.className = "import-message";
      const upload = uploadImport(this.projectId, chosen, format.value as TransferFormat, uploadProgress(bar, chosen.size));
      try {
        const job = await upload.promise;
        bar.el.hidden = true;
        form.reset();
        this.show(job);
      } catch (error) {
        bar.el.hidden = true;
        message.textContent = `Refused: ${(error as Error).message}`;
        message.className = "import-message error";
      }
    }));
    return form;
  }

  private show(job: ImportJob): void {
    const status = statusCell(job);
    const result = importResult(job);
    const row = h("tr", { "data-import": job.id, "data-status": job.status },
      h("td", {}, job.id), h("td", {}, formatName(job.format)), status,
      h("td", { class: job.status === "failed" ? "result error" : "result" }, result),
      h("td", { class: "muted small" }, h("time", { datetime: job.created_at, title: formatDateTime(job.created_at) }, formatDate(job.created_at))));
    this.table.upsert(job.id, row);
    this.poller.follow(job, () => api.getImport(job.id), (next) => this.show(next));
  }
}
