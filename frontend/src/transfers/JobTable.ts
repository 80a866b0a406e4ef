/** A table of export or import jobs: one row per job, replaced in place as polling brings news. */
import { h, progressBar } from "../ui/dom";
import { isRunning } from "./describe";

interface TransferJob { id: number; status: string; progress: number }

export class JobTable {
  readonly body = h("tbody", {});
  private rows = new Map<number, HTMLTableRowElement>();

  /** Put `row` in place of the job's old row, or on top for a new job. */
  upsert(id: number, row: HTMLTableRowElement): void {
    const old = this.rows.get(id);
    if (old) old.replaceWith(row);
    else this.body.prepend(row);
    this.rows.set(id, row);
  }
}

/** A running job's progress bar, else its status badge. */
export function statusCell(job: TransferJob): HTMLTableCellElement {
  const cell = h("td", { class: "status" });
  if (isRunning(job)) {
    const bar = progressBar();
    bar.set(job.progress);
    bar.setLabel(`${job.status} ${Math.round(job.progress * 100)}%`);
    cell.append(bar.el);
  } else {
    cell.append(h("span", { class: `badge ${job.status}` }, job.status));
  }
  return cell;
}
