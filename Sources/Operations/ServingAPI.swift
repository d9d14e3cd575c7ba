import Foundation
import Hummingbird
import Recommender
import Serving

/// The `/v1` HTTP API (documented in `openapi.yaml`): the live results of the users this instance serves, items and
/// models from the state every instance holds, and server-sent events of a user's new lists. A request for a user
/// served by another instance is redirected to it (307) when the instances topic says who; while a partition is
/// restored or moving, the answer is 503 with `Retry-After` — never a stale or wrong list.
public enum ServingAPI {
    /// Surfaces kept per user (`similar` is per item: `/v1/items/{itemId}/similar`).
    static let userSurfaces: [Surface] = [.personalized, .cart, .topics, .creators]
    /// A redirected request carries this, so an instance that was told it owns a partition it does not have
    /// answers 503 instead of redirecting in a loop.
    static let redirectedMarker = "redirected"

    public static func addRoutes(to router: Router<BasicRequestContext>, state: WorkerHTTPState, limits: HTTPLimits) {
        let api = router.group("v1")
        api.get("users/:userId/recommendations") { request, context in
            try await answer(request, context, state) { results, userId in
                let surface = try surfaceParameter(request)
                let n = try countParameter(request)
                let kept = results?.lists[surface]
                guard let list = kept != nil ? kept : await computedFeed(of: userId, surface, state) else {
                    throw APIError.notFound(
                        surface == .personalized
                            ? "unknown user '\(userId)'"
                            : "no \(surface.rawValue) list for user '\(userId)' since this instance took over the "
                                + "user's partition")
                }
                return json(
                    ServingAnswers.first(n, of: list.json, listLength: state.listLength), id: list.id)
            }
        }
        api.get("users/:userId/recommendations/stream") { request, context in
            try await answer(request, context, state) { results, userId in
                let surfaces =
                    try request.uri.queryParameters["surface"] == nil
                    ? Set(userSurfaces) : [surfaceParameter(request)]
                // No stream for a user nobody has seen: any id would otherwise hold a subscription for nothing.
                if results == nil, await state.currentFeed(userId) == nil {
                    throw APIError.notFound("unknown user '\(userId)'")
                }
                return try eventStream(
                    of: userId, surfaces: surfaces, current: results, view: state.serving,
                    heartbeat: limits.heartbeatInterval)
            }
        }
        api.get("users/:userId/features") { request, context in
            try await answer(request, context, state) { results, userId in
                guard let features = results?.features else {
                    throw APIError.notFound(
                        "no closed window of user '\(userId)' since this instance took over the user's partition")
                }
                return json(features)
            }
        }
        api.get("items/:itemId/similar") { request, context in
            let row = try itemRow(context, state)
            return json(ServingAnswers.similar(row, n: try countParameter(request)))
        }
        api.get("items/:itemId/features") { _, context in
            json(ServingAnswers.features(try itemRow(context, state)))
        }
        api.get("models") { _, _ in json(ServingAnswers.models(state.registry)) }
        api.get("instances") { _, _ in
            json(Array((try? JSONEncoder().encode(state.directory.instances)) ?? Data("[]".utf8)))
        }
    }

    /// Finds who serves the user in the path and answers here (with the user's results, nil when none), or
    /// redirects to the owner, or says to retry.
    private static func answer(
        _ request: Request, _ context: BasicRequestContext, _ state: WorkerHTTPState,
        _ body: (UserResults?, String) async throws -> Response
    ) async throws -> Response {
        let userId = try identifier("userId", context)
        switch state.serving.lookup(user: userId) {
        case .owned(let results, _):
            return try await body(results, userId)
        case .restoring(let partition):
            throw APIError.unavailable("partition \(partition) of user '\(userId)' is being restored here")
        case .notOwned(let partition):
            let redirected = request.uri.queryParameters[Substring(redirectedMarker)] != nil
            guard !redirected,
                let owner = state.directory.owner(of: partition, excluding: state.advertisedAddress)
            else {
                throw APIError.unavailable(
                    "partition \(partition) of user '\(userId)' is not served by this instance"
                        + (redirected ? " (it is moving)" : " and no other instance announced it"))
            }
            let separator = request.uri.query == nil ? "?" : "&"
            let location = "http://\(owner)\(request.uri.description)\(separator)\(redirectedMarker)=1"
            return Response(
                status: .temporaryRedirect, headers: [.location: location, .contentType: jsonType],
                body: .init(byteBuffer: ByteBuffer(bytes: ServingAnswers.error("served by \(owner)", status: 307))))
        }
    }

