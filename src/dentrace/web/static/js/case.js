// Case page: status moves, submit, four-eyes approval, send back, close, assign (to me), title,
// due date, notes, restriction and members, related alerts added with one click, attachments,
// and the exporters' downloads.
import { reloadWithToast, send, toast } from "/static/js/api.js";

const panel = document.getElementById("case-actions");
const caseId = Number(panel.dataset.caseId);
const base = `/api/v1/cases/${caseId}`;

function reason(what) {
  const box = document.getElementById("action-reason");
  const text = box ? box.value.trim() : "";
  if (!text) {
    toast(`Give a reason to ${what}.`, true);
    box?.focus();
    return null;
  }
  return text;
}

// An export is a file: fetch it with the CSRF header, then hand it to the browser to save.
async function downloadExport(button) {
  const name = button.dataset.export;
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("dentrace_csrf="));
  const response = await fetch(`${base}/exports/${encodeURIComponent(name)}`, {
    method: "POST", credentials: "same-origin",
    headers: { "X-CSRF-Token": csrf ? decodeURIComponent(csrf.split("=")[1]) : "" },
  });
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    const detail = data && data.detail ? data.detail : response.statusText;
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  const file = (response.headers.get("Content-Disposition") || "").split("filename=")[1];
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = file ? file.replaceAll('"', "") : name;
  link.click();
  URL.revokeObjectURL(link.href);
  toast(`${button.textContent.trim()} generated and recorded in the audit log`);
}

// A document goes as multipart form data, with the session's CSRF token as for every call.
async function upload(file) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch(`${base}/attachments`, {
    method: "POST", credentials: "same-origin", body: form,
    headers: { Accept: "application/json", "X-CSRF-Token": meta ? meta.content : "" },
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = data && data.detail ? data.detail : response.statusText;
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return data;
}

// Each action sends its request and says what happened in words of its own; null: nothing sent.
const named = (what) => `Case #${caseId} ${what}`;
const after = (pending, message) => pending && pending.then((updated) => message(updated));

const actions = {
  investigate: () => after(send("POST", `${base}/status`, { status: "investigating" }),
    () => named("is now being investigated")),
  submit: () => after(send("POST", `${base}/submit`), () => named("submitted for approval")),
  approve: () => after(send("POST", `${base}/approve`), () => named("approved for reporting")),
  "send-back": () => {
    const why = reason("send the case back");
    return why ? after(send("POST", `${base}/send-back`, { reason: why }),
      () => named("sent back for more investigation")) : null;
  },
  close: () => {
    const why = reason("close the case");
    return why ? after(send("POST", `${base}/status`, { status: "closed", reason: why }),
      () => named("closed without report")) : null;
  },
  assign: () => {
    const assignee = document.getElementById("assign-to").value.trim();
    if (!assignee) { toast("Type the username to assign.", true); return null; }
    return after(send("POST", `${base}/assign`, { assignee }),
      (updated) => named(`assigned to ${updated.assignee}`));
  },
  restrict: () => after(send("POST", `${base}/restriction`, { restricted: true }),
    () => named("is now restricted")),
  unrestrict: () => after(send("POST", `${base}/restriction`, { restricted: false }),
    () => named("is now open to every analyst")),
  "add-member": () => {
    const username = document.getElementById("member-name").value.trim();
    if (!username) { toast("Type the username to add.", true); return null; }
    return after(send("POST", `${base}/members`, { username }),
      () => `${username} added to case #${caseId}`);
  },
  "remove-member": (button) => {
    const { username } = button.dataset;
    return after(send("DELETE", `${base}/members/${encodeURIComponent(username)}`),
      () => `${username} removed from case #${caseId}`);
  },
  rename: () => {
    const title = document.getElementById("title-text").value.trim();
    if (!title) { toast("Give the case a title.", true); return null; }
    return after(send("POST", `${base}/title`, { title }), () => named("renamed"));
  },
  "assign-me": () => {
    const me = document.getElementById("case-actions").dataset.user;
    return after(send("POST", `${base}/assign`, { assignee: me }), () => named("assigned to you"));
  },
  "set-due": () => {
    const day = document.getElementById("due-date").value;
    if (!day) { toast("Pick the due date.", true); return null; }
    return after(send("POST", `${base}/due`, { due_at: `${day}T23:59:59` }),
      () => named(`due on ${day}`));
  },
  "clear-due": () => after(send("POST", `${base}/due`, { due_at: null }),
    () => named("due by its SLA again")),
  "add-alert": (button) => {
    const alertId = Number(button.dataset.addAlert);
    return after(send("POST", `/api/v1/alerts/${alertId}/disposition`, { decision: "escalate", case_id: caseId }),
      () => `Alert #${alertId} added to case #${caseId}`);
  },
  attach: () => {
    const input = document.getElementById("attachment-file");
    const file = input.files && input.files[0];
    if (!file) { toast("Choose a document to attach.", true); return null; }
    return upload(file).then((made) => `${made.filename} attached (SHA-256 ${made.sha256.slice(0, 12)}…)`);
  },
  note: () => {
    const text = document.getElementById("note-text").value.trim();
    if (!text) { toast("Write the note first.", true); return null; }
    return after(send("POST", `${base}/notes`, { text }), () => `Note added to case #${caseId}`);
  },
};

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  // the registry's export buttons (data-export) download; goAML's own script takes its button
  const exporting = Boolean(button.dataset.export);
  const run = actions[button.dataset.action];
  if (!exporting && !run) return;
  button.disabled = true;
  try {
    if (exporting) {
      await downloadExport(button);
    } else {
      const pending = run(button);
      if (pending) reloadWithToast(await pending);
    }
  } catch (error) {
    toast(error.message, true);
  } finally {
    button.disabled = false;
  }
});
