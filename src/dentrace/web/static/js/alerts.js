// Alert queue: select alerts, then dismiss (with a reason) or escalate them in one request.
import { reloadWithToast, send, toast } from "/static/js/api.js";

const picks = () => [...document.querySelectorAll("input.pick")];
const chosen = () => picks().filter((box) => box.checked).map((box) => Number(box.value));

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
  for (const id of ["bulk-dismiss", "bulk-escalate"]) {
    const button = document.getElementById(id);
    if (button) button.disabled = count === 0;
  }
}

async function bulk(decision) {
  const ids = chosen();
  const reason = document.getElementById("bulk-reason").value.trim();
  if (decision === "dismiss" && !reason) {
    toast("Give a reason to dismiss.", true);
    document.getElementById("bulk-reason").focus();
    return;
  }
  try {
    const answer = await send("POST", "/api/v1/alerts/dispositions", { alert_ids: ids, decision, reason: reason || null });
    const alerts = ids.length === 1 ? "1 alert" : `${ids.length} alerts`;
    if (answer.case_id) {
      reloadWithToast(`${alerts} escalated into case #${answer.case_id}`, `/cases/${answer.case_id}`);
    } else {
      reloadWithToast(`${alerts} dismissed`);
    }
  } catch (error) {
    toast(error.message, true);
  }
}

document.getElementById("select-all")?.addEventListener("change", (event) => {
  for (const box of picks()) box.checked = event.target.checked;
  refresh();
});
for (const box of picks()) box.addEventListener("change", refresh);
document.getElementById("bulk-dismiss")?.addEventListener("click", () => bulk("dismiss"));
document.getElementById("bulk-escalate")?.addEventListener("click", () => bulk("escalate"));
document.getElementById("btn-import")?.addEventListener("click", async () => {
  try {
    const answer = await send("POST", "/api/v1/alerts/import");
    if (answer.already_imported) toast("The latest scan's alerts are already in the queue.");
    else reloadWithToast(`${answer.imported} alert(s) of the latest scan imported`);
  } catch (error) {
    toast(error.message, true);
  }
});
refresh();
