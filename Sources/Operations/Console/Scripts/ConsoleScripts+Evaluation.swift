extension ConsoleScripts {
    /// `/console/evaluation.js`: the Evaluation view.
    static let evaluation = #"""
        // Evaluation: the `streamrec evaluate` report and chart the worker was started with (--evaluation-report).

        import { el, format, getJSON, headings } from "./common.js";

        export default async function evaluation(root) {
          const info = (await getJSON("/console/info")).body;
          const section = el("section", { id: "evaluation" });
          root.append(section);
          if (!info.evaluation.report && !info.evaluation.plot) {
            section.append(el("p", { class: "empty" }, "No evaluation report: start the worker with --evaluation-report FILE.json (and FILE.svg) from `streamrec evaluate`."));
            return () => {};
          }
          if (info.evaluation.report) {
            const report = await getJSON("/console/evaluation.json");
            if (!report.ok) throw new Error(report.body.error || `answered ${report.status}`);
            const data = report.body;
            const rows = (metrics) => Object.entries(metrics).sort(([, a], [, b]) => b.hitRate - a.hitRate).map(([strategy, value]) =>
              el("tr", { "data-strategy": strategy }, el("td", {}, strategy), el("td", { class: "number" }, format(value.points)),
                el("td", { class: "number" }, format(value.hitRate, 4)), el("td", { class: "number" }, format(value.ndcg, 4)),
                el("td", { class: "number" }, format(value.mrr, 4)), el("td", { class: "number" }, format(value.coverage, 4))));
            const heading = headings(["strategy", "points", `HR@${data.listLength}`, `NDCG@${data.listLength}`, `MRR@${data.listLength}`, "coverage"], [1, 2, 3, 4, 5]);
            section.append(
              el("p", {}, `${format(data.events)} events of ${format(data.users)} users, ${format(data.evaluationPoints)} points (${format(data.coldStartPoints)} first interactions), targets ${data.targets.join(", ")}${data.input ? `, input ${data.input}` : ""}`),
              el("h3", {}, "Overall"), el("table", { id: "evaluation-overall" }, heading, rows(data.overall)),
              el("h3", {}, "First interactions (cold start)"), el("table", {}, heading.cloneNode(true), rows(data.coldStart)));
          }
          if (info.evaluation.plot) section.append(el("h3", {}, "Hit rate over time"), el("img", { id: "evaluation-plot", src: "/console/evaluation.svg", alt: "hit rate over time" }));
          return () => {};
        }
        """#
}
