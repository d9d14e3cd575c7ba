import Foundation
import Hummingbird

/// The web console at `/`: a page, its scripts and its style (hand-written, embedded in the binary as string
/// constants — see `ConsolePage`), and the little JSON it needs beyond `/metrics` and `/v1`: who this instance is,
/// which users to suggest, and the evaluation report an operator pointed it at.
public enum Console {
    /// What the console shows besides the worker's own state.
    public struct Settings: Sendable {
        /// `streamrec evaluate --json` output, read on every request (a re-run shows without a restart).
        public var evaluationJSON: String?
        /// `streamrec evaluate --plot` output (SVG).
        public var evaluationPlot: String?
        /// Users worth a look (the demo's watched users); the user search offers them.
        public var suggestedUsers: @Sendable () -> [String]

        public init(
            evaluationJSON: String? = nil, evaluationPlot: String? = nil,
            suggestedUsers: @escaping @Sendable () -> [String] = { [] }
        ) {
            self.evaluationJSON = evaluationJSON
            self.evaluationPlot = evaluationPlot
            self.suggestedUsers = suggestedUsers
        }
    }

    /// Adds the console's routes. Call it before the `/v1` routes: its CORS middleware must wrap them, so the page
    /// can follow a 307 to the instance that owns a user (another origin) with `fetch` and `EventSource`.
    public static func addRoutes(to router: Router<BasicRequestContext>, state: WorkerHTTPState, settings: Settings) {
        router.get("/") { _, _ in asset(ConsolePage.html, type: "text/html; charset=utf-8") }
        for (name, source) in ConsoleScripts.all {
            router.get(RouterPath("/console/\(name)")) { _, _ in asset(source, type: "text/javascript; charset=utf-8") }
        }
        router.get("/console/style.css") { _, _ in asset(ConsoleStyle.css, type: "text/css; charset=utf-8") }
        router.get("/console/info") { _, _ in
            ServingAPI.json(ConsoleInfo(state: state, settings: settings).encodeJSON())
        }
        router.get("/console/evaluation.json") { _, _ in
            try file(settings.evaluationJSON, type: ServingAPI.jsonType, what: "--evaluation-report FILE.json")
        }
        router.get("/console/evaluation.svg") { _, _ in
            try file(settings.evaluationPlot, type: "image/svg+xml", what: "--evaluation-report FILE.svg")
        }
        // Read-only, no credentials: any origin may read what any client can already ask for.
        router.add(middleware: CORSMiddleware(allowOrigin: .all, allowHeaders: [], allowMethods: [.get]))
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "no-cache", .contentSecurityPolicy: contentSecurityPolicy],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Only this instance's own files run; `connect-src` takes other instances too (a user's owner, after a 307).
    static let contentSecurityPolicy =
        "default-src 'self'; connect-src 'self' http: https:; img-src 'self' data:; base-uri 'none'; form-action 'self'"

    private static func file(_ path: String?, type: String, what: String) throws -> Response {
        guard let path else { throw APIError.notFound("no evaluation report: start with \(what)") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIError.notFound("the evaluation report \(path) cannot be read")
        }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
