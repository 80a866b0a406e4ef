import { describe, expect, it } from "vitest";
import { EDIT_TOOLS, cannotEditReason, lockForRole, noEditText, roleCanEdit } from "./roles";

describe("roles in the workspace", () => {
  it("lets annotators and managers edit, not reviewers", () => {
    expect(roleCanEdit("annotator")).toBe(true);
    expect(roleCanEdit("manager")).toBe(true);
    expect(roleCanEdit("reviewer")).toBe(false);
    expect(roleCanEdit(null)).toBe(false);
    expect(cannotEditReason("manager")).toBeNull();
    expect(cannotEditReason("reviewer")).toContain("(reviewer) cannot edit tracks");
  });

  it("words every refusal the same: tooltips and shortcuts share one message", () => {
    expect(noEditText("reviewer")).toBe("your role in this project (reviewer) cannot edit tracks; editing needs the annotator role");
    expect(cannotEditReason("reviewer")).toBe(noEditText("reviewer"));
    expect(noEditText(null)).toContain("(none)");
  });

  it("leaves Pan to reviewers and locks the editing tools", () => {
    expect(EDIT_TOOLS.has("pan")).toBe(false);
    for (const t of ["box", "brush", "eraser", "scribble", "polygon"] as const) expect(EDIT_TOOLS.has(t)).toBe(true);
  });

  it("disables controls with the reason on hover, only when the role cannot edit", () => {
    const a = { disabled: false, title: "Box (R)", dataset: {} as Record<string, string | undefined> };
    lockForRole(cannotEditReason("annotator"), a);
    expect(a).toEqual({ disabled: false, title: "Box (R)", dataset: {} });
    lockForRole(cannotEditReason("reviewer"), a);
    expect(a.disabled).toBe(true);
    expect(a.title).toContain("cannot edit tracks");
    expect(a.dataset.readOnly).toBe("");
  });
});
