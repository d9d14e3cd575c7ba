extension ConsoleScripts {
    /// `/console/user.js`: the User view (live over server-sent events).
    static let user = #"""
        // User: the lists of one user, live over the server-sent events of /v1 (followed to the owner), with the user's
        // recent events and last closed window.

        import { $, el, encode, format, getJSON, itemLink, servedBy, setStatus, time } from "./common.js";
        import { listTable, searchForm, triggerText } from "./lists.js";

        const SURFACES = ["personalized", "cart", "topics", "creators"];

        export default async function user(root, userId) {
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
        }
        """#
}
