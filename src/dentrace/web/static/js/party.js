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

function drawTimeline() {
  const canvas = document.getElementById("timeline");
  if (!canvas || !window.Chart) return;
  const dateLabel = (ms) => new Date(ms).toISOString().slice(0, 10);
  new window.Chart(canvas, {
    type: "scatter",
    data: { datasets: timelineDatasets(data.timeline, data.party_id) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: "linear", ticks: { callback: dateLabel, maxTicksLimit: 8 }, title: { display: true, text: "date (UTC)" } },
        y: { beginAtZero: true, title: { display: true, text: `amount (${data.currency})` } },
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
}

function wireTriage() {
  const form = document.getElementById("triage-form");
  if (!form) return;
  const alertId = Number(form.dataset.alertId);
  const reason = document.getElementById("triage-reason");
  const act = async (decision) => {
    try {
      const answer = await send("POST", `/api/v1/alerts/${alertId}/disposition`, { decision, reason: reason.value || null });
      toast(decision === "escalate" ? `Escalated: case #${answer.case_id} opened` : "Alert dismissed");
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
wireTriage();
