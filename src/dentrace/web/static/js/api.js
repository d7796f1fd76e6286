// Calls to the JSON API from the screens: session cookie plus the session's CSRF token as a header.

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

// The page's token is the session's own; the cookie only when a page has none.
function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return (meta && meta.content) || cookie("dentrace_csrf");
}

export async function send(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRF-Token": csrfToken(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
    throw new Error("session expired");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const detail = data && data.detail ? data.detail : response.statusText;
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return data;
}

export function toast(message, isError = false) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.classList.toggle("error", isError);
  box.hidden = false;
  window.clearTimeout(box.dataset.timer);
  box.dataset.timer = window.setTimeout(() => { box.hidden = true; }, 4000);
}

// A toast that outlives the reload showing its result: kept for this tab until the next page.
const KEPT_TOAST = "dentrace-toast";

export function reloadWithToast(message, url) {
  toast(message);
  window.sessionStorage.setItem(KEPT_TOAST, message);
  window.setTimeout(() => (url ? window.location.assign(url) : window.location.reload()), 300);
}

const kept = window.sessionStorage.getItem(KEPT_TOAST);
if (kept) {
  window.sessionStorage.removeItem(KEPT_TOAST);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => toast(kept));
  } else {
    toast(kept);
  }
}

export function pageData(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

export const PALETTE = [
  "#2f6fb3", "#e4572e", "#4c9a6a", "#f2b134", "#6b4fbb",
  "#17a2b8", "#d63384", "#8c6d3f", "#5f6b7a", "#20c997",
];

export function scoreColour(score) {
  if (score === null || score === undefined) return "#b8c2cf";
  if (score >= 0.7) return "#d2553b";
  if (score >= 0.4) return "#e0a526";
  return "#4c9a6a";
}
