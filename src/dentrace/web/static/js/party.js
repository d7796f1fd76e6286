// Party page: payments timeline (Chart.js), ego network (Cytoscape.js) and triage buttons.
import cytoscape from "/static/vendor/cytoscape.esm.min.js";
import { PALETTE, pageData, scoreColour, send, toast } from "/static/js/api.js";

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

function networkElements(network) {
  const many = network.nodes.length > 30;
  const nodes = network.nodes.map((n) => ({
    data: {
      id: n.id,
      // Labels for the party, its direct counterparties and known parties keep big graphs legible.
      label: !many || n.focus || n.hop <= 1 || n.known ? n.id : "",
      colour: scoreColour(n.score),
      size: n.focus ? 46 : 22 + 14 * (n.score || 0),
      known: n.known === "offender" || n.known === "facilitator" ? "yes" : "no",
      case: n.in_case ? "yes" : "no",
      hop: n.hop,
    },
    classes: [n.focus ? "focus" : "", n.role === "facilitator" ? "facilitator" : ""].join(" "),
  }));
  const edges = network.edges.map((e) => ({
    data: { id: `${e.source}>${e.target}`, source: e.source, target: e.target, width: Math.min(1 + Math.log2(e.payments + 1), 7), payments: e.payments },
  }));
  return [...nodes, ...edges];
}

function drawNetwork() {
  const box = document.getElementById("network");
  if (!box) return;
  const network = data.network;
  const note = document.getElementById("network-note");
  note.textContent = `${network.nodes.length} parties, ${network.edges.length} payment links${network.truncated ? " (outer ring cut for readability)" : ""}`;
  const cy = cytoscape({
    container: box,
    elements: networkElements(network),
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", width: "data(size)", height: "data(size)", label: "data(label)", "font-size": 9, color: "#1d2733", "text-valign": "bottom", "text-margin-y": 3, "border-width": 1, "border-color": "#ffffff" } },
      { selector: "node.facilitator", style: { shape: "round-rectangle" } },
      { selector: "node[known = 'yes']", style: { "border-width": 4, "border-color": "#111111" } },
      { selector: "node[case = 'yes']", style: { "outline-width": 3, "outline-color": "#6b4fbb", "outline-offset": 2 } },
      { selector: "node.focus", style: { "font-size": 12, "font-weight": "bold", "border-width": 4, "border-color": "#1f3a5f" } },
      { selector: "edge", style: { width: "data(width)", "line-color": "#9fb3c8", "target-arrow-color": "#9fb3c8", "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8 } },
      { selector: "node:selected", style: { "border-color": "#f2b134", "border-width": 5 } },
    ],
    layout: network.nodes.length <= 12
      ? { name: "concentric", concentric: (node) => 10 - node.data("hop"), levelWidth: () => 1, minNodeSpacing: 24, animate: false }
      : { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 60, numIter: 1500, padding: 20 },
  });
  cy.on("tap", "node", (event) => {
    const id = event.target.id();
    if (id !== data.party_id) window.location.assign(`/parties/${encodeURIComponent(id)}`);
  });
  box.dataset.ready = "true";
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
drawNetwork();
wireTriage();
