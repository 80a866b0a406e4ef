/**
 * Boot: read what the Django page provides (user name, CSRF cookie), draw the top bar, and route.
 * See docs/frontend.md for a walk through the modules.
 */
import "./styles.css";
import { csrfToken, retry } from "./api/client";
import { ModelsPage } from "./models/ModelsPage";
import { ProjectsPage } from "./pages/ProjectsPage";
import { VideosPage } from "./pages/VideosPage";
import { ReviewQueuePage } from "./review/ReviewQueuePage";
import { ProjectSettingsPage } from "./settings/ProjectSettingsPage";
import { Router, type Page } from "./router";
import { TransfersPage } from "./transfers/TransfersPage";
import { h, toast } from "./ui/dom";
import { Workspace } from "./workspace/Workspace";

function topBar(username: string): HTMLElement {
  const logout = h("form", { method: "post", action: "/logout/", class: "logout" },
    h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrfToken() }),
    h("button", { type: "submit" }, "Sign out"));
  return h("header", { class: "topbar" },
    h("a", { href: "/", "data-link": "", class: "brand" }, "SiamLabel"),
    h("nav", {}, h("a", { href: "/projects/", "data-link": "" }, "Projects"), h("a", { href: "/review/", "data-link": "" }, "Review")),
    h("span", { class: "spacer" }),
    h("span", { class: "muted user" }, username),
    logout);
}

const notFound = (): Page => ({
  mount: (root) => void root.append(h("p", { class: "pad" }, "There is nothing here. ", h("a", { href: "/", "data-link": "" }, "Projects"))),
  unmount: () => {},
});

function boot(): void {
  retry.listener = (attempt, waitS) => {
    if (attempt === 1) toast(`The server is restarting: your last change is kept and sent again in ${waitS} s.`, "info");
  };
  const app = document.getElementById("app")!;
  const main = h("main", { id: "page" });
  app.replaceChildren(topBar(document.body.dataset.username ?? ""), main);
  const router = new Router(main, [
    { pattern: /^\/(projects\/?)?$/, page: () => new ProjectsPage() },
    { pattern: /^\/projects\/(\d+)\/?$/, page: (m, q) => new VideosPage(Number(m[1]), q) },
    { pattern: /^\/projects\/(\d+)\/transfers\/?$/, page: (m) => new TransfersPage(Number(m[1])) },
    { pattern: /^\/projects\/(\d+)\/models\/?$/, page: (m) => new ModelsPage(Number(m[1])) },
    { pattern: /^\/projects\/(\d+)\/settings\/?$/, page: (m) => new ProjectSettingsPage(Number(m[1])) },
    { pattern: /^\/videos\/(\d+)\/?$/, page: (m, q) => new Workspace(Number(m[1]), q) },
    { pattern: /^\/review\/?$/, page: (_m, q) => new ReviewQueuePage(q) },
  ], notFound);
  void router.render();
}

boot();
