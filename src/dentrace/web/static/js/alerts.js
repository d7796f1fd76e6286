// Alert queue: select alerts, then dismiss (reason code and text), escalate into a new case or
// add them to an open one, assign them (to me; supervisors to anyone), confirm or refuse
// dismissals held for a second review; save the current filters as a named view.
import { reloadWithToast, send, toast } from "/static/js/api.js";

const picks = () => [...document.querySelectorAll("input.pick")];
const chosenBoxes = () => picks().filter((box) => box.checked);
const chosen = () => chosenBoxes().map((box) => Number(box.value));
const BUTTONS = ["bulk-dismiss", "bulk-escalate", "bulk-add-to-case", "bulk-assign-me",
  "bulk-assign", "bulk-confirm", "bulk-refuse", "bulk-set-due"];

// Select-all says what the rows say: ticked when every row is, half when some are.
function syncSelectAll(count) {
  const all = document.getElementById("select-all");
  if (!all) return;
  const total = picks().length;
  all.checked = total > 0 && count === total;
  all.indeterminate = count > 0 && count < total;
}

function refresh() {
  const count = chosen().length;
  syncSelectAll(count);
  const label = document.getElementById("selected-count");
  if (label) label.textContent = String(count);
  for (const id of BUTTONS) {
    const button = document.getElementById(id);
    if (button) button.disabled = count === 0;
  }
}

const plural = (n) => (n === 1 ? "1 alert" : `${n} alerts`);
const reasonBox = () => document.getElementById("bulk-reason");

async function run(action) {
  try {
    await action();
  } catch (error) {
    toast(error.message, true);
  }
}

async function dismiss() {
  const ids = chosen();
  const code = document.getElementById("bulk-code")?.value || "";
  const reason = reasonBox().value.trim();
  if (!code) {
    toast("Choose a reason code to dismiss.", true);
    document.getElementById("bulk-code")?.focus();
    return;
  }
  if (!reason) {
    toast("Give a reason to dismiss.", true);
    reasonBox().focus();
    return;
  }
  const answer = await send("POST", "/api/v1/alerts/dispositions",
    { alert_ids: ids, decision: "dismiss", code, reason });
  const held = answer.alerts.filter((a) => a.status === "dismissal_pending").length;
  reloadWithToast(held
    ? `${plural(ids.length)}: ${held} held for a second review (four eyes), ${ids.length - held} dismissed`
    : `${plural(ids.length)} dismissed`);
}

async function escalate(caseId) {
  const ids = chosen();
  const reason = reasonBox().value.trim();
  const body = { alert_ids: ids, decision: "escalate", reason: reason || null };
  if (caseId) body.case_id = caseId;
  const answer = await send("POST", "/api/v1/alerts/dispositions", body);
  const how = caseId ? "added to" : "escalated into";
  reloadWithToast(`${plural(ids.length)} ${how} case #${answer.case_id}`, `/cases/${answer.case_id}`);
}

async function addToCase() {
  const caseId = Number(document.getElementById("bulk-case").value);
  if (!caseId) {
    toast("Choose the open case to add to.", true);
    document.getElementById("bulk-case").focus();
    return;
  }
  await escalate(caseId);
}

async function assign(assignee) {
  const ids = chosen();
  await send("POST", "/api/v1/alerts/assign", { alert_ids: ids, assignee });
  reloadWithToast(`${plural(ids.length)} assigned to ${assignee === document.getElementById("bulkbar").dataset.user ? "you" : assignee}`);
}

async function review(confirm) {
  const ids = chosen();
  const reason = reasonBox().value.trim();
  if (!confirm && !reason) {
    toast("Give a reason to refuse the dismissal.", true);
    reasonBox().focus();
    return;
  }
  await send("POST", "/api/v1/alerts/review", { alert_ids: ids, confirm, reason: reason || null });
  reloadWithToast(`${plural(ids.length)}: dismissal ${confirm ? "confirmed" : "refused, back in the queue"}`);
}

// Due dates are set one alert at a time (each is audited); empty: back to the SLA.
async function setDue() {
  const ids = chosen();
  const day = document.getElementById("bulk-due").value;
  for (const id of ids) {
    await send("POST", `/api/v1/alerts/${id}/due`, { due_at: day ? `${day}T23:59:59` : null });
  }
  reloadWithToast(`${plural(ids.length)}: due ${day ? `on ${day}` : "by their SLA again"}`);
}

async function saveView() {
  const box = document.getElementById("view-name");
  const name = box.value.trim();
  if (!name) {
    toast("Name the view first.", true);
    box.focus();
    return;
  }
  const filters = JSON.parse(document.getElementById("view-filters").textContent);
  await send("POST", "/api/v1/views", { name, filters });
  reloadWithToast(`View "${name}" saved`);
}

document.getElementById("select-all")?.addEventListener("change", (event) => {
  for (const box of picks()) box.checked = event.target.checked;
  refresh();
});
for (const box of picks()) box.addEventListener("change", refresh);
const on = (id, action) => document.getElementById(id)?.addEventListener("click", () => run(action));
on("bulk-dismiss", dismiss);
on("bulk-escalate", () => escalate(null));
on("bulk-add-to-case", addToCase);
on("bulk-assign-me", () => assign(document.getElementById("bulkbar").dataset.user));
on("bulk-assign", () => {
  const name = document.getElementById("bulk-assignee").value.trim();
  if (!name) { toast("Type the username to assign to.", true); return null; }
  return assign(name);
});
on("bulk-confirm", () => review(true));
on("bulk-refuse", () => review(false));
on("btn-save-view", saveView);
on("bulk-set-due", setDue);
for (const button of document.querySelectorAll("button[data-delete-view]")) {
  button.addEventListener("click", () => run(async () => {
    await send("DELETE", `/api/v1/views/${Number(button.dataset.deleteView)}`);
    reloadWithToast("View deleted");
  }));
}
on("btn-import", async () => {
  const answer = await send("POST", "/api/v1/alerts/import");
  if (answer.already_imported) toast("The latest scan's alerts are already in the queue.");
  else reloadWithToast(`${answer.imported} alert(s) of the latest scan imported`);
});
refresh();
