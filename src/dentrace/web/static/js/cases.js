// Case list: open a case directly, with parties from the data, optionally restricted.
import { reloadWithToast, send, toast } from "/static/js/api.js";

const words = (id) => document.getElementById(id).value.split(/[\s,]+/).filter(Boolean);

document.getElementById("btn-new-case")?.addEventListener("click", async (event) => {
  const title = document.getElementById("new-title").value.trim();
  if (!title) { toast("Give the case a title.", true); return; }
  const role = document.getElementById("new-role").value;
  const body = {
    title,
    parties: words("new-parties").map((party_id) => ({ party_id, role })),
    restricted: document.getElementById("new-restricted").checked,
    members: words("new-members"),
  };
  event.target.disabled = true;
  try {
    const made = await send("POST", "/api/v1/cases", body);
    reloadWithToast(`Case #${made.id} opened${made.restricted ? " (restricted)" : ""}`,
      `/cases/${made.id}`);
  } catch (error) {
    toast(error.message, true);
  } finally {
    event.target.disabled = false;
  }
});
