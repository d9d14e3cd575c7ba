extension ConsoleScripts {
    /// `/console/app.js`: the entry module: hash routing between the views, and the header (instance, readiness).
    static let app = #"""
        // StreamRec console: hash-routed views over the worker's own endpoints (/metrics, /v1, /console/info). No framework,
        // no build step: the worker serves these modules as they are.

        import { $, every, getJSON, REFRESH_MS, setStatus } from "./common.js";
        import evaluation from "./evaluation.js";
        import instances from "./instances.js";
        import item from "./item.js";
        import models from "./models.js";
        import overview from "./overview.js";
        import user from "./user.js";

        /** Each view renders into its root and returns a function that stops its timers and streams. */
        const views = { overview, models, user, item, instances, evaluation };

        let stopView = () => {};
        let routed = 0;

        async function route() {
          stopView();
          stopView = () => {};
          const mine = ++routed;
          const [, name = "overview", ...rest] = location.hash.split("/");
          const view = views[name] ? name : "overview";
          const argument = rest.length ? decodeURIComponent(rest.join("/")) : "";
          document.querySelectorAll("nav a").forEach((anchor) => anchor.classList.toggle("active", anchor.dataset.view === view));
          // A container of its own: a view still starting when the hash changes again draws into a detached node.
          const root = document.createElement("div");
          $("#view").replaceChildren(root);
          $("#view").dataset.view = view;
          try {
            const stop = (await views[view](root, argument)) || (() => {});
            if (mine === routed) stopView = stop;
            else stop(); // another route started meanwhile
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
