// Case page: the goAML button and its panel. Says up front when the button cannot work (no FIU
// schema configured) or when the reporting entity is still the shipped example; a report the
// schema refuses is listed field by field in a panel that stays until closed, not in a toast.
const button = document.querySelector("button[data-action=goaml]");
const actions = document.getElementById("case-actions");

function csrf() {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("dentrace_csrf="));
  return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
}

// One panel below the case's actions; every message is text (textContent), never markup.
function panel() {
  let box = document.getElementById("goaml-panel");
  if (!box) {
    box = document.createElement("section");
    box.id = "goaml-panel";
    box.setAttribute("aria-live", "polite");
    actions.insertAdjacentElement("afterend", box);
  }
  return box;
}

function show(kind, title, lines = [], problems = []) {
  const box = panel();
  box.className = `alert-box ${kind}`;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.replaceChildren();
  const head = document.createElement("strong");
  head.textContent = title;
  box.append(head);
  for (const line of lines) {
    const p = document.createElement("p");
    p.textContent = line;
    box.append(p);
  }
  if (problems.length) {
    const list = document.createElement("ol");
    list.id = "goaml-problems";
    for (const problem of problems) {
      const item = document.createElement("li");
      const field = document.createElement("code");
      field.textContent = problem.field;
      item.append(field, ` (line ${problem.line}): ${problem.message}`);
      list.append(item);
    }
    box.append(list);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn";
  close.id = "goaml-panel-close";
  close.textContent = "Close";
  close.addEventListener("click", () => box.remove());
  box.append(close);
}

async function readiness(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) return;
  const ready = await response.json();
  if (!ready.configured) {
    button.disabled = true;
    button.title = ready.reason;
    show("info", "goAML report unavailable here", [ready.reason]);
  } else if (ready.warnings.length) {
    show("info", "goAML: check the reporting entity", ready.warnings);
  }
}

async function download(url) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf() },
  });
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    const detail = data && data.detail ? data.detail : response.statusText;
    if (typeof detail === "object" && Array.isArray(detail.problems)) {
      show("error", "goAML report refused (recorded in the audit log)", [detail.message],
        detail.problems);
    } else {
      show("error", "goAML report refused (recorded in the audit log)",
        [typeof detail === "string" ? detail : JSON.stringify(detail)]);
    }
    return;
  }
  const name = (response.headers.get("Content-Disposition") || "").split("filename=")[1];
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name ? name.replaceAll('"', "") : "goaml.xml";
  link.click();
  URL.revokeObjectURL(link.href);
  show("info", "goAML report generated", [
    `${link.download}: saved by your browser, kept in the workspace and recorded in the audit log.`]);
}

if (button && actions) {
  const url = `/api/v1/cases/${Number(actions.dataset.caseId)}/goaml`;  // its readiness
  // Handled here, at the button, so the page's shared action handler never sees the click.
  button.addEventListener("click", async (event) => {
    event.stopPropagation();
    button.disabled = true;
    try {
      await download(`/api/v1/cases/${Number(actions.dataset.caseId)}/exports/goaml`);
    } catch (error) {
      show("error", "goAML report failed", [String(error.message || error)]);
    } finally {
      button.disabled = false;
    }
  });
  readiness(url);
}
