/** "/" and /projects/: the projects the user belongs to, with their role. */
import { api } from "../api/client";
import type { Page } from "../router";
import { h } from "../ui/dom";

export class ProjectsPage implements Page {
  async mount(root: HTMLElement): Promise<void> {
    document.title = "Projects — SiamLabel";
    const projects = await api.listProjects();
    root.append(h("div", { class: "page" },
      h("h1", {}, "Projects"),
      projects.length === 0 ? h("p", { class: "muted" }, "You are not a member of any project yet. Ask a manager to add you.")
        : h("table", { class: "list" },
          h("thead", {}, h("tr", {}, h("th", {}, "Project"), h("th", {}, "Your role"), h("th", {}, "Description"), h("th", {}, ""))),
          h("tbody", {}, ...projects.map((p) => h("tr", {},
            h("td", {}, h("a", { href: `/projects/${p.id}/`, "data-link": "" }, p.name)),
            h("td", {}, p.role ?? "—"),
            h("td", { class: "muted" }, p.description ?? ""),
            h("td", {}, h("a", { href: `/review/?project=${p.id}`, "data-link": "" }, "Review queue"))))))));
  }

  unmount(): void {}
}
