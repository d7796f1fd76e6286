// Alert queue: select alerts, then dismiss (with a reason) or escalate them in one request.
import { send, toast } from "/static/js/api.js";

const picks = () => [...document.querySelectorAll("input.pick")];
const chosen = () => picks().filter((box) => box.checked).map((box) => Number(box.value));

function refresh() {
  const count = chosen().length;
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
    if (answer.case_id) {
      toast(`${ids.length} alert(s) escalated into case #${answer.case_id}`);
      window.setTimeout(() => window.location.assign(`/cases/${answer.case_id}`), 600);
    } else {
      toast(`${ids.length} alert(s) dismissed`);
      window.setTimeout(() => window.location.reload(), 600);
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
    toast(answer.already_imported ? "This scan is already in the queue." : `${answer.imported} alerts imported`);
    if (!answer.already_imported) window.setTimeout(() => window.location.reload(), 600);
  } catch (error) {
    toast(error.message, true);
  }
});
refresh();
