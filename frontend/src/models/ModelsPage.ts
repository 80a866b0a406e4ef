/**
 * /projects/{id}/models/: the registered checkpoints (name, variant, sha256, J&F and what it was measured on) and the project's
 * default model, which managers choose here. Registering a file stays a command, shown on the page.
 */
import { api, type Checkpoint, type Project } from "../api/client";
import type { Page } from "../router";
import { h, toast } from "../ui/dom";
import { measuredScore } from "./measuredScore";

export const REGISTER_COMMAND = ".venv/bin/python manage.py register_checkpoint NAME FILE --variant sharp";

function scoreCell(checkpoint: Checkpoint): HTMLElement {
  const { jf, on } = measuredScore(checkpoint);
  return h("td", { class: "jf" }, jf, on ? h("div", { class: "muted small measured-on" }, on) : "");
}

export class ModelsPage implements Page {
  private body = h("tbody", {});
  private current = h("p", { class: "current-model" });

  constructor(private projectId: number) {}

  async mount(root: HTMLElement): Promise<void> {
    const [project, checkpoints] = await Promise.all([api.getProject(this.projectId), api.listCheckpoints()]);
    document.title = `Models — ${project.name} — SiamLabel`;
    root.append(h("div", { class: "page models-page" },
      h("p", { class: "crumbs" }, h("a", { href: "/projects/", "data-link": "" }, "Projects"), " / ",
        h("a", { href: `/projects/${project.id}/`, "data-link": "" }, project.name), " / Models"),
      h("h1", {}, "Models"), this.current,
      h("table", { class: "list checkpoints" },
        h("thead", {}, h("tr", {}, ...["Name", "Variant", "sha256", "J&F", ""].map((t) => h("th", {}, t)))), this.body),
      h("p", { class: "muted small" }, "Register another weights file on the server with ",
        h("code", { class: "register-command" }, REGISTER_COMMAND),
        " (add --default to make it the server's default)."),
      h("p", { class: "muted small" }, "A propagation may still pick another model or precision in the workspace.")));
    this.render(project, checkpoints);
  }

  unmount(): void {}

  private render(project: Project, checkpoints: Checkpoint[]): void {
    const manager = project.role === "manager";
    const own = project.default_checkpoint ?? null;
    const serverDefault = checkpoints.find((c) => c.is_default);
    this.current.textContent = `New propagations use ${project.default_model?.name ?? "no model (none registered)"}`
      + (own === null ? ", the server's default." : ", this project's choice.");
    const choose = (checkpoint: number | null) => async () => {
      try {
        this.render(await api.setProjectModel(project.id, checkpoint), checkpoints);
        toast("default model saved");
      } catch (error) {
        toast((error as Error).message, "error");
      }
    };
    this.body.replaceChildren(...checkpoints.map((c) => {
      const chosen = project.default_model?.id === c.id;
      const action = !manager ? "" : chosen ? h("span", { class: "badge accepted" }, "default")
        : h("button", { class: "make-default", onclick: choose(c.id) }, "Make default");
      return h("tr", { "data-checkpoint": c.id, class: chosen ? "cursor" : "" },
        h("td", {}, c.name, c.builtin ? h("span", { class: "muted small" }, " built-in") : "",
          c.is_default ? h("span", { class: "muted small" }, " (server default)") : ""),
        h("td", {}, c.variant),
        h("td", {}, h("code", { class: "small", title: c.sha256 }, c.sha256.slice(0, 16) + "…")),
        scoreCell(c),
        h("td", {}, action));
    }));
    if (manager && own !== null && serverDefault) {
      this.body.append(h("tr", {}, h("td", { colspan: 4, class: "muted" }, `Follow the server's default (${serverDefault.name})`),
        h("td", {}, h("button", { class: "use-server-default", onclick: choose(null) }, "Use server default"))));
    }
  }
}
