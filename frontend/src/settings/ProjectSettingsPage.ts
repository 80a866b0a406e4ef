/**
 * /projects/{id}/settings/: the project's name and description, its labels, its members and its model.
 * Managers change them; other members see them read-only (the server refuses their writes anyway).
 */
import { api, type Project } from "../api/client";
import type { Page } from "../router";
import { h, toast } from "../ui/dom";
import { oneAtATime } from "../ui/submit";
import { LabelsPanel } from "./LabelsPanel";
import { MembersPanel } from "./MembersPanel";
import { ModelPanel } from "./ModelPanel";
import { storageLine } from "./storageLine";

export class ProjectSettingsPage implements Page {
  private model: ModelPanel | null = null;

  constructor(private projectId: number) {}

  async mount(root: HTMLElement): Promise<void> {
    const [project, labels, members] = await Promise.all([
      api.getProject(this.projectId), api.listLabels(this.projectId), api.listMembers(this.projectId)]);
    const manager = project.role === "manager";
    const title = h("h1", {}, project.name);
    const crumb = h("a", { href: `/projects/${project.id}/`, "data-link": "" }, project.name);
    const renamed = (p: Project) => {
      document.title = `Settings — ${p.name} — SiamLabel`;
      title.textContent = p.name;
      crumb.textContent = p.name;
    };
    renamed(project);
    this.model = new ModelPanel(project.id, manager);
    root.append(h("div", { class: "page settings-page" },
      h("p", { class: "crumbs" }, h("a", { href: "/projects/", "data-link": "" }, "Projects"), " / ", crumb, " / Settings"),
      title,
      manager ? renameForm(project, renamed) : h("p", { class: "muted" }, "Only the project's managers change its setup."),
      autoRepropagate(project, manager),
      new LabelsPanel(project.id, labels, manager).el,
      new MembersPanel(project.id, members, manager, document.body.dataset.username ?? "").el,
      this.model.el,
      // managers only: the server refuses others (docs/permissions.md)
      manager ? storageLine(await api.getStorage(project.id)) : null));
  }

  unmount(): void {
    this.model?.stop();
  }
}

/** The re-propagation after a correction (docs/propagation.md), on by default. */
function autoRepropagate(project: Project, manager: boolean): HTMLElement {
  const box = h("input", { type: "checkbox", name: "auto_repropagate", disabled: !manager }) as HTMLInputElement;
  box.checked = project.auto_repropagate ?? true;
  box.addEventListener("change", async () => {
    try {
      await api.setAutoRepropagate(project.id, box.checked);
      toast(box.checked ? "corrections re-propagate by themselves" : "corrections no longer re-propagate");
    } catch (error) {
      box.checked = !box.checked;
      toast((error as Error).message, "error");
    }
  });
  return h("label", { class: "row auto-repropagate" }, box,
    " Re-propagate from a corrected frame to the next manual frames, both ways");
}

function renameForm(project: Project, renamed: (p: Project) => void): HTMLElement {
  const name = h("input", { type: "text", name: "name", value: project.name, required: true, maxlength: 200 });
  const description = h("input", { type: "text", name: "description", value: project.description ?? "", placeholder: "Description" });
  const submit = oneAtATime(async () => {
    try {
      renamed(await api.renameProject(project.id, name.value.trim(), description.value.trim()));
      toast("project saved");
    } catch (error) {
      toast((error as Error).message, "error");
    }
  });
  return h("form", { class: "rename-project row", onsubmit: submit }, name, description,
    h("button", { type: "submit" }, "Save"));
}
