// The analytics page's charts (templates/scheduler/analytics.html), drawn with
// Chart.js from the numbers the page passes in <script id="analytics-data">
// (json_script: no inline script, as the content security policy wants). The
// same numbers are in the table under each chart; without Chart.js the tables stay.
(function () {
  "use strict";
  const source = document.getElementById("analytics-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const Chart = window.Chart;
  const brand = "#4f46e5";
  const teal = "#0e9384";
  const amber = "#f79009";
  const small = window.matchMedia("(max-width: 640px)").matches;

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#475467";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;

  const labels = data.labels.map(function (iso) {
    const [y, m, d] = iso.split("-").map(Number);
    return new Date(y, m - 1, d).toLocaleDateString(document.documentElement.lang || undefined, {
      month: "short",
      day: "numeric",
    });
  });
  const xAxis = { grid: { display: false }, ticks: { maxTicksLimit: small ? 5 : 10, maxRotation: 0 } };
  const legend = { position: "bottom", labels: { boxWidth: 12 } };

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  draw("chart-engagement", {
    type: "line",
    data: {
      labels: labels,
      datasets: [
        {
          label: data.names.engagement,
          data: data.series.engagement,
          borderColor: brand,
          backgroundColor: "rgba(79, 70, 229, 0.12)",
          fill: true,
          cubicInterpolationMode: "monotone",
          yAxisID: "y",
        },
        {
          label: data.names.impressions,
          data: data.series.impressions,
          borderColor: teal,
          backgroundColor: teal,
          borderDash: [5, 4],
          cubicInterpolationMode: "monotone",
          spanGaps: true,
          yAxisID: "y1",
        },
      ],
    },
    options: {
      interaction: { mode: "index", intersect: false },
      plugins: { legend: legend },
      scales: {
        x: xAxis,
        y: { beginAtZero: true, title: { display: !small, text: data.names.engagement } },
        y1: {
          beginAtZero: true,
          position: "right",
          grid: { drawOnChartArea: false },
          title: { display: !small, text: data.names.impressions },
        },
      },
    },
  });

  draw("chart-clicks", {
    type: "bar",
    data: {
      labels: labels,
      datasets: [{ label: data.names.clicks, data: data.series.clicks, backgroundColor: amber, borderRadius: 3 }],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { x: xAxis, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });

  draw("chart-followers", {
    type: "line",
    data: {
      labels: labels,
      datasets: [
        {
          label: data.names.followers,
          data: data.series.followers,
          borderColor: teal,
          backgroundColor: "rgba(14, 147, 132, 0.12)",
          fill: true,
          cubicInterpolationMode: "monotone",
          spanGaps: true,
        },
      ],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { x: xAxis, y: { ticks: { precision: 0 } } },
    },
  });
})();
