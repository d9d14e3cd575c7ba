extension ConsoleScripts {
    /// `/console/common.js`: helpers every view uses: DOM from data, formatting, fetching, polling, the status line.
    static let common = #"""
        // Helpers every view uses: building DOM from data, formatting, fetching, polling, the status line.

        export const REFRESH_MS = 1000;

        /** An element with attributes and children (strings become text nodes: data never becomes markup). */
        export function el(tag, attributes = {}, ...children) {
          const node = document.createElement(tag);
          for (const [name, value] of Object.entries(attributes)) {
            if (value === undefined || value === null || value === false) continue;
            if (name === "onclick" || name === "onsubmit") node.addEventListener(name.slice(2), value);
            else if (name === "style") node.style.cssText = value; // CSSOM: allowed by the page's CSP, unlike the attribute
            else node.setAttribute(name, value === true ? "" : String(value));
          }
          for (const child of children.flat(Infinity)) {
            if (child === undefined || child === null) continue;
            node.append(child instanceof Node ? child : document.createTextNode(String(child)));
          }
          return node;
        }

        export const $ = (selector, root = document) => root.querySelector(selector);
        /** Replaces a node's children with these (arrays of them flattened, as `el` does). */
        export const fill = (node, ...children) => node.replaceChildren(...children.flat(Infinity));
        export const format = (value, digits = 0) =>
          Number.isFinite(value) ? value.toLocaleString("en-US", { maximumFractionDigits: digits }) : "–";
        export const time = (ms) => (ms ? new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "–");
        export const encode = encodeURIComponent;

        export async function getJSON(path) {
          const response = await fetch(path, { cache: "no-store" });
          const body = await response.json().catch(() => ({}));
          return { ok: response.ok, status: response.status, body, response };
        }

        /** Where an answer really came from: the owner's host after a 307, else this instance. */
        export function servedBy(response) {
          return new URL(response.url).host;
        }

        /** A table's heading row; the columns at `numeric` are right-aligned, as their cells. */
        export function headings(names, numeric = []) {
          return el("tr", {}, names.map((name, index) => el("th", { class: numeric.includes(index) ? "number" : null }, name)));
        }

        /** A link into the console. */
        export function link(hash, text) {
          return el("a", { href: hash }, text);
        }

        export function itemLink(id) {
          return id ? link(`#/item/${encode(id)}`, id) : "–";
        }

        /** Calls `tick` now and every `ms` until stopped; a failed tick shows in the status line (under `source`, so
         *  another poller's success does not hide it) and is retried. */
        export function every(ms, tick, source = "view") {
          let timer = null;
          let stopped = false;
          const run = async () => {
            try {
              await tick();
              setStatus(source, "");
            } catch (error) {
              setStatus(source, String(error.message || error));
            }
            if (!stopped) timer = setTimeout(run, ms);
          };
          run();
          return () => {
            stopped = true;
            clearTimeout(timer);
            setStatus(source, "");
          };
        }

        /** Problems by where they come from (the header's poll, the view); the status line shows them all. */
        const problems = new Map();

        export function setStatus(source, text) {
          if (text) problems.set(source, text);
          else problems.delete(source);
          const status = $("#status");
          status.textContent = [...problems.values()].join(" · ");
          status.hidden = problems.size === 0;
        }
        """#
}
