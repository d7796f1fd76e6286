// Party page network: the ego graph drawn the same way on every load (seeded layout), labels
// readable at the default zoom, tooltips, zoom buttons, hop and score filters, and a list of its
// parties as links, so that a keyboard reaches every node the mouse does.
import cytoscape from "/static/vendor/cytoscape.esm.min.js";
import { scoreColour } from "/static/js/api.js";

const LABEL_PX = 12; // labels keep this size on screen whatever the zoom
const MINOR_LABELS_AT = 1.7; // zoom, relative to the fitted one, at which every node is labelled
const SMALL_NETWORK = 16; // up to this many parties, every node is labelled from the start
const ROLE_SHAPES = { payer: "ellipse", facilitator: "round-rectangle", "payer+facilitator": "diamond" };

// Same characters as the server's path_segment (Python quote(id, safe="")): encodeURIComponent
// leaves !'()* alone, so they are escaped here too and every id is one path segment.
export function partyHref(id) {
  const segment = encodeURIComponent(id).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `/parties/${segment}`;
}

const formatScore = (score) => (score === null || score === undefined ? "not scored" : score.toFixed(2));
const hopText = (hop) => (hop === 0 ? "this party" : hop === 1 ? "direct counterparty" : `${hop} payments away`);

// Parties an analyst reads first: the den, its collectors, known and alerted parties.
function isNotable(node, count) {
  return count <= SMALL_NETWORK || node.focus || Boolean(node.known) || node.alert || node.in_case || (node.score ?? -1) >= 0.4;
}

function elements(network) {
  const count = network.nodes.length;
  const nodes = network.nodes.map((n) => ({
    data: {
      id: n.id,
      colour: scoreColour(n.score),
      size: n.focus ? 44 : 20 + 16 * (n.score || 0),
      shape: ROLE_SHAPES[n.role] || "ellipse",
      hop: n.hop,
      score: n.score,
      alert: n.alert,
    },
    classes: [
      n.focus ? "focus" : "",
      n.known === "offender" || n.known === "facilitator" ? "known" : "",
      n.in_case ? "in-case" : "",
      isNotable(n, count) ? "" : "minor",
    ].filter(Boolean).join(" "),
  }));
  // Edge ids by position under a prefix no party id starts with: ids joined by a separator
  // could collide ('a>b'+'c', 'a'+'b>c'), and nodes and edges share one id space.
  let prefix = "link-";
  while (network.nodes.some((n) => n.id.startsWith(prefix))) prefix += "~";
  const edges = network.edges.map((e, i) => ({
    data: { id: `${prefix}${i}`, source: e.source, target: e.target, width: Math.min(1 + Math.log2(e.payments + 1), 7) },
  }));
  return [...nodes, ...edges];
}

