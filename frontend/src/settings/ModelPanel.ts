/**
 * The settings page's Model panel: the model propagation uses, its lineage and the last fine-tune.
 * Managers start a fine-tune on the accepted tracks, cancel it, switch back to the parent model or
 * to the server's default, and set the automatic trigger; other members see it all read-only.
 */
import { finetunes, type FineTuneRun, type LineageEntry, type ProjectModel } from "../api/finetunes";
import { Poller } from "../transfers/poll";
import { h, toast } from "../ui/dom";
import { FinetuneRunView } from "./FinetuneRunView";
import { everyText, isActive, lineageLine, modelInUse, wholeNumber } from "./finetuneView";
import { errorLine, submitting } from "./panel";

export class ModelPanel {
  readonly el: HTMLElement;
  private body = h("div", {});
  private poller = new Poller();
  private run: FinetuneRunView;
  private stopped = false;

  constructor(private projectId: number, private manager: boolean) {
    this.run = new FinetuneRunView(manager ? (run) => this.cancel(run) : null);
    this.el = h("section", { class: "model-panel" }, h("h2", {}, "Model"), this.body);
    void this.load();
  }

  /** Stop following a running fine-tune (the page is leaving). */
  stop(): void {
    this.stopped = true;
    this.poller.stop();
  }

  private async load(): Promise<void> {
    try {
      this.render(await finetunes.getModel(this.projectId));
    } catch (error) {
      this.body.replaceChildren(h("p", { class: "error" }, `The model cannot be shown: ${(error as Error).message}`));
    }
  }

  private render(model: ProjectModel): void {
    this.poller.stop();
    if (this.stopped) return; // an answer that came after the page left
    this.el.dataset.checkpoint = String(model.checkpoint?.id ?? "");
    this.el.dataset.source = model.source;
    this.run.show(model.last_finetune);
    this.body.replaceChildren(h("div", { class: "model-body" },
      h("p", { class: "model-in-use" }, "In use: ", h("strong", {}, modelInUse(model))),
      lineage(model.lineage),
      this.manager ? this.switchRow(model) : null,
      this.run.el,
      this.manager ? this.startForm(model) : null,
      this.manager ? this.everyForm(model) : h("p", { class: "muted every-text" }, everyText(model))));
    const last = model.last_finetune;
    if (last) this.poller.follow(last, () => finetunes.get(last.id), (run) => this.followed(run), isActive);
  }

  private followed(run: FineTuneRun): void {
    if (isActive(run)) this.run.show(run);
    else void this.load(); // it ended: a promotion changed the model, and the counts moved
  }

  /** "Switch back to <parent>" and "Use the server's default": one click each. */
  private switchRow(model: ProjectModel): HTMLElement {
    const message = errorLine();
    const choose = (checkpoint: number | null, said: string) => submitting(message, async () => {
      this.render(await finetunes.setModel(this.projectId, checkpoint));
      toast(said);
    });
    const parent = model.lineage[1];
    return h("div", { class: "row model-switch" },
      parent ? h("button", { class: "switch-back", onclick: choose(parent.id, `${parent.name} is the project's model again`) },
        `Switch back to ${parent.name}`) : null,
      model.source === "project"
        ? h("button", { class: "use-server-default", onclick: choose(null, "the project follows the server's default") },
          "Use the server's default") : null,
      h("a", { href: `/projects/${this.projectId}/models/`, "data-link": "" }, "All models…"),
      message);
  }

  private startForm(model: ProjectModel): HTMLElement {
    const steps = h("input", { type: "text", inputmode: "numeric", name: "steps", class: "finetune-steps",
      placeholder: "steps (server's choice)", "aria-label": "training steps", size: 18 });
    const message = errorLine();
    const submit = submitting(message, async () => {
      const n = wholeNumber(steps.value, 1, "steps");
      if (typeof n === "string") throw new Error(n);
      await finetunes.start(this.projectId, n ?? undefined);
      await this.load();
    });
    return h("form", { class: "row start-finetune-form", onsubmit: submit },
      h("button", { type: "submit", class: "primary start-finetune", disabled: !model.can_finetune },
        "Fine-tune on accepted tracks"), steps,
      model.can_finetune ? null : h("span", { class: "muted small cannot-finetune" }, model.cannot_finetune_reason),
      message);
  }

  /** The automatic trigger: after every N newly accepted tracks (empty or 0: off). */
  private everyForm(model: ProjectModel): HTMLElement {
    const field = h("input", { type: "text", inputmode: "numeric", name: "finetune_every_accepted", class: "finetune-every",
      value: model.finetune_every_accepted > 0 ? String(model.finetune_every_accepted) : "", placeholder: "off", size: 5 });
    const message = errorLine();
    const save = submitting(message, async () => {
      const n = wholeNumber(field.value, 0, "tracks");
      if (typeof n === "string") throw new Error(n);
      await finetunes.setEvery(this.projectId, n ?? 0);
      toast(n ? `fine-tunes by itself after every ${n} accepted tracks` : "automatic fine-tuning is off");
      await this.load();
    });
    return h("form", { class: "row finetune-every-form", onsubmit: save },
      h("label", {}, "Fine-tune by itself after every ", field, " newly accepted tracks (empty or 0: off)"),
      h("button", { type: "submit" }, "Save"),
      h("span", { class: "muted small every-text" }, everyText(model)), message);
  }

  private async cancel(run: FineTuneRun): Promise<void> {
    try {
      this.run.show(await finetunes.cancel(run.id));
    } catch (error) {
      toast((error as Error).message, "error");
    }
  }
}

/** The model in use, then the checkpoint it was fine-tuned from, and so on up to a base model. */
function lineage(entries: LineageEntry[]): HTMLElement | null {
  if (!entries.length) return null;
  return h("div", { class: "lineage" }, h("span", { class: "muted small" }, "Lineage, newest first:"),
    h("ol", {}, ...entries.map((entry) => h("li", { "data-checkpoint": entry.id }, lineageLine(entry)))));
}
