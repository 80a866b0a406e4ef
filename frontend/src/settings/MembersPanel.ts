/**
 * A project's members and roles; managers invite by username, change roles and remove members.
 * The server's refusals (no such user, already a member, the last manager) are shown as it words them.
 */
import { api, type Member, type Role } from "../api/client";
import { confirmDialog } from "../ui/dialog";
import { h, toast } from "../ui/dom";
import { removalQuestion, removalRefusal } from "./removal";
import { errorLine, submitting, tablePanel } from "./panel";

const ROLES: Role[] = ["annotator", "reviewer", "manager"];

export class MembersPanel {
  readonly el: HTMLElement;
  private body = h("tbody", {});

  /** `me`: the signed-in user's name, to word removing oneself. */
  constructor(private projectId: number, private members: Member[], private manager: boolean, private me = "") {
    this.el = tablePanel("members", "Members", ["User", "Role", ""], this.body, manager ? this.inviteForm() : null);
    this.render();
  }

  private render(): void {
    this.body.replaceChildren(...this.members.map((m) => this.row(m)));
  }

  private row(member: Member): HTMLElement {
    if (!this.manager) {
      return h("tr", { "data-member": member.username }, h("td", {}, member.username), h("td", {}, member.role), h("td", {}));
    }
    const role = roleSelect(member.role, `role of ${member.username}`);
    role.addEventListener("change", () => void this.setRole(member, role.value as Role));
    return h("tr", { "data-member": member.username }, h("td", {}, member.username), h("td", {}, role),
      h("td", {}, h("button", { class: "remove-member", onclick: () => void this.remove(member) }, "Remove")));
  }

  private inviteForm(): HTMLElement {
    const username = h("input", { type: "text", name: "username", placeholder: "Username", required: true });
    const role = roleSelect("annotator", "role of the new member");
    const message = errorLine("invite-error"); // 400 no such user, 409 already a member, 429
    const submit = submitting(message, async () => {
      this.members.push(await api.addMember(this.projectId, username.value.trim(), role.value as Role));
      username.value = "";
      this.render();
    });
    return h("form", { class: "invite-member row", onsubmit: submit }, username, role,
      h("button", { type: "submit" }, "Invite"), message);
  }

  private async setRole(member: Member, role: Role): Promise<void> {
    try {
      Object.assign(member, await api.setMemberRole(member.id, role));
      toast(`${member.username} is now ${member.role}`);
    } catch (error) {
      toast((error as Error).message, "error"); // e.g. the project's last manager
    }
    this.render();
  }

  private async remove(member: Member): Promise<void> {
    const refusal = removalRefusal(member, this.members, this.me);
    if (refusal) return toast(`cannot remove ${member.username === this.me ? "yourself" : member.username}: ${refusal}`, "error");
    const q = removalQuestion(member, this.me);
    if (!(await confirmDialog(q.title, q.message, q.confirm))) return;
    try {
      await api.removeMember(member.id);
      this.members = this.members.filter((m) => m.id !== member.id);
      this.render();
      toast(`${member.username} removed`);
    } catch (error) {
      toast((error as Error).message, "error");
    }
  }
}

function roleSelect(current: Role, label: string): HTMLSelectElement {
  return h("select", { class: "member-role", "aria-label": label },
    ...ROLES.map((r) => h("option", { value: r, selected: r === current }, r)));
}
