extension ConsoleScripts {
    /// `/console/models.js`: the Models view.
    static let models = #"""
        // Models: active and canary versions from /v1/models, each version's lists and hits from /metrics.

        import { $, el, every, fill, format, getJSON, headings, REFRESH_MS, time } from "./common.js";
        import { scrape, sum } from "./metrics.js";

        export default function models(root) {
          root.append(el("section", { id: "models" }, el("div", { id: "model-summary" }), el("table", { id: "model-versions" })));
          return every(2 * REFRESH_MS, async () => {
            const [models, metrics] = await Promise.all([getJSON("/v1/models"), scrape()]);
            if (!models.ok) throw new Error(`/v1/models answered ${models.status}`);
            const registry = models.body;
            const counted = (name, version) => sum(metrics.samples, name, { version });
            const names = new Set([
              ...registry.versions.map((version) => version.version),
              ...(metrics.samples.get("streamrec_model_lists_total") || []).map((sample) => sample.labels.version),
            ]);
            const described = new Map(registry.versions.map((version) => [version.version, version]));
            fill($("#model-summary"), 
              el("p", {}, "active ", el("b", { id: "model-active" }, registry.active || "blend"),
                " · canary ", el("b", { id: "model-canary" }, registry.canary || "none"),
                ` (${format(registry.canaryShare * 100, 1)} % of users)`, registry.pinned ? " · pinned by an operator" : "",
                registry.history.length ? ` · activated so far: ${registry.history.join(" → ")}` : ""));
            fill($("#model-versions"), 
              headings(["version", "role", "created", "examples trained", "log loss", "AUC", "lists", "hits", "hit rate"],
                [3, 4, 5, 6, 7, 8]),
              [...names].sort().map((name) => {
                const version = described.get(name) || {};
                const lists = counted("streamrec_model_lists_total", name);
                const hits = counted("streamrec_model_hits_total", name);
                const role = name === (registry.active || "blend") ? "active" : name === registry.canary ? "canary" : "";
                return el("tr", { "data-version": name, class: role },
                  el("td", {}, name), el("td", {}, role), el("td", {}, time(version.createdAt)),
                  el("td", { class: "number" }, format(version.trainedExamples)),
                  el("td", { class: "number" }, format(version.logLoss, 4)), el("td", { class: "number" }, format(version.auc, 4)),
                  el("td", { class: "number", "data-lists": lists }, format(lists)),
                  el("td", { class: "number", "data-hits": hits }, format(hits)),
                  el("td", { class: "number" }, lists ? format((100 * hits) / lists, 2) + " %" : "–"));
              }));
          });
        }
        """#
}
