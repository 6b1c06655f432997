// A survey's results, live: on `survey.answered` for this survey the page re-reads its
// summary region (the table is the truth; each chart is drawn from the table beside it,
// so a screen reader and a sighted reader see the same figures).
import { announce } from "./announce.js";
import { replaceFromServer } from "./regions.js";

const root = document.querySelector("[data-survey-results]");
const surveyId = Number(root?.dataset.surveyResults || 0);
const charts = [];

function draw() {
  while (charts.length) charts.pop().destroy();
  if (!window.Chart) return;
  for (const section of document.querySelectorAll("[data-summary]")) {
    const canvas = section.querySelector("canvas");
    const table = section.querySelector("[data-chart-table]");
    if (!canvas || !table) continue;
    const rows = [...table.querySelectorAll("tbody tr")];
    charts.push(
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: rows.map((row) => row.querySelector("th").textContent.trim()),
          datasets: [{
            label: table.querySelector("thead th:last-child").textContent.trim(),
            data: rows.map((row) => Number(row.querySelector("td").textContent)),
            backgroundColor: "#1f5f8b",
          }],
        },
        options: {
          animation: false,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        },
      }),
    );
  }
}

let timer = null;
document.addEventListener("tandem:survey.answered", (event) => {
  if (!surveyId || event.detail.survey_id !== surveyId) return;
  if (timer) return; // a burst of answers costs one request
  timer = setTimeout(async () => {
    timer = null;
    try {
      await replaceFromServer(['[data-region="survey-summary"]']);
      draw();
      const line = document.querySelector("[data-responses]");
      if (line) announce(line.textContent.trim());
    } catch (err) {
      console.warn("survey results refresh failed", err);
    }
  }, 150);
});

// The chart library loads deferred; the module runs after it.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", draw);
} else {
  draw();
}
