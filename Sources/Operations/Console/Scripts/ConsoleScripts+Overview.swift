extension ConsoleScripts {
    /// `/console/overview.js`: the Overview view.
    static let overview = #"""
        // Overview: throughput, checkpoints, aborts, dead letters, late events, lag per partition — from /metrics, every second.

        import { $, el, every, fill, format, headings, REFRESH_MS } from "./common.js";
        import { HISTORY_POINTS, scrape, sparkline, sum } from "./metrics.js";

        function tile(id, label) {
          return el("div", { class: "tile" }, el("span", { class: "label" }, label), el("span", { class: "value", id }, "–"));
        }

        function setValue(id, value, digits = 0, suffix = "") {
          const node = document.getElementById(id);
          if (!node) return;
          node.dataset.value = String(value);
          node.textContent = format(value, digits) + suffix;
        }

        export default function overview(root) {
          const tiles = [
            ["events-rate", "events/s"], ["events-total", "events processed"], ["recommendations-total", "feeds sent"],
            ["records-out", "records out"], ["checkpoints-total", "checkpoints"], ["checkpoint-rate", "checkpoints/s"],
            ["checkpoint-ms", "checkpoint ms (last interval)"], ["checkpoint-ms-mean", "checkpoint ms (mean)"],
            ["aborts-total", "checkpoints aborted"], ["dlq-total", "dead letters (DLQ)"], ["late-total", "late events"],
            ["lag-total", "consumer lag (records)"], ["queued", "queued records"], ["paused", "paused partitions"],
            ["assigned", "assigned partitions"], ["users", "users in state"], ["items", "items in state"],
            ["freshness", "event → list age (s, mean)"], ["restored", "tasks restored"],
            ["restore-ms", "restoring (ms, total)"], ["changelog", "changelog records"],
          ];
          root.append(
            el("section", { id: "overview" },
              el("div", { class: "tiles" }, tiles.map(([id, label]) => tile(id, label))),
              el("div", { class: "charts" },
                el("div", { class: "chart" }, el("h3", {}, "Throughput (events/s)"), el("div", { id: "chart-events" })),
                el("div", { class: "chart" }, el("h3", {}, "Checkpoint duration (ms)"), el("div", { id: "chart-checkpoint" }))),
              el("div", { class: "columns" },
                el("div", {}, el("h3", {}, "Consumer lag per partition"), el("table", { id: "lag" })),
                el("div", {}, el("h3", {}, "Dead letters by class"), el("table", { id: "dlq" })))));
          const history = { events: [], checkpoint: [] };
          let previous = null;
          let scrapes = 0;
          return every(REFRESH_MS, async () => {
            const now = await scrape();
            const value = (name, where) => sum(now.samples, name, where);
            const events = value("streamrec_events_processed_total");
            const commits = value("streamrec_commits_total");
            const commitMs = value("streamrec_commit_milliseconds_total");
            setValue("events-total", events);
            setValue("recommendations-total", value("streamrec_recommendations_total"));
            setValue("records-out", value("streamrec_records_out_total"));
            setValue("checkpoints-total", commits);
            setValue("checkpoint-ms-mean", commits ? commitMs / commits : 0, 1);
            setValue("aborts-total", value("streamrec_checkpoints_aborted_total"));
            setValue("dlq-total", value("streamrec_dead_letters_total"));
            setValue("late-total", value("streamrec_late_events_total"));
            setValue("queued", value("streamrec_queued_records"));
            setValue("paused", value("streamrec_paused_partitions"));
            setValue("assigned", value("streamrec_assigned_partitions"));
            setValue("users", value("streamrec_state_keys_users"));
            setValue("items", value("streamrec_state_keys_items"));
            setValue("restored", value("streamrec_tasks_restored_total"));
            setValue("restore-ms", value("streamrec_restore_milliseconds_total"));
            setValue("changelog", value("streamrec_changelog_records_total"));
            const ages = value("streamrec_recommendation_event_age_seconds_count");
            setValue("freshness", ages ? value("streamrec_recommendation_event_age_seconds_sum") / ages : 0, 2);
            if (previous) {
              const seconds = (now.at - previous.at) / 1000;
              const rate = (events - previous.events) / seconds;
              const interval = commits - previous.commits;
              const intervalMs = interval > 0 ? (commitMs - previous.commitMs) / interval : 0;
              setValue("events-rate", rate, 0);
              setValue("checkpoint-rate", interval / seconds, 2);
              setValue("checkpoint-ms", intervalMs, 1);
              history.events = [...history.events, rate].slice(-HISTORY_POINTS);
              history.checkpoint = [...history.checkpoint, intervalMs].slice(-HISTORY_POINTS);
              $("#chart-events").replaceChildren(sparkline(history.events, "events/s"));
              $("#chart-checkpoint").replaceChildren(sparkline(history.checkpoint, "ms"));
            }
            previous = { at: now.at, events, commits, commitMs };
            const lag = (now.samples.get("streamrec_consumer_lag_records") || [])
              .sort((a, b) => a.labels.topic.localeCompare(b.labels.topic) || a.labels.partition - b.labels.partition);
            const top = Math.max(1, ...lag.map((sample) => sample.value));
            setValue("lag-total", lag.reduce((total, sample) => total + sample.value, 0));
            fill($("#lag"), 
              headings(["topic", "partition", "lag", ""], [2]),
              lag.map((sample) =>
                el("tr", { "data-topic": sample.labels.topic, "data-partition": sample.labels.partition },
                  el("td", {}, sample.labels.topic), el("td", {}, sample.labels.partition),
                  el("td", { class: "number" }, format(sample.value)),
                  el("td", {}, el("span", { class: "bar", style: `width:${(100 * sample.value) / top}%` })))));
            const letters = (now.samples.get("streamrec_dead_letters_total") || []).filter((sample) => sample.value > 0);
            fill($("#dlq"), 
              headings(["class", "records"], [1]),
              letters.length
                ? letters.map((sample) => el("tr", {}, el("td", {}, sample.labels.reason), el("td", { class: "number" }, format(sample.value))))
                : el("tr", {}, el("td", { colspan: 2 }, "none")));
            scrapes += 1;
            $("#overview").dataset.scrapes = String(scrapes);
          });
        }
        """#
}
