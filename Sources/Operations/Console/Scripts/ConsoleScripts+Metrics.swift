extension ConsoleScripts {
    /// `/console/metrics.js`: `/metrics` (Prometheus text) parsed in the page, and the charts drawn from it.
    static let metrics = #"""
        // The worker's /metrics (Prometheus text) read in the page, and the charts drawn from it.

        import { el, format } from "./common.js";

        export const HISTORY_POINTS = 120;

        /** Samples by metric name: [{labels, value}] (the text format's comments and types are skipped). */
        export function parseMetrics(text) {
          const samples = new Map();
          for (const line of text.split("\n")) {
            if (!line || line.startsWith("#")) continue;
            const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
            if (!match) continue;
            const labels = {};
            for (const pair of (match[3] || "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
              labels[pair[1]] = pair[2].replace(/\\(.)/g, "$1");
            }
            if (!samples.has(match[1])) samples.set(match[1], []);
            samples.get(match[1]).push({ labels, value: Number(match[4]) });
          }
          return samples;
        }

        /** The sum of a metric's samples whose labels match `where` (0 when absent). */
        export function sum(samples, name, where = {}) {
          return (samples.get(name) || [])
            .filter((sample) => Object.entries(where).every(([key, value]) => sample.labels[key] === value))
            .reduce((total, sample) => total + sample.value, 0);
        }

        export async function scrape() {
          const response = await fetch("/metrics", { cache: "no-store" });
          if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
          return { at: performance.now(), samples: parseMetrics(await response.text()) };
        }

        // ---- charts ---------------------------------------------------------------------------------------------------

        /** A line chart of the last values, as inline SVG (no canvas, no library). */
        export function sparkline(values, unit) {
          const width = 320, height = 80;
          const finite = values.filter(Number.isFinite);
          const top = Math.max(1, ...finite);
          const step = width / Math.max(1, HISTORY_POINTS - 1);
          const offset = HISTORY_POINTS - values.length;
          const points = values
            .map((value, index) => `${((offset + index) * step).toFixed(1)},${(height - (value / top) * (height - 4)).toFixed(1)}`)
            .join(" ");
          const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
          svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
          svg.setAttribute("class", "sparkline");
          svg.setAttribute("preserveAspectRatio", "none"); // time runs across the whole width
          const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
          line.setAttribute("points", points);
          svg.append(line);
          return el("figure", {}, svg, el("figcaption", {}, `max ${format(top, 1)} ${unit}`));
        }
        """#
}
