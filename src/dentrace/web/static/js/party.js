// Party page: payments timeline (Chart.js), ego network (network.js) and triage buttons.
import { PALETTE, pageData, send, toast } from "/static/js/api.js";
import { drawNetwork } from "/static/js/network.js";

const data = pageData("party-data");

const flagged = new Set(data.flagged || []);

function timelineDatasets(payments, partyId) {
  const totals = new Map();
  for (const p of payments) {
    const other = p.sender_id === partyId ? p.beneficiary_id : p.sender_id;
    totals.set(other, (totals.get(other) || 0) + 1);
  }
  const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 9).map(([id]) => id);
  const groups = new Map(top.map((id, i) => [id, { label: id, colour: PALETTE[i], points: [] }]));
  const others = { label: "other counterparties", colour: PALETTE[9], points: [] };
  for (const p of payments) {
    const other = p.sender_id === partyId ? p.beneficiary_id : p.sender_id;
    const group = groups.get(other) || others;
    group.points.push({ x: Date.parse(`${p.ts_utc}Z`), y: p.amount_ref, night: p.night, flagged: flagged.has(p.txn_id), p });
  }
  return [...groups.values(), others].filter((g) => g.points.length).map((g) => ({
    label: g.label,
    data: g.points,
    backgroundColor: g.colour,
    // Payments behind the alert get a red ring; night payments are triangles.
    borderColor: g.points.map((pt) => (pt.flagged ? "#c0392b" : pt.night ? "#2b1b55" : g.colour)),
    pointStyle: g.points.map((pt) => (pt.night ? "triangle" : "circle")),
    pointRadius: g.points.map((pt) => (pt.night ? 6 : 4)),
    borderWidth: g.points.map((pt) => (pt.flagged ? 2.5 : pt.night ? 2 : 1)),
  }));
}

// The y axis in log scale lets salary-sized payments and small flagged ones both be read;
// "flagged only" leaves the payments behind the alert (issue 19).
function timelineView(chart, payments) {
  const log = document.getElementById("timeline-log");
  const onlyFlagged = document.getElementById("timeline-flagged");
  const redraw = () => {
    const shown = onlyFlagged?.checked ? payments.filter((p) => flagged.has(p.txn_id)) : payments;
    chart.data.datasets = timelineDatasets(shown, data.party_id);
    chart.options.scales.y.type = log?.checked ? "logarithmic" : "linear";
    chart.options.scales.y.beginAtZero = !log?.checked;
    chart.update();
  };
  log?.addEventListener("change", redraw);
  onlyFlagged?.addEventListener("change", redraw);
}

function drawTimeline() {
  const canvas = document.getElementById("timeline");
  if (!canvas || !window.Chart) return;
  const dateLabel = (ms) => new Date(ms).toISOString().slice(0, 10);
  const chart = new window.Chart(canvas, {
    type: "scatter",
    data: { datasets: timelineDatasets(data.timeline, data.party_id) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: "linear", ticks: { callback: dateLabel, maxTicksLimit: 8 }, title: { display: true, text: "date (UTC)" } },
        y: { type: "linear", beginAtZero: true, title: { display: true, text: `amount (${data.currency})` } },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 10, usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (ctx) => {
              const p = ctx.raw.p;
              const when = p.ts_local.slice(0, 16).replace("T", " ");
              const marks = [ctx.raw.night ? "night" : "", ctx.raw.flagged ? "flagged" : ""].filter(Boolean).join(", ");
              return `${when} ${p.sender_id} → ${p.beneficiary_id}: ${p.amount.toFixed(2)} ${p.currency}${marks ? ` (${marks})` : ""}`;
            },
          },
        },
      },
    },
  });
  timelineView(chart, data.timeline);
}

// --- the payment table: the rules of dentrace/web/payment_table.py, on the page's payments ---

const counterparty = (p) => (p.direction === "sent" ? [p.beneficiary_id, p.beneficiary_name] : [p.sender_id, p.sender_name]);
const corridor = (p) => `${p.sender_country || "?"} → ${p.beneficiary_country || "?"}`;
const NUMERIC = new Set(["amount", "amount_ref"]);

function cellValue(p, column) {
  if (column === "counterparty") return counterparty(p)[0];
  if (column === "corridor") return corridor(p);
  return p[column];
}

function matches(p, view) {
  if (view.direction && p.direction !== view.direction) return false;
  if (view.flaggedOnly && !flagged.has(p.txn_id)) return false;
  const needle = view.text.trim().toLowerCase();
  if (!needle) return true;
  const [otherId, otherName] = counterparty(p);
  return [otherId, otherName, p.memo, p.channel, p.txn_id].some((f) => f && String(f).toLowerCase().includes(needle));
}

