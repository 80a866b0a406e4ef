import { describe, expect, it } from "vitest";
import { labelDeleteQuestion, removalQuestion, removalRefusal } from "./removal";

const carol = { id: 1, username: "carol", role: "manager" as const };
const alice = { id: 2, username: "alice", role: "annotator" as const };

describe("removing a member", () => {
  it("refuses the last manager before any request, saying why", () => {
    expect(removalRefusal(carol, [carol, alice], "carol")).toBe(
      "you are this project's only manager, and a project needs one: make another member a manager first");
    expect(removalRefusal(carol, [carol, alice], "dave")).toMatch(/^carol is this project's only manager/);
  });

  it("lets a manager go when another stays, and anyone who is not a manager", () => {
    expect(removalRefusal(carol, [carol, { ...alice, role: "manager" }], "carol")).toBeNull();
    expect(removalRefusal(alice, [carol, alice], "carol")).toBeNull();
  });

  it("names who is removed, and says when it is you", () => {
    expect(removalQuestion(alice, "carol")).toMatchObject({ title: "Remove alice?", confirm: "Remove alice" });
    expect(removalQuestion(alice, "carol").message).toContain("alice (annotator)");
    expect(removalQuestion(alice, "alice").title).toBe("Leave this project?");
  });

  it("names the label to delete", () => {
    expect(labelDeleteQuestion("cyclist").title).toBe('Delete the label "cyclist"?');
  });
});