const STYLE = [
  { selector: "node", style: { "background-color": "data(colour)", shape: "data(shape)", width: "data(size)", height: "data(size)", label: "data(id)", "z-index": 10, color: "#1d2733", "font-size": LABEL_PX, "text-valign": "bottom", "text-margin-y": 3, "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1, "text-background-shape": "roundrectangle", "border-width": 1.5, "border-color": "#ffffff" } },
  { selector: "node.minor", style: { label: "", "z-index": 5 } },
  { selector: "node.minor.named", style: { label: "data(id)" } },
  { selector: "node.crowded", style: { label: "" } },
  { selector: "node.known", style: { "border-width": 4, "border-color": "#111111" } },
  { selector: "node.in-case", style: { "outline-width": 3, "outline-color": "#6b4fbb", "outline-offset": 2 } },
  { selector: "node.focus", style: { "font-weight": "bold", "border-width": 5, "border-color": "#1f3a5f", "z-index": 30 } },
  { selector: "node.hl", style: { label: "data(id)", "border-width": 5, "border-color": "#f2b134", "z-index": 40 } },
  { selector: "node.filtered", style: { display: "none" } },
  { selector: "edge", style: { width: "data(width)", "line-color": "#a9bbce", "line-opacity": 0.5, "target-arrow-color": "#a9bbce", "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8 } },
  { selector: "edge.hl", style: { "line-color": "#f2b134", "target-arrow-color": "#f2b134", "line-opacity": 1, "z-index": 19 } },
];

// A small seeded generator: the force layout draws random numbers (nudging overlapping nodes),
// and the same party must get the same picture on every load.
function seeded(text) {
  let state = 2166136261;
  for (const ch of text) state = Math.imul(state ^ ch.codePointAt(0), 16777619) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Rings by hop, parties in a fixed order: where the force layout starts.
function startPositions(nodes) {
  const rings = new Map();
  for (const n of nodes) rings.set(n.hop, [...(rings.get(n.hop) || []), n.id]);
  const positions = {};
  for (const [hop, ids] of rings) {
    ids.forEach((id, i) => {
      const angle = (2 * Math.PI * i) / ids.length + hop * 0.5;
      positions[id] = { x: 160 * hop * Math.cos(angle), y: 160 * hop * Math.sin(angle) };
    });
  }
  return positions;
}

function runLayout(cy, network) {
  const start = startPositions(network.nodes);
  cy.nodes().positions((node) => start[node.id()]);
  if (network.nodes.length <= 12) {
    cy.layout({ name: "concentric", concentric: (node) => 10 - node.data("hop"), levelWidth: () => 1, minNodeSpacing: 36, animate: false }).run();
    return;
  }
  const random = Math.random;
  Math.random = seeded(network.party_id);
  try {
    cy.layout({ name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true, nodeRepulsion: () => 6000, idealEdgeLength: () => 48, nodeOverlap: 8, gravity: 1, numIter: 1500, padding: 24 }).run();
  } finally {
    Math.random = random;
  }
}

// Tooltip lines, set as text (names and ids come from the bank's data).
function tipLines(node, currency) {
  const flags = [node.known ? `known ${node.known}` : "", node.alert ? "alerted" : "", node.in_case ? "in a case" : ""].filter(Boolean).join(" · ");
  return [
    node.name || "(no name)",
    `${node.role || "no role"} · ${hopText(node.hop)} · score ${formatScore(node.score)}`,
    `${node.payments ?? 0} payments, ${(node.amount ?? 0).toLocaleString("en", { maximumFractionDigits: 0 })} ${currency} within the network`,
    flags,
  ].filter(Boolean);
}

function showTip(tip, node, currency, where, hint = "") {
  tip.replaceChildren();
  const head = document.createElement("strong");
  head.className = "mono";
  head.textContent = node.id;
  tip.append(head);
  for (const line of [...tipLines(node, currency), hint].filter(Boolean)) {
    const div = document.createElement("div");
    div.textContent = line;
    tip.append(div);
  }
  tip.hidden = false;
  const box = tip.parentElement.getBoundingClientRect();
  const left = Math.max(4, Math.min(where.x + 14, box.width - tip.offsetWidth - 4));
  const top = where.y + 14 + tip.offsetHeight > box.height ? Math.max(4, where.y - tip.offsetHeight - 10) : where.y + 14;
  tip.style.left = `${left}px`;
  tip.style.top = `${top}px`;
}

function listRow(node, currency) {
  const row = document.createElement("tr");
  row.dataset.id = node.id;
  const link = document.createElement("a");
  link.className = "mono net-link";
  link.href = partyHref(node.id);
  link.target = "_blank";
  link.rel = "noopener";
  link.textContent = node.id;
  const details = document.createElement("div");
  details.className = "muted net-details";
  details.textContent = tipLines(node, currency).filter((line, i) => i !== 1).join(" · ");
  const party = document.createElement("td");
  party.append(link, details);
  const hop = document.createElement("td");
  hop.className = "num";
  hop.textContent = String(node.hop);
  const score = document.createElement("td");
  score.className = "num";
  score.textContent = formatScore(node.score);
  row.append(party, hop, score);
  return row;
}

// The list an analyst tabs through: nearest first, then riskiest, then the most paid.
function byRelevance(a, b) {
  return a.hop - b.hop || (b.score ?? -1) - (a.score ?? -1) || (b.amount ?? 0) - (a.amount ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

// Labels keep LABEL_PX on screen; the minor ones appear once the analyst has zoomed in.
function keepLabelsReadable(cy, fitted) {
  const zoom = cy.zoom();
  cy.batch(() => {
    cy.nodes().style({ "font-size": LABEL_PX / zoom, "text-background-padding": 1 / zoom });
    cy.nodes(".minor").toggleClass("named", zoom >= fitted * MINOR_LABELS_AT);
  });
  declutter(cy);
}

// Which label wins a place: this party, then known and alerted parties (the den before its
// other collectors), then by hop and score.
function labelRank(a, b) {
  const key = (n) => [n.hasClass("focus") ? 0 : 1, n.hasClass("known") || n.data("alert") ? 0 : 1, n.data("hop"), -(n.data("score") ?? -1)];
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i += 1) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  return a.id() < b.id() ? -1 : 1;
}

// No label is drawn over another: a label that would cover a higher-ranked one moves above its
// node, else waits for the analyst to zoom in (its party stays in the list; hovering shows it).
function declutter(cy) {
  const margin = 3 / cy.zoom();
  cy.nodes(".crowded").removeClass("crowded");
  cy.nodes().style({ "text-valign": "bottom", "text-margin-y": margin });
  const placed = [];
  const overlaps = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
  const free = (node) => {
    const box = node.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
    return placed.some((other) => overlaps(box, other)) ? null : box;
  };
  const candidates = cy.nodes().filter((n) => !n.hasClass("filtered") && (!n.hasClass("minor") || n.hasClass("named")));
  for (const node of candidates.sort(labelRank)) {
    let box = free(node);
    if (!box) {
      node.style({ "text-valign": "top", "text-margin-y": -margin });
      box = free(node);
    }
    if (box) placed.push(box); else node.addClass("crowded");
  }
}

function wireZoom(cy, box, fitVisible) {
  const centre = () => ({ x: box.clientWidth / 2, y: box.clientHeight / 2 });
  const zoomBy = (factor) => cy.zoom({ level: cy.zoom() * factor, renderedPosition: centre() });
  document.getElementById("net-zoom-in")?.addEventListener("click", () => zoomBy(1.4));
  document.getElementById("net-zoom-out")?.addEventListener("click", () => zoomBy(1 / 1.4));
  document.getElementById("net-fit")?.addEventListener("click", fitVisible);
}

function wireFilters(cy, network, rows, note) {
  const hops = document.getElementById("net-hops");
  const minScore = document.getElementById("net-score");
  const deepest = Math.max(0, ...network.nodes.map((n) => n.hop));
  if (hops) {
    for (let hop = deepest; hop >= 1; hop -= 1) {
      hops.append(new Option(hop === 1 ? "direct counterparties" : `up to ${hop} hops`, String(hop)));
    }
  }
  const apply = () => {
    const maxHop = Number(hops?.value || deepest);
    const least = minScore?.value ? Number(minScore.value) : null;
    let shown = 0;
    for (const n of network.nodes) {
      const visible = n.focus || (n.hop <= maxHop && (least === null || (n.score ?? -1) >= least));
      cy.getElementById(n.id).toggleClass("filtered", !visible);
      rows.get(n.id).hidden = !visible;
      shown += visible ? 1 : 0;
    }
    const links = cy.edges().filter((e) => !e.source().hasClass("filtered") && !e.target().hasClass("filtered")).length;
    note.textContent = `${shown} of ${network.nodes.length} parties, ${links} payment links${network.truncated ? " (outer ring cut for readability)" : ""}`;
    document.getElementById("network").dataset.shown = String(shown);
  };
  hops?.addEventListener("change", apply);
  minScore?.addEventListener("change", apply);
  return apply;
}

// Hovering a node or focusing its link highlights it and shows its tooltip.
function wireTips(cy, network, rows, tip, currency) {
  const byId = new Map(network.nodes.map((n) => [n.id, n]));
  const highlight = (id, on) => {
    const ele = cy.getElementById(id);
    ele.toggleClass("hl", on);
    ele.connectedEdges().toggleClass("hl", on);
  };
  cy.on("mouseover", "node", (event) => {
    highlight(event.target.id(), true);
    showTip(tip, byId.get(event.target.id()), currency, event.target.renderedPosition());
  });
  cy.on("mouseout", "node", (event) => { highlight(event.target.id(), false); tip.hidden = true; });
  cy.on("pan zoom", () => { tip.hidden = true; });
  // Cytoscape sends no mouseout when the pointer leaves the canvas straight from a node.
  cy.container().addEventListener("mouseleave", () => {
    cy.elements(".hl").removeClass("hl");
    tip.hidden = true;
  });
  for (const [id, row] of rows) {
    const link = row.querySelector("a");
    link.addEventListener("focus", () => {
      highlight(id, true);
      const ele = cy.getElementById(id);
      if (!ele.hasClass("filtered")) showTip(tip, byId.get(id), currency, ele.renderedPosition());
    });
    link.addEventListener("blur", () => { highlight(id, false); tip.hidden = true; });
  }
  // A node opens its party page in a new tab, like the list's links. A finger has no hover:
  // its first tap shows the tooltip, a second tap on the same node opens it.
  let touched = null;
  cy.on("tap", "node", (event) => {
    const id = event.target.id();
    const finger = /^touch/.test(event.originalEvent?.type || "");
    if (finger && touched !== id) {
      touched = id;
      showTip(tip, byId.get(id), currency, event.target.renderedPosition(), "tap again to open it in a new tab");
      return;
    }
    touched = null;
    if (id !== network.party_id) window.open(partyHref(id), "_blank", "noopener");
  });
}

export function drawNetwork(network, currency) {
  const box = document.getElementById("network");
  if (!box) return;
  const tip = document.getElementById("net-tip");
  const body = document.getElementById("net-list-body");
  const nodes = [...network.nodes].sort(byRelevance);
  const rows = new Map(nodes.map((n) => [n.id, listRow(n, currency)]));
  body?.replaceChildren(...rows.values());
  const cy = cytoscape({ container: box, elements: elements(network), style: STYLE, layout: { name: "preset" } });
  runLayout(cy, network);
  const view = { fitted: 1 }; // the zoom of the last fit: minor labels appear relative to it
  const fitVisible = () => {
    cy.fit(cy.nodes().not(".filtered"), 24);
    view.fitted = cy.zoom();
    keepLabelsReadable(cy, view.fitted);
  };
  cy.fit(undefined, 24);
  view.fitted = cy.zoom();
  cy.minZoom(view.fitted / 3);
  cy.maxZoom(Math.max(view.fitted * 8, 2.5));
  keepLabelsReadable(cy, view.fitted);
  cy.on("zoom", () => keepLabelsReadable(cy, view.fitted));
  wireZoom(cy, box, fitVisible);
  const apply = wireFilters(cy, network, rows, document.getElementById("network-note"));
  apply();
  document.getElementById("net-hops")?.addEventListener("change", fitVisible);
  document.getElementById("net-score")?.addEventListener("change", fitVisible);
  wireTips(cy, network, rows, tip, currency);
  box.dataset.ready = "true";
  window.dentraceNetwork = cy; // for the browser tests and the console: positions, zoom
}
