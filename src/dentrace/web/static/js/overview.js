// Overview charts: alerted payments per month, top corridors, amount bands against all payments.
import { PALETTE, pageData } from "/static/js/api.js";

const data = pageData("overview-data");
const Chart = window.Chart;
const common = { animation: false, maintainAspectRatio: false, plugins: { legend: { position: "bottom", labels: { boxWidth: 10 } } } };

function chart(id, config) {
  const canvas = document.getElementById(id);
  if (canvas && Chart) new Chart(canvas, config);
}

chart("chart-time", {
  type: "bar",
  data: {
    labels: data.over_time.map((m) => m.month),
    datasets: [
      { label: "payments", data: data.over_time.map((m) => m.payments), backgroundColor: PALETTE[0] },
      { label: "distinct payers", data: data.over_time.map((m) => m.payers), backgroundColor: PALETTE[3], type: "line", borderColor: PALETTE[3], yAxisID: "y" },
    ],
  },
  options: { ...common, scales: { y: { beginAtZero: true } } },
});

chart("chart-corridors", {
  type: "bar",
  data: {
    labels: data.corridors.map((c) => c.corridor),
    datasets: [{ label: "payments", data: data.corridors.map((c) => c.payments), backgroundColor: PALETTE[1] }],
  },
  options: { ...common, indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
});

const share = (rows, key) => {
  const total = rows.reduce((sum, row) => sum + row[key], 0) || 1;
  return rows.map((row) => Math.round((1000 * row[key]) / total) / 10);
};
chart("chart-amounts", {
  type: "bar",
  data: {
    labels: data.amounts.map((a) => a.band),
    datasets: [
      { label: "% of flagged payments", data: share(data.amounts, "alerted"), backgroundColor: PALETTE[1] },
      { label: "% of all payments", data: share(data.amounts, "all"), backgroundColor: "#9fb3c8" },
    ],
  },
  options: { ...common, scales: { y: { beginAtZero: true, title: { display: true, text: "% of payments" } }, x: { title: { display: true, text: `amount (${data.reporting_currency})` } } } },
});
