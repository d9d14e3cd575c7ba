extension ConsoleScripts {
    /// `/console/lists.js`: what the user and item views share: the search box, a recommendation list as a table.
    static let lists = #"""
        // What the user and item views share: the search box and a recommendation list as a table.

        import { el, encode, format, headings, itemLink, link, time } from "./common.js";

        /** The search box of the user and item views, with the users worth a look (the demo's). */
        export function searchForm(kind, current, suggestions = []) {
          const input = el("input", { id: `${kind}-search`, name: kind, placeholder: `${kind} id`, value: current || "", list: `${kind}-suggestions` });
          return el("form", {
            class: "search", onsubmit: (event) => {
              event.preventDefault();
              if (input.value.trim()) location.hash = `#/${kind}/${encode(input.value.trim())}`;
            },
          }, input, el("button", { type: "submit" }, "Show"),
          el("datalist", { id: `${kind}-suggestions` }, suggestions.map((id) => el("option", { value: id }))),
          suggestions.length ? el("span", { class: "suggestions" }, "try ", suggestions.map((id) => [link(`#/${kind}/${encode(id)}`, id), " "])) : "");
        }

        export function entryName(entry) {
          return entry.itemId ? itemLink(entry.itemId) : entry.categoryId || entry.creatorId || "–";
        }

        export function listTable(list) {
          if (!list.items.length) return el("p", { class: "empty" }, "an empty list (nothing to recommend yet)");
          return el("table", { class: "list" },
            headings(["#", "id", "score", "source", "reason"], [2]),
            list.items.map((entry, index) =>
              el("tr", {}, el("td", {}, index + 1), el("td", { class: "entry" }, entryName(entry)),
                el("td", { class: "number" }, format(entry.score, 4)), el("td", {}, el("span", { class: `source ${entry.source}` }, entry.source)),
                el("td", {}, entry.reason))));
        }

        export function triggerText(trigger) {
          if (trigger.kind === "event") return `${trigger.behavior} ${trigger.itemId}`;
          if (trigger.kind === "window") return `window closed at ${time(trigger.windowEnd)}`;
          return trigger.kind;
        }
        """#
}