    /// A user whose partition moved here has no kept list until the next event: the personalized feed is then
    /// computed from the task's state on its lane, and kept.
    private static func computedFeed(of userId: String, _ surface: Surface, _ state: WorkerHTTPState) async
        -> ServedList?
    {
        guard surface == .personalized, let feed = await state.currentFeed(userId) else { return nil }
        let list = ServedList(
            surface: .personalized, json: feed.encodeJSON(), id: "computed:\(userId):\(feed.generatedAt)",
            generatedAt: feed.generatedAt)
        state.serving.keepComputed(list, of: userId)
        return list
    }

    private static func itemRow(_ context: BasicRequestContext, _ state: WorkerHTTPState) throws -> ItemTableRow {
        let itemId = try identifier("itemId", context)
        guard let row = state.itemTable.read({ $0.stats(of: itemId) }) else {
            throw APIError.notFound("unknown item '\(itemId)'")
        }
        return row
    }

    private static func identifier(_ name: String, _ context: BasicRequestContext) throws -> String {
        let raw = context.parameters.get(name) ?? ""
        let id = raw.contains("%") ? raw.removingPercentEncoding ?? raw : raw
        guard !id.isEmpty, id.utf8.count <= BehaviorEvent.maxIdBytes else {
            throw APIError.badRequest("\(name) must be 1 to \(BehaviorEvent.maxIdBytes) bytes")
        }
        return id
    }

    private static func surfaceParameter(_ request: Request) throws -> Surface {
        guard let text = request.uri.queryParameters["surface"] else { return .personalized }
        guard let surface = Surface(rawValue: String(text)), userSurfaces.contains(surface) else {
            throw APIError.badRequest(
                "surface must be one of \(userSurfaces.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return surface
    }

    /// Entries per list: 1 to 100, default 10.
    private static func countParameter(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["n"] else { return 10 }
        guard let n = Int(text), (1...100).contains(n) else {
            throw APIError.badRequest("n must be an integer from 1 to 100, got '\(text)'")
        }
        return n
    }

    static let jsonType = "application/json"

    static func json(_ bytes: [UInt8], id: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: jsonType]
        if let id { headers[.init("X-StreamRec-Id")!] = id }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Server-sent events: the user's current lists first, then each new one as a task produces it, and a comment
    /// line when it has been quiet for `heartbeat` (writing is how a closed client is noticed; the subscription
    /// ends with the write that fails). The stream ends when the user's partition leaves this instance (the client
    /// reconnects and is redirected). Beyond the subscription bound the answer is 503 with `Retry-After`.
    private static func eventStream(
        of userId: String, surfaces: Set<Surface>, current: UserResults?, view: ServingView, heartbeat: Duration
    ) throws -> Response {
        guard let subscription = view.subscriptions.subscribe(user: userId) else {
            throw APIError.unavailable(
                "this instance holds its maximum of \(view.subscriptions.maxSubscribers) event streams")
        }
        let initial = surfaces.compactMap { current?.lists[$0] }.sorted { $0.generatedAt < $1.generatedAt }
        let body = ResponseBody { writer in
            for list in initial { try await writer.write(ServerSentEvent.buffer(list)) }
            try await writer.write(ByteBuffer(string: ": connected\n\n"))
            try await withThrowingTaskGroup(of: Void.self) { beats in
                beats.addTask {
                    while true {
                        try await Task.sleep(for: heartbeat)
                        subscription.heartbeat()
                    }
                }
                for await event in subscription.events {
                    switch event {
                    case .list(let list) where surfaces.contains(list.surface):
                        try await writer.write(ServerSentEvent.buffer(list))
                    case .list: continue
                    case .heartbeat: try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                }
                beats.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}

/// One list as a server-sent event: `event` is the surface, `id` the list's `streamrec-id`, `data` its JSON.
enum ServerSentEvent {
    static func buffer(_ list: ServedList) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("event: \(list.surface.rawValue)\nid: \(list.id)\ndata: ")
        buffer.writeBytes(list.json)  // compact JSON: one line
        buffer.writeString("\n\n")
        return buffer
    }
}

/// An answer other than 200, with a JSON body that says why; thrown from a route, Hummingbird sends `response`.
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String

    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, message: message) }
    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, message: message) }
    static func unavailable(_ message: String) -> APIError { APIError(status: .serviceUnavailable, message: message) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: ServingAPI.jsonType]
        if status == .serviceUnavailable { headers[.retryAfter] = "1" }
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: ServingAnswers.error(message, status: Int(status.code)))))
    }
}
