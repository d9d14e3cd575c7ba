extension ConsoleScripts {
    /// `/console/instances.js`: the Instances view.
    static let instances = #"""
        // Instances: who serves which input partition (/v1/instances), and a lookup that follows the 307 to the owner.

        import { $, el, encode, every, fill, getJSON, headings, REFRESH_MS, servedBy, time } from "./common.js";

        export default function instances(root) {
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
        }
        """#
}
