/// The console's script (plain JavaScript, served as it is at `/console/app.js`): hash-routed views over `/metrics`,
/// `/v1` and `/console/info`; the user view follows the SSE stream, the others poll.
enum ConsoleScript {
    static let source = #"""
        "use strict";
        // StreamRec console: hash-routed views over the worker's own endpoints (/metrics, /v1, /console/info). No framework,
        // no build step: the worker serves this file as it is.

        const REFRESH_MS = 1000;
        const HISTORY_POINTS = 120;
        const SURFACES = ["personalized", "cart", "topics", "creators"];

        // ---- small helpers --------------------------------------------------------------------------------------------

        /** An element with attributes and children (strings become text nodes: data never becomes markup). */
        function el(tag, attributes = {}, ...children) {
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

        const $ = (selector, root = document) => root.querySelector(selector);
        /** Replaces a node's children with these (arrays of them flattened, as `el` does). */
        const fill = (node, ...children) => node.replaceChildren(...children.flat(Infinity));
        const format = (value, digits = 0) =>
          Number.isFinite(value) ? value.toLocaleString("en-US", { maximumFractionDigits: digits }) : "–";
        const time = (ms) => (ms ? new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "–");
        const encode = encodeURIComponent;

        async function getJSON(path) {
          const response = await fetch(path, { cache: "no-store" });
          const body = await response.json().catch(() => ({}));
          return { ok: response.ok, status: response.status, body, response };
        }

        /** Where an answer really came from: the owner's host after a 307, else this instance. */
        function servedBy(response) {
          return new URL(response.url).host;
        }

        /** A table's heading row; the columns at `numeric` are right-aligned, as their cells. */
        function headings(names, numeric = []) {
          return el("tr", {}, names.map((name, index) => el("th", { class: numeric.includes(index) ? "number" : null }, name)));
        }

        /** A link into the console. */
        function link(hash, text) {
          return el("a", { href: hash }, text);
        }

        function itemLink(id) {
          return id ? link(`#/item/${encode(id)}`, id) : "–";
        }

        // ---- Prometheus text ------------------------------------------------------------------------------------------

        /** Samples by metric name: [{labels, value}] (the text format's comments and types are skipped). */
        function parseMetrics(text) {
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
        function sum(samples, name, where = {}) {
          return (samples.get(name) || [])
            .filter((sample) => Object.entries(where).every(([key, value]) => sample.labels[key] === value))
            .reduce((total, sample) => total + sample.value, 0);
        }

        async function scrape() {
          const response = await fetch("/metrics", { cache: "no-store" });
          if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
          return { at: performance.now(), samples: parseMetrics(await response.text()) };
        }

        // ---- charts ---------------------------------------------------------------------------------------------------

        /** A line chart of the last values, as inline SVG (no canvas, no library). */
        function sparkline(values, unit) {
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
          const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
          line.setAttribute("points", points);
          svg.append(line);
          return el("figure", {}, svg, el("figcaption", {}, `max ${format(top, 1)} ${unit}`));
        }

        // ---- views ----------------------------------------------------------------------------------------------------

        /** Each view renders into `root` and returns a function that stops its timers and streams. */
        const views = {};

        /** Calls `tick` now and every `ms` until stopped; a failed tick shows in the status line (under `source`, so
         *  another poller's success does not hide it) and is retried. */
        function every(ms, tick, source = "view") {
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

        function setStatus(source, text) {
          if (text) problems.set(source, text);
          else problems.delete(source);
          const status = $("#status");
          status.textContent = [...problems.values()].join(" · ");
          status.hidden = problems.size === 0;
        }

        function tile(id, label) {
          return el("div", { class: "tile" }, el("span", { class: "label" }, label), el("span", { class: "value", id }, "–"));
        }

        function setValue(id, value, digits = 0, suffix = "") {
          const node = document.getElementById(id);
          if (!node) return;
          node.dataset.value = String(value);
          node.textContent = format(value, digits) + suffix;
        }

        views.overview = (root) => {
          const tiles = [
            ["events-rate", "events/s"], ["events-total", "events processed"], ["recommendations-total", "feeds sent"],
            ["records-out", "records out"], ["checkpoints-total", "checkpoints"], ["checkpoint-rate", "checkpoints/s"],
            ["checkpoint-ms", "checkpoint ms (last interval)"], ["checkpoint-ms-mean", "checkpoint ms (mean)"],
            ["aborts-total", "checkpoints aborted"], ["dlq-total", "dead letters (DLQ)"], ["late-total", "late events"],
            ["lag-total", "consumer lag (records)"], ["queued", "queued records"], ["paused", "paused partitions"],
            ["assigned", "assigned partitions"], ["users", "users in state"], ["items", "items in state"],
            ["freshness", "event → list age (s, mean)"],
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
        };

        views.models = (root) => {
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
        };

        /** The search box of the user and item views, with the users worth a look (the demo's). */
        function searchForm(kind, current, suggestions = []) {
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

        function entryName(entry) {
          return entry.itemId ? itemLink(entry.itemId) : entry.categoryId || entry.creatorId || "–";
        }

        function listTable(list) {
          if (!list.items.length) return el("p", { class: "empty" }, "an empty list (nothing to recommend yet)");
          return el("table", { class: "list" },
            headings(["#", "id", "score", "source", "reason"], [2]),
            list.items.map((entry, index) =>
              el("tr", {}, el("td", {}, index + 1), el("td", { class: "entry" }, entryName(entry)),
                el("td", { class: "number" }, format(entry.score, 4)), el("td", {}, el("span", { class: `source ${entry.source}` }, entry.source)),
                el("td", {}, entry.reason))));
        }

        function triggerText(trigger) {
          if (trigger.kind === "event") return `${trigger.behavior} ${trigger.itemId}`;
          if (trigger.kind === "window") return `window closed at ${time(trigger.windowEnd)}`;
          return trigger.kind;
        }

        views.user = async (root, userId) => {
          const info = await getJSON("/console/info");
          root.append(el("section", { id: "user" }, searchForm("user", userId, info.body.suggestedUsers || [])));
          if (!userId) return () => {};
          const panels = Object.fromEntries(SURFACES.map((surface) => [surface,
            el("div", { class: "panel", "data-surface": surface, "data-updates": 0 }, el("h3", {}, surface), el("p", { class: "meta" }, "no list yet"), el("div", { class: "body" }))]));
          const events = el("ol", { id: "user-events", class: "events" });
          const features = el("div", { id: "user-features" }, "no closed window yet");
          const served = el("span", { id: "user-served-by" }, "…");
          const connection = el("span", { id: "user-stream", class: "pill" }, "connecting");
          $("#user").append(
            el("h2", {}, "User ", el("span", { id: "user-id" }, userId), " ", connection, " served by ", served),
            el("div", { class: "panels" }, SURFACES.map((surface) => panels[surface])),
            el("div", { class: "columns" }, el("div", {}, el("h3", {}, "Recent events"), events), el("div", {}, el("h3", {}, "Last closed 5-minute window"), features)));
          const seenTriggers = new Set();

          // One request at a time, however fast lists arrive (a busy user gets several a second), and one more after
          // it when lists came meanwhile, so the last window shows.
          let asking = null;
          let again = false;
          const refreshFeatures = () => {
            if (asking) {
              again = true;
              return asking;
            }
            asking = askFeatures().finally(() => {
              asking = null;
              if (again) {
                again = false;
                refreshFeatures().catch(() => {});
              }
            });
            return asking;
          };
          const askFeatures = async () => {
            const answer = await getJSON(`/v1/users/${encode(userId)}/features`);
            served.textContent = servedBy(answer.response);
            if (!answer.ok) return;
            const window = answer.body;
            features.replaceChildren(el("table", {},
              el("tr", {}, el("th", {}, "window"), el("td", {}, `${time(window.windowStart)} – ${time(window.windowEnd)}`)),
              el("tr", {}, el("th", {}, "events"), el("td", {}, window.events)),
              el("tr", {}, el("th", {}, "by behavior"), el("td", {}, Object.entries(window.counts).map(([name, count]) => `${name} ${count}`).join(", "))),
              el("tr", {}, el("th", {}, "distinct items"), el("td", {}, window.distinctItems)),
              el("tr", {}, el("th", {}, "top categories"), el("td", {}, window.topCategories.map((top) => `${top.categoryId} (${format(top.weight, 2)})`).join(", "))),
              el("tr", {}, el("th", {}, "active"), el("td", {}, `${format(window.activeMs / 1000, 1)} s`))));
          };

          const show = (message) => {
            const list = JSON.parse(message.data);
            const panel = panels[list.surface];
            if (!panel) return;
            panel.dataset.updates = String(Number(panel.dataset.updates) + 1);
            panel.dataset.listId = message.lastEventId;
            $(".meta", panel).textContent = `model ${list.model} · ${triggerText(list.trigger)} · ${time(list.generatedAt)}`;
            $(".body", panel).replaceChildren(listTable(list));
            panel.classList.remove("flash");
            void panel.offsetWidth; // restarts the highlight animation
            panel.classList.add("flash");
            const key = `${list.generatedAt}:${triggerText(list.trigger)}`;
            if (list.trigger.kind === "event" && !seenTriggers.has(key)) {
              seenTriggers.add(key);
              events.prepend(el("li", { "data-item": list.trigger.itemId }, el("b", {}, list.trigger.behavior), " ", itemLink(list.trigger.itemId), ` at ${time(list.generatedAt)}`));
              while (events.children.length > 20) events.lastChild.remove();
            }
            refreshFeatures().catch(() => {});
          };

          let source = null;
          let retry = null;
          const connect = () => {
            // The stream follows the 307 to the user's owner; a 503 (partition restoring or moving) closes it, so retry.
            source = new EventSource(`/v1/users/${encode(userId)}/recommendations/stream`);
            SURFACES.forEach((surface) => source.addEventListener(surface, show));
            source.onopen = () => { connection.textContent = "live"; connection.className = "pill live"; };
            source.onerror = () => {
              connection.textContent = "reconnecting";
              connection.className = "pill";
              if (source.readyState === EventSource.CLOSED) retry = setTimeout(connect, 2000);
            };
          };
          connect();
          refreshFeatures().catch((error) => setStatus("view", String(error.message || error)));
          return () => {
            clearTimeout(retry);
            source.close();
          };
        };

        views.item = async (root, itemId) => {
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
        };

        views.instances = (root) => {
          const lookup = el("input", { id: "owner-search", placeholder: "user id" });
          const answer = el("span", { id: "owner-answer" });
          root.append(el("section", { id: "instances" },
            el("table", { id: "instance-table" }), el("h3", {}, "Partitions"), el("div", { id: "partition-grid", class: "grid" }),
            el("h3", {}, "Who serves a user?"),
            el("form", {
              class: "search", onsubmit: async (event) => {
                event.preventDefault();
                const path = `/v1/users/${encode(lookup.value.trim())}/recommendations`;
                const result = await getJSON(path);
                answer.replaceChildren(`${result.status} from ${servedBy(result.response)}${result.response.redirected ? " (followed the 307)" : ""} · `,
                  el("a", { href: path }, "open the answer"));
              },
            }, lookup, el("button", { type: "submit" }, "Ask this instance"), answer)));
          return every(3 * REFRESH_MS, async () => {
            const [instances, info] = await Promise.all([getJSON("/v1/instances"), getJSON("/console/info")]);
            const announced = instances.ok ? instances.body : [];
            const here = info.body;
            const rows = announced.length ? announced : [{ instance: here.instance || location.host, partitions: here.partitions, at: null }];
            const owner = new Map();
            rows.forEach((row, index) => row.partitions.forEach((partition) => owner.set(partition, index)));
            const consoleLink = (instance) => el("a", { href: `http://${instance}/` }, instance);
            fill($("#instance-table"), 
              headings(["instance", "input partitions", "announced", ""]),
              rows.map((row, index) => el("tr", { "data-instance": row.instance },
                el("td", {}, el("span", { class: `swatch owner-${index % 6}` }), consoleLink(row.instance)),
                el("td", {}, row.partitions.join(", ") || "none"), el("td", {}, row.at ? time(row.at) : "not announced (no --http-advertise)"),
                el("td", {}, row.instance === (here.instance || location.host) ? "this instance" : ""))));
            fill($("#partition-grid"), Array.from({ length: here.inputPartitions }, (_, partition) => {
              const index = owner.get(partition);
              return el("div", { class: `cell ${index === undefined ? "unowned" : `owner-${index % 6}`}`, "data-partition": partition },
                el("b", {}, partition), el("span", {}, index === undefined ? "moving" : rows[index].instance));
            }));
          });
        };

        views.evaluation = async (root) => {
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
        };

        // ---- routing --------------------------------------------------------------------------------------------------

        let stopView = () => {};

        async function route() {
          stopView();
          stopView = () => {};
          const [, name = "overview", ...rest] = location.hash.split("/");
          const view = views[name] ? name : "overview";
          const argument = rest.length ? decodeURIComponent(rest.join("/")) : "";
          document.querySelectorAll("nav a").forEach((anchor) => anchor.classList.toggle("active", anchor.dataset.view === view));
          const root = $("#view");
          root.replaceChildren();
          root.dataset.view = view;
          try {
            stopView = (await views[view](root, argument)) || (() => {});
          } catch (error) {
            setStatus("view", String(error.message || error));
          }
        }

        /** The header: which instance this is, whether it is ready; every few seconds. */
        function watchInstance() {
          const badge = $("#ready");
          every(3 * REFRESH_MS, async () => {
            const info = (await getJSON("/console/info")).body;
            $("#instance").textContent = info.instance || location.host;
            badge.textContent = info.ready ? "ready" : "not ready";
            badge.className = `pill ${info.ready ? "live" : "down"}`;
            $("#nav-evaluation").hidden = !info.evaluation.report && !info.evaluation.plot;
          }, "instance");
        }

        window.addEventListener("hashchange", route);
        watchInstance();
        route();
        """#
}
