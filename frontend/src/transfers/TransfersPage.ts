/** /projects/{id}/transfers/: export the project's labels and import labels files (managers start them). */
import { api } from "../api/client";
import type { Page } from "../router";
import { h } from "../ui/dom";
import { ExportPanel } from "./ExportPanel";
import { ImportPanel } from "./ImportPanel";
import { Poller } from "./poll";

export class TransfersPage implements Page {
  private poller = new Poller();

  constructor(private projectId: number) {}

  async mount(root: HTMLElement): Promise<void> {
    const id = this.projectId;
    const [project, videos, exports, imports] = await Promise.all([
      api.getProject(id), api.listVideos(id), api.listExports(id), api.listImports(id)]);
    document.title = `Export and import — ${project.name} — SiamLabel`;
    const manager = project.role === "manager";
    root.append(h("div", { class: "page transfers-page" },
      h("p", { class: "crumbs" }, h("a", { href: "/projects/", "data-link": "" }, "Projects"), " / ",
        h("a", { href: `/projects/${id}/`, "data-link": "" }, project.name), " / Export and import"),
      h("h1", {}, "Export and import"),
      new ExportPanel(id, videos, exports, this.poller, manager).element,
      new ImportPanel(id, imports, this.poller, manager).element));
  }

  unmount(): void {
    this.poller.stop();
  }
}
