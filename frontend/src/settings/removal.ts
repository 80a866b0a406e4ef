/**
 * What the settings page says before removing a member or deleting a label: the in-page
 * confirmation's words, or, where the page already knows the server would refuse (the project's
 * last manager), why it cannot be done, without sending the request.
 */
import type { Member } from "../api/client";

type Who = Pick<Member, "id" | "username" | "role">;

/** Why `member` cannot be removed, or null: a project keeps at least one manager. */
export function removalRefusal(member: Who, members: Who[], me: string): string | null {
  if (member.role !== "manager" || members.some((m) => m.id !== member.id && m.role === "manager")) return null;
  const who = member.username === me ? "you are" : `${member.username} is`;
  return `${who} this project's only manager, and a project needs one: make another member a manager first`;
}

/** The confirmation for removing `member`. */
export function removalQuestion(member: Who, me: string): { title: string; message: string; confirm: string } {
  if (member.username === me) {
    return { title: "Leave this project?", confirm: "Remove me",
      message: `You (${member.username}, ${member.role}) will no longer see this project or its videos; a manager can invite you again.` };
  }
  return { title: `Remove ${member.username}?`, confirm: `Remove ${member.username}`,
    message: `${member.username} (${member.role}) will no longer see this project or its videos; a manager can invite them again.` };
}

/** The confirmation for deleting a label. */
export function labelDeleteQuestion(name: string): { title: string; message: string; confirm: string } {
  return { title: `Delete the label "${name}"?`, confirm: "Delete label",
    message: `"${name}" is removed from this project. A label that tracks use cannot be deleted: the server refuses, and says so.` };
}
