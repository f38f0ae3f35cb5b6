// A live line chart (uPlot) over the last hour that fits its box, redraws every few
// seconds from getData(), and takes its colours from the page's light or dark scheme.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

const HEIGHT = 180;

function colour(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function options(width, series, bars) {
  const fg = colour('--muted');
  const grid = colour('--line');
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: HEIGHT,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    // Always the last hour, however few points there are yet.
    scales: { x: { time: true, range: () => [Date.now() / 1000 - 3630, Date.now() / 1000 + 30] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
    axes: [axis, { ...axis, size: 50 }],
    series: [{}, ...series.map((s) => ({
      label: s.label,
      stroke: colour(s.colour),
      fill: s.fill ? colour(s.fill) : undefined,
      width: 2,
      paths: bars ? uPlot.paths.bars({ size: [0.8, 20] }) : undefined,
      points: { show: (u) => u.data[0].length < 3 },
      value: (u, v) => (v === null || v === undefined ? '—' : String(Math.round(v * 10) / 10)),
    }))],
  };
}

export function Chart({ label, series, getData, bars = false, every = 5000 }) {
  const box = useRef(null);
  useEffect(() => {
    let plot = null;
    const build = () => {
      if (plot) plot.destroy();
      const width = Math.max(200, box.current.clientWidth);
      plot = new uPlot(options(width, series, bars), getData(), box.current);
    };
    build();
    const timer = setInterval(() => plot.setData(getData()), every);
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, box.current.clientWidth);
      if (plot && Math.abs(plot.width - width) > 4) plot.setSize({ width, height: HEIGHT });
    });
    resize.observe(box.current);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', build);
    return () => {
      clearInterval(timer);
      resize.disconnect();
      scheme.removeEventListener('change', build);
      plot.destroy();
    };
  }, []);
  return html`<figure class="chart"><figcaption>${label}</figcaption><div ref=${box} role="img" aria-label=${label}></div></figure>`;
}
