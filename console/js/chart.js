// Charts of use over time, drawn by uPlot (console/vendor/, docs/console.md "Third-party code"):
// rows of a usage report become one line per group value over the report's periods.

const kPalette = ['#1f5fa8', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

// From report rows: x = each period's start (Unix seconds, sorted), one series per key(row)
// holding value(row) in its periods and 0 where the report has no row (nothing held then).
export function seriesOf(rows, key, value) {
  const xs = [...new Set(rows.map((r) => r.from))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const byKey = new Map();
  for (const row of rows) {
    const name = key(row);
    if (!byKey.has(name)) byKey.set(name, new Array(xs.length).fill(0));
    byKey.get(name)[index.get(row.from)] += value(row);
  }
  return { xs, series: [...byKey.entries()].map(([label, values]) => ({ label, values })) };
}

// Draws into `node` (emptied first) and answers the uPlot instance; `title` is the y axis's
// label, `range` the report's [from, to] (Unix seconds), the x axis's extent even when few
// periods have rows. Text reaches uPlot only as labels, which it sets as text.
export function drawChart(node, { xs, series }, title, range, width = 900, height = 260) {
  node.replaceChildren();
  const shown = series.slice(0, kPalette.length);
  const options = {
    width,
    height,
    scales: { x: { time: true, range: () => range }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [{}, { label: title }],
    series: [
      {},
      ...shown.map((s, i) => ({
        label: s.label,
        stroke: kPalette[i],
        width: 2,
        points: { show: xs.length < 60, size: 6, fill: kPalette[i] },
      })),
    ],
  };
  // uPlot is the global the vendored IIFE build defines (index.html loads it before the modules).
  return new window.uPlot(options, [xs, ...shown.map((s) => s.values)], node);
}
