/** A project's labels: name and colour; managers add, rename, recolour (colour picker) and delete them. */
import { api, type Label } from "../api/client";
import { confirmDialog } from "../ui/dialog";
import { h, toast } from "../ui/dom";
import { labelDeleteQuestion } from "./removal";
import { errorLine, submitting, tablePanel } from "./panel";

export class LabelsPanel {
  readonly el: HTMLElement;
  private body = h("tbody", {});

  constructor(private projectId: number, private labels: Label[], private manager: boolean) {
    this.el = tablePanel("labels", "Labels", ["Colour", "Name", ""], this.body, manager ? this.addForm() : null);
    this.render();
  }

  private render(): void {
    this.body.replaceChildren(...this.labels.map((label) => this.row(label)));
  }

  private row(label: Label): HTMLElement {
    const colour = label.colour ?? "#e6194b";
    if (!this.manager) {
      return h("tr", { "data-label": label.id },
        h("td", {}, h("span", { class: "swatch", style: `background:${colour}` })), h("td", {}, label.name), h("td", {}));
    }
    // "change" fires once the picker closes, so dragging through colours sends one request
    const picker = h("input", { type: "color", class: "label-colour", value: colour, "aria-label": `colour of ${label.name}`,
      onchange: () => void this.save(label, { colour: picker.value }) });
    const name = h("input", { type: "text", class: "label-name", value: label.name, maxlength: 100,
      onchange: () => void this.save(label, { name: name.value.trim() }) });
    return h("tr", { "data-label": label.id }, h("td", {}, picker), h("td", {}, name),
      h("td", {}, h("button", { class: "delete-label", onclick: () => void this.remove(label) }, "Delete")));
  }

  private addForm(): HTMLElement {
    const name = h("input", { type: "text", name: "label-name", placeholder: "Label name", required: true, maxlength: 100 });
    const colour = h("input", { type: "color", name: "label-colour", value: "#3cb44b", "aria-label": "new label's colour" });
    const message = errorLine();
    const submit = submitting(message, async () => {
      this.labels.push(await api.createLabel(this.projectId, name.value.trim(), colour.value));
      name.value = "";
      this.render();
    });
    return h("form", { class: "add-label row", onsubmit: submit }, colour, name,
      h("button", { type: "submit" }, "Add label"), message);
  }

  private async save(label: Label, change: { name?: string; colour?: string }): Promise<void> {
    try {
      Object.assign(label, await api.updateLabel(label.id, change));
      toast("label saved");
    } catch (error) {
      toast((error as Error).message, "error");
    }
    this.render();
  }

  private async remove(label: Label): Promise<void> {
    const q = labelDeleteQuestion(label.name);
    if (!(await confirmDialog(q.title, q.message, q.confirm))) return;
    try {
      await api.deleteLabel(label.id);
      this.labels = this.labels.filter((l) => l.id !== label.id);
      this.render();
    } catch (error) {
      toast((error as Error).message, "error"); // 409: tracks use it
    }
  }
}