function arrange(payments, view) {
  const kept = payments.filter((p) => matches(p, view));
  const column = view.sort.replace(/^-/, "");
  if (view.sort === "-ts_utc") return kept;
  const empty = (p) => cellValue(p, column) === null || cellValue(p, column) === undefined || cellValue(p, column) === "";
  const present = kept.filter((p) => !empty(p));
  const sign = view.sort.startsWith("-") ? -1 : 1;
  const key = (p) => (NUMERIC.has(column) ? Number(cellValue(p, column)) : String(cellValue(p, column)));
  present.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -sign : x > y ? sign : 0;
  });
  return [...present, ...kept.filter(empty)];
}

function cell(row, text, className) {
  const td = row.insertCell();
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

function badge(td, text, className, title) {
  const span = document.createElement("span");
  span.className = `badge ${className}`;
  span.title = title;
  span.textContent = text;
  td.append(" ", span);
}

function paymentRow(body, p) {
  const row = body.insertRow();
  if (p.night) row.className = "night";
  const when = cell(row, p.ts_local.slice(0, 16).replace("T", " "), "nowrap");
  if (p.night) badge(when, "night", "lg-night-badge", "night payment");
  if (flagged.has(p.txn_id)) badge(when, "flagged", "flagged", "behind the alert's reasons");
  cell(row, p.direction);
  const [otherId, otherName] = counterparty(p);
  const who = row.insertCell();
  const link = document.createElement("a");
  link.className = "mono";
  link.href = `/parties/${encodeURIComponent(otherId)}`;
  link.textContent = otherId;
  const name = document.createElement("span");
  name.className = "muted";
  name.textContent = otherName || "";
  who.append(link, " ", name);
  cell(row, corridor(p), "nowrap");
  cell(row, `${p.amount.toFixed(2)} ${p.currency}`, "num");
  cell(row, p.amount_ref.toFixed(2), "num");
  cell(row, p.channel || "");
  cell(row, p.memo || "");
  cell(row, p.txn_id, "mono muted");
}

function wirePaymentTable() {
  const body = document.getElementById("payments-body");
  if (!body) return;
  const text = document.getElementById("pay-text");
  const direction = document.getElementById("pay-direction");
  const onlyFlagged = document.getElementById("pay-flagged");
  const count = document.getElementById("pay-count");
  const csv = document.getElementById("payments-csv");
  const heads = [...document.querySelectorAll("#payments .sort-head")];
  const view = { text: "", direction: "", flaggedOnly: false, sort: "-ts_utc" };
  const render = () => {
    const rows = arrange(data.timeline, view);
    body.replaceChildren();
    for (const p of rows.slice(0, data.table_rows)) paymentRow(body, p);
    const shown = Math.min(rows.length, data.table_rows);
    count.textContent = `${rows.length} of ${data.timeline.length} match${shown < rows.length ? `, first ${shown} shown` : ""}`;
    for (const head of heads) {
      const column = head.dataset.sort;
      const th = head.closest("th");
      if (view.sort.replace(/^-/, "") === column) th.setAttribute("aria-sort", view.sort.startsWith("-") ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
    const query = new URLSearchParams();
    if (view.text.trim()) query.set("q", view.text.trim());
    if (view.direction) query.set("direction", view.direction);
    if (view.flaggedOnly) query.set("flagged", "true");
    if (view.sort !== "-ts_utc") query.set("sort", view.sort);
    csv.href = `${csv.dataset.base}${query.size ? `?${query}` : ""}`;
  };
  text.addEventListener("input", () => { view.text = text.value; render(); });
  direction.addEventListener("change", () => { view.direction = direction.value; render(); });
  onlyFlagged.addEventListener("change", () => { view.flaggedOnly = onlyFlagged.checked; render(); });
  for (const head of heads) {
    head.addEventListener("click", () => {
      const column = head.dataset.sort;
      // a first click sorts descending (newest, largest, Z first), a second ascending
      view.sort = view.sort === `-${column}` ? column : `-${column}`;
      render();
    });
  }
  render();
}

function wireTriage() {
  const form = document.getElementById("triage-form");
  if (!form) return;
  const alertId = Number(form.dataset.alertId);
  const reason = document.getElementById("triage-reason");
  const act = async (decision) => {
    try {
      const code = document.getElementById("triage-code")?.value || null;
      const answer = await send("POST", `/api/v1/alerts/${alertId}/disposition`, { decision, reason: reason.value || null, code });
      const held = answer.alerts.some((a) => a.status === "dismissal_pending");
      toast(decision === "escalate" ? `Escalated: case #${answer.case_id} opened`
        : held ? "Dismissal sent for a second review (four eyes)" : "Alert dismissed");
      window.setTimeout(() => window.location.assign(answer.case_id ? `/cases/${answer.case_id}` : window.location.pathname), 600);
    } catch (error) {
      toast(error.message, true);
    }
  };
  document.getElementById("btn-escalate")?.addEventListener("click", () => act("escalate"));
  document.getElementById("btn-dismiss")?.addEventListener("click", () => act("dismiss"));
}

drawTimeline();
drawNetwork(data.network, data.currency);
wirePaymentTable();
wireTriage();
