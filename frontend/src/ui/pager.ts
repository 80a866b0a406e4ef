/**
 * Previous / next links under a paged list (docs/api.md, "Pagination"). The page number lives in
 * the URL (`?page=`), so a reload or a shared link shows the same page.
 *
 *   root.append(pager({ page: 2, pageSize: 50, count: 230 }, (n) => `/review/?page=${n}`));
 */
import { h } from "./dom";

export interface PageInfo { page: number; pageSize: number; count: number }

export function pageCount({ pageSize, count }: PageInfo): number {
  return Math.max(1, Math.ceil(count / pageSize));
}

/** The page asked for in `params` (1 when absent or not a positive integer). */
export function pageParam(params: URLSearchParams): number {
  const n = Number(params.get("page"));
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** Links to the previous and next pages; nothing when everything fits on one. */
export function pager(info: PageInfo, href: (page: number) => string): HTMLElement | string {
  const last = pageCount(info);
  if (last <= 1) return "";
  const link = (page: number, text: string, rel: string) => page < 1 || page > last
    ? h("span", { class: "muted" }, text) : h("a", { href: href(page), "data-link": "", rel, class: "button" }, text);
  return h("nav", { class: "row pager", "aria-label": "pages" },
    link(info.page - 1, "‹ Previous", "prev"), h("span", { class: "muted" }, `page ${info.page} of ${last} · ${info.count} in all`),
    link(info.page + 1, "Next ›", "next"));
}
