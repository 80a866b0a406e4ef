/**
 * The project's last fine-tune: live progress and a Cancel button while it runs, then the old model
 * against the new one on the held-out videos and the decision (or the error).
 */
import type { FineTuneRun } from "../api/finetunes";
import { h, progressBar } from "../ui/dom";
import { comparisonRows, decisionText, formatDate, heldOutText, isActive, progressText, runData } from "./finetuneView";

export class FinetuneRunView {
  readonly el = h("div", { class: "finetune-run" });

  /** `cancel` is the managers' Cancel button's action; null hides the button. */
  constructor(private cancel: ((run: FineTuneRun) => Promise<void>) | null) {}

  show(run: FineTuneRun | null): void {
    Object.assign(this.el.dataset, { run: run?.id ?? "", status: run?.status ?? "", decision: run?.decision ?? "" });
    if (!run) {
      this.el.replaceChildren(h("p", { class: "muted" }, "No fine-tune yet."));
      return;
    }
    const outcome = decisionText(run);
    this.el.replaceChildren(h("div", {},
      h("h3", {}, `Last fine-tune (#${run.id}, ${formatDate(run.created_at)}) `, h("span", { class: `badge ${run.status}` }, run.status)),
      isActive(run) ? this.progress(run) : null,
      h("p", { class: "muted small run-data" }, runData(run)),
      comparison(run),
      outcome ? h("p", { class: `decision ${run.status === "failed" ? "error" : run.decision}` }, outcome) : null));
  }

  private progress(run: FineTuneRun): HTMLElement {
    const bar = progressBar(progressText(run));
    bar.set(run.progress);
    const button = this.cancel && !run.cancel_requested
      ? h("button", { class: "cancel-finetune", onclick: () => { button!.disabled = true; void this.cancel!(run); } }, "Cancel")
      : null;
    return h("div", { class: "row finetune-progress" }, bar.el, button);
  }
}

/** Old against new on the held-out videos, with the change coloured by its sign. */
function comparison(run: FineTuneRun): HTMLElement | null {
  const rows = comparisonRows(run.evaluation);
  if (!rows.length) return null;
  const change = ["worse", "same", "better"];
  return h("table", { class: "list finetune-comparison" },
    h("caption", { class: "muted small" }, `Held-out evaluation: ${heldOutText(run.evaluation)}`),
    h("thead", {}, h("tr", {}, ...["", "Old model", "New model", "Change"].map((t) => h("th", {}, t)))),
    h("tbody", {}, ...rows.map((r) => h("tr", { "data-metric": r.metric },
      h("th", {}, r.metric), h("td", { class: "old" }, r.old), h("td", { class: "new" }, r.new),
      h("td", { class: `change ${change[r.sign + 1]}` }, r.change)))));
}
