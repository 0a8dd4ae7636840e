/* Draw every <canvas data-chart="id"> from the JSON block of that id (crm_archive/charts.py),
   with the vendored Chart.js. No inline script: the page only carries data. */
"use strict";

(function () {
  const PALETTE = ["#2f6690", "#d1495b", "#edae49", "#3a7d44", "#8e6c8a", "#00798c", "#9a8c98", "#6b705c"];

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    const round = spec.type === "pie" || spec.type === "doughnut";
    const datasets = spec.datasets.map((dataset, index) => ({
      label: dataset.label,
      data: dataset.data,
      backgroundColor: round ? spec.labels.map((_, i) => PALETTE[i % PALETTE.length]) : PALETTE[index % PALETTE.length],
      borderColor: round ? "#fff" : PALETTE[index % PALETTE.length],
      borderWidth: round ? 1 : 2,
      tension: 0.2,
    }));
    const chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: round || datasets.length > 1, position: "bottom" } },
        scales: round ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    canvas.dataset.drawn = String(chart.data.labels.length);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
