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
  // Levels as steps, so each change shows where it happened on the time axis.
  line(
    "levels",
    data.labels,
    data.levels.map((set) => ({ ...set, stepped: true })),
    { beginAtZero: false, ticks: { stepSize: 1 } },
  );
  const weekly = document.querySelector('[data-chart="weeks"]');
  if (weekly && data.weeks) {
    const sets = [
      { type: "bar", label: text("sessions", "sessions"), data: data.weeks.data,
        backgroundColor: palette[0] },
    ];
    if (data.weeks.planned) {
      sets.push({ type: "line", label: text("planned", "planned"),
        data: data.weeks.labels.map(() => data.weeks.planned), borderColor: palette[1],
        borderDash: [6, 4], pointRadius: 0 });
    }
    new window.Chart(weekly, {
      data: { labels: data.weeks.labels, datasets: sets },
      options: { animation: false, responsive: true, scales: { y: { beginAtZero: true } } },
    });
  }
})();
