// atgrant: the allocation list's bar chart. Data comes from a json_script element (not
// executable), named by the canvas's data-chart-source; the table on the page is the
// accessible alternative (the canvas's aria-describedby points at it).
"use strict";
(function () {
  // As the pages write kronor (atgrant_format.kr): grouped by a no-break space, then "kr".
  function kronor(value) {
    return new Intl.NumberFormat("sv-SE", { maximumFractionDigits: 0 }).format(value) + "\u00a0kr";
  }

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chartSource);
    if (!source || typeof Chart === "undefined") { return; }
    const data = JSON.parse(source.textContent);
    // About two bars' height per region, so 4 regions and 21 regions both read well.
    // (Setting a style property from a script file is allowed by the CSP; inline styles are not.)
    canvas.parentNode.style.height = (data.labels.length * 2.2 + 5) + "rem";
    const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    // Colours with enough contrast against white and against each other.
    const colours = ["#1f4e79", "#c55a11"];
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, index) {
          return { label: set.label, data: set.data, backgroundColor: colours[index % colours.length] };
        }),
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: reduceMotion ? false : undefined,
        scales: {
          x: { stacked: true, ticks: { callback: function (value) { return kronor(value); } } },
          y: { stacked: true },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (context) { return context.dataset.label + ": " + kronor(context.parsed.x); },
            },
          },
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
})();
