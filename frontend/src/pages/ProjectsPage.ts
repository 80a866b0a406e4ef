/** "/" and /projects/: the projects the user belongs to, with their role, and the "New project" form. */
import { api, type Project } from "../api/client";
import { go, type Page } from "../router";
import { errorLine, submitting } from "../settings/panel";
import { confirmDialog } from "../ui/dialog";
import { h, toast } from "../ui/dom";

export class ProjectsPage implements Page {
  async mount(root: HTMLElement): Promise<void> {
    document.title = "Projects — SiamLabel";
    const projects = await api.listProjects();
    root.append(h("div", { class: "page" },
      h("h1", {}, "Projects"),
      projects.length === 0 ? h("p", { class: "muted" }, "You are not a member of any project yet. Ask a manager to add you, or create one.")
        : h("table", { class: "list projects" },
          h("thead", {}, h("tr", {}, h("th", {}, "Project"), h("th", {}, "Your role"), h("th", {}, "Description"), h("th", {}, ""))),
          h("tbody", {}, ...projects.map((p) => h("tr", { "data-project": p.id },
            h("td", { class: "name-cell" }, h("a", { href: `/projects/${p.id}/`, "data-link": "", title: p.name }, p.name)),
            h("td", {}, p.role ?? "—"),
            h("td", { class: "muted" }, p.description ?? ""),
            h("td", {}, h("div", { class: "row" }, h("a", { href: `/review/?project=${p.id}`, "data-link": "" }, "Review queue"),
              p.role === "manager" ? h("button", { class: "delete-project", onclick: () => void deleteProject(p) }, "Delete…") : "")))))),
      newProjectForm()));
  }

  unmount(): void {}
}

/** Managers delete a project with everything in it, after confirming; a running propagation job refuses it (409). */
async function deleteProject(project: Project): Promise<void> {
  const ok = await confirmDialog(`Delete project ${project.name}?`,
    "Deletes the project with all its videos, tracks, annotations, comments, exports and imports. This cannot be undone.",
    "Delete project");
  if (!ok) return;
  try {
    await api.deleteProject(project.id);
  } catch (error) {
    return toast((error as Error).message, "error");
  }
  document.querySelector(`tr[data-project="${project.id}"]`)?.remove();
  toast(`Deleted project ${project.name}`);
}

/** Anyone signed in may create a project; its creator becomes its manager and lands on its settings. */
function newProjectForm(): HTMLElement {
  const name = h("input", { type: "text", name: "name", placeholder: "Project name", required: true, maxlength: 200 });
  const description = h("input", { type: "text", name: "description", placeholder: "Description (optional)" });
  const message = errorLine();
  const submit = submitting(message, async () => {
    const project = await api.createProject(name.value.trim(), description.value.trim());
    go(`/projects/${project.id}/settings/`);
  });
  return h("section", { class: "new-project" }, h("h2", {}, "New project"),
    h("form", { class: "row", onsubmit: submit },
      name, description, h("button", { type: "submit", class: "primary" }, "Create project"), message));
}
