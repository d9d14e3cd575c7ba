extension ConsoleScripts {
    /// `/console/item.js`: the Item view.
    static let item = #"""
        // Item: the item-table row (popularity, trend of the last 10-minute window), similar items, neighbours, complements.

        import { $, el, encode, every, format, getJSON, itemLink, REFRESH_MS, time } from "./common.js";
        import { listTable, searchForm } from "./lists.js";

        export default async function item(root, itemId) {
          root.append(el("section", { id: "item" }, searchForm("item", itemId)));
          if (!itemId) return () => {};
          const body = el("div", {});
          $("#item").append(el("h2", {}, "Item ", el("span", { id: "item-id" }, itemId)), body);
          return every(3 * REFRESH_MS, async () => {
            const [features, similar] = await Promise.all([
              getJSON(`/v1/items/${encode(itemId)}/features`), getJSON(`/v1/items/${encode(itemId)}/similar?n=20`)]);
            if (!features.ok) {
              body.replaceChildren(el("p", { class: "empty" }, features.body.error || `answered ${features.status}`));
              return;
            }
            const row = features.body;
            const related = (entries) => entries.length
              ? el("table", {}, entries.map((entry) => el("tr", {}, el("td", {}, itemLink(entry.itemId)), el("td", { class: "number" }, format(entry.score, 4)))))
              : el("p", { class: "empty" }, "none yet");
            body.replaceChildren(
              el("table", { id: "item-features" },
                [["category", row.categoryId || "–"], ["creator", row.creatorId || "–"], ["score", format(row.score, 2)],
                  ["recent score (decayed)", format(row.recentScore, 3)], ["trend (last 10-min window)", format(row.trend, 3)],
                  ["trend window end", time(row.trendWindowEnd)], ["updated", time(row.updatedAt)]]
                  .map(([name, value]) => el("tr", {}, el("th", {}, name), el("td", {}, value)))),
              el("div", { class: "columns" },
                el("div", {}, el("h3", {}, "Similar items"), similar.ok ? listTable(similar.body) : el("p", {}, similar.body.error)),
                el("div", {}, el("h3", {}, "Neighbours (co-occurrence)"), related(row.neighbours)),
                el("div", {}, el("h3", {}, "Complements (bought with)"), related(row.complements))));
          });
        }
        """#
}
