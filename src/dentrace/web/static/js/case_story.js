// Case page, the story: the held payments over time (Chart.js, as on the party page) and the
// network of the case's parties (network.js, the party page's drawing).
import { PALETTE, pageData } from "/static/js/api.js";
import { drawNetwork } from "/static/js/network.js";

const data = pageData("case-data");

function datasets(payments) {
  const payers = [...new Set(payments.map((p) => p.sender_id))];
  const colour = new Map(payers.map((id, i) => [id, PALETTE[i % PALETTE.length]]));
  const byPayer = new Map();
  for (const p of payments) {
    const night = [22, 23, 0, 1, 2, 3, 4].includes(Number(p.ts_local.slice(11, 13)));
    if (!byPayer.has(p.sender_id)) byPayer.set(p.sender_id, []);
    byPayer.get(p.sender_id).push({ x: Date.parse(`${p.ts_utc}Z`), y: p.amount_ref, night, p });
  }
  return [...byPayer.entries()].map(([payer, points]) => ({
    label: payer,
    data: points,
    backgroundColor: colour.get(payer),
    borderColor: points.map((pt) => (pt.night ? "#2b1b55" : colour.get(payer))),
    pointStyle: points.map((pt) => (pt.night ? "triangle" : "circle")),
    pointRadius: points.map((pt) => (pt.night ? 6 : 4)),
  }));
}

function drawTimeline() {
  const canvas = document.getElementById("case-timeline");
  if (!canvas || !window.Chart || !data.payments?.length) return;
  const dateLabel = (ms) => new Date(ms).toISOString().slice(0, 10);
  new window.Chart(canvas, {
    type: "scatter",
    data: { datasets: datasets(data.payments) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: "linear", ticks: { callback: dateLabel, maxTicksLimit: 6 }, title: { display: true, text: "date (UTC)" } },
        y: { beginAtZero: true, title: { display: true, text: `amount (${data.currency})` } },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 10, usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (ctx) => {
              const p = ctx.raw.p;
              const when = p.ts_local.slice(0, 16).replace("T", " ");
              return `${when} ${p.sender_id} → ${p.beneficiary_id}: ${p.amount.toFixed(2)} ${p.currency}${ctx.raw.night ? " (night)" : ""}`;
            },
          },
        },
      },
    },
  });
  canvas.dataset.ready = "true";
}

drawTimeline();
if (data.network && data.network.nodes.length) drawNetwork(data.network, data.currency);
