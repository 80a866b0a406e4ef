/**
 * What a role without edit rights (a reviewer) sees in the workspace: the editing tools and buttons
 * disabled, with the reason on hover; navigation, review and comments stay (docs/permissions.md).
 */
import type { ToolName } from "../canvas/types";

/** The canvas tools that change annotations; Pan is the only one left for a reviewer. */
export const EDIT_TOOLS: ReadonlySet<ToolName> = new Set<ToolName>(["box", "brush", "eraser", "scribble", "polygon"]);

/** Roles that may edit tracks (the server's rule; `AnnotationStore.canEdit` asks this). */
export function roleCanEdit(role: string | null): boolean {
  return role === "annotator" || role === "manager";
}

/** Why this role cannot edit tracks (the tooltip and the notice), or null when it can. */
export function cannotEditReason(role: string | null): string | null {
  return roleCanEdit(role) ? null : noEditText(role);
}

/** The one wording of that refusal, for every tooltip and every refused shortcut or button. */
export function noEditText(role: string | null): string {
  return `your role in this project (${role ?? "none"}) cannot edit tracks; editing needs the annotator role`;
}

/** A control a reviewer may not use: switched off, the reason on hover. */
export interface Lockable {
  disabled: boolean;
  title: string;
  dataset?: Record<string, string | undefined>;
}

/** Switch off `controls` when `reason` is not null (the role cannot edit); else leave them as they are. */
export function lockForRole(reason: string | null, ...controls: Lockable[]): void {
  if (reason === null) return;
  for (const c of controls) {
    c.disabled = true;
    c.title = reason;
    if (c.dataset) c.dataset.readOnly = "";
  }
}
