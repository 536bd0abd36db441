// History charts from the JSON the page embeds (no inline script, CSP-friendly).
(function () {
  "use strict";
  const source = document.getElementById("history-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const palette = ["#1f5f5b", "#b45309", "#9f1239", "#1d4ed8", "#4d7c0f", "#6d28d9"];
  const scale = { min: 0, max: 10, ticks: { stepSize: 2 } };

  function line(name, labels, datasets, yScale) {
    const canvas = document.querySelector(`[data-chart="${name}"]`);
    if (!canvas) return;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels,
        datasets: datasets.map((set, i) => ({
          borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length],
          spanGaps: true,
          tension: 0.2,
          ...set,
        })),
      },
      options: { animation: false, responsive: true, scales: { y: yScale || { beginAtZero: true } } },
    });
  }

  const text = (key, fallback) => (data.text && data.text[key]) || fallback;
  line("pain", data.labels, [
    { label: text("before", "before"), data: data.pain_before },
    { label: text("during", "during (worst)"), data: data.pain_during },
    { label: text("after", "after"), data: data.pain_after },
  ], scale);
  line("effort", data.labels, [{ label: text("effort", "effort"), data: data.effort }], scale);
  line("holds", data.labels, data.holds);
  line("morning", data.labels, [
    { label: text("morning", "morning pain"), data: data.morning_pain },
    { label: text("usual", "usual pain"), data: data.labels.map(() => data.baseline), borderDash: [6, 4], pointRadius: 0 },
  ], scale);
  line("psfs", data.psfs.labels, [{ label: text("psfs", "PSFS"), data: data.psfs.data }], scale);
})();
