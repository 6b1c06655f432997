// «Statistiques»: one Chart.js chart per section, from the figures the page carries as
// JSON (json_script: the Content-Security-Policy forbids inline scripts). Month labels and
// series names come translated from the server; numbers are formatted in the page's
// language by Chart.js (its `locale` option, Intl.NumberFormat). Each canvas has its name
// and description in the page, and the same figures in the table after it.
const data = JSON.parse(document.getElementById("statistics-data")?.textContent || "{}");
const locale = document.documentElement.lang || undefined;
const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function draw(canvas, chart) {
  const integers = chart.series.every((s) => s.values.every(Number.isInteger));
  return new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: chart.series.map((s) => ({
        type: s.kind,
        label: s.label,
        data: s.values,
        backgroundColor: s.colour,
        borderColor: s.colour,
        borderWidth: s.kind === "line" ? 2 : 0,
        pointRadius: s.kind === "line" ? 3 : 0,
        // Lines drawn over the bars of the same chart.
        order: s.kind === "line" ? 0 : 1,
      })),
    },
    options: {
      locale,
      animation: still ? false : { duration: 300 },
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { beginAtZero: true, ticks: integers ? { precision: 0 } : {} },
      },
      plugins: { legend: { position: "bottom" } },
    },
  });
}

if (window.Chart) {
  // The page's own text colour and font (Chart.js's default grey is smaller and paler).
  const style = getComputedStyle(document.body);
  window.Chart.defaults.color = style.color;
  window.Chart.defaults.font.family = style.fontFamily;
  window.Chart.defaults.font.size = 13;
  for (const chart of data.charts || []) {
    const canvas = document.querySelector(`canvas[data-chart="${chart.key}"]`);
    if (canvas) canvas.dataset.drawn = draw(canvas, chart) ? "true" : "false";
  }
}
