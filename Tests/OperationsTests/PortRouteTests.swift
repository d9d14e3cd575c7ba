import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Operations
import Recommender
import Serving
import Testing

/// What the API port answers besides the `/v1` lists: event streams and their bound, health and metrics, the
/// console, and requests no route takes.
@Suite struct PortRouteTests {
    @Test func aStreamSendsTheCurrentListsThenEachNewOneAndEndsWhenThePartitionMoves() async throws {
        let served = try ServedWorker()
        let kept = try #require(served.results(of: served.user)?.lists)
        var limits = HTTPLimits()
        limits.heartbeatInterval = .seconds(3_600)  // no heartbeat comment between the lists
        let app = served.application(limits: limits)
        try await app.test(.router) { client in
            async let streamed = client.executeRequest(
                uri: "/v1/users/\(served.user)/recommendations/stream?surface=cart", method: .get, headers: [:],
                body: nil)
            // The handler subscribes before it writes anything: from then on a new list reaches the stream.
            try await until { served.serving.subscriptions.subscriberCount == 1 }
            served.feed(served.user, "j1", .cart, at: 410, category: "c2")
            let added = try #require(served.results(of: served.user)?.lists[.cart])
            #expect(added.id != kept[.cart]?.id)
            served.serving.revoked([served.serving.partition(ofUser: served.user)])
            let response = try await streamed
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            #expect(response.headers[.cacheControl] == "no-cache")
            let events = ServerSentEvents(String(buffer: response.body))
            #expect(events.comments == ["connected"])
            #expect(events.ids == [kept[.cart]?.id, added.id].compactMap { $0 })
            #expect(events.names == ["cart", "cart"])
            #expect(events.data.last == String(decoding: added.json, as: UTF8.self))
        }
        #expect(served.serving.subscriptions.subscriberCount == 0)
    }

    @Test func aStreamBeyondTheBoundIs503WithRetryAfter() async throws {
        let served = try ServedWorker(maxEventStreams: 1)
        // The one stream the bound allows, held until the request is answered (a subscription ends when released).
        let holder = try #require(served.serving.subscriptions.subscribe(user: served.neighbour))
        try await served.application().test(.router) { client in
            try await client.execute(uri: "/v1/users/\(served.user)/recommendations/stream", method: .get) {
                try expectError($0, .serviceUnavailable, containing: "its maximum of 1 event streams")
                #expect($0.headers[.retryAfter] == "1")
            }
        }
        withExtendedLifetime(holder) {}
    }

    @Test func healthAnswersTheWorkersReadinessOnBothPorts() async throws {
        let served = try ServedWorker()
        for app in [served.application(), served.healthApplication()] {
            try await app.test(.router) { client in
                try await client.execute(uri: "/health/live", method: .get) {
                    #expect($0.status == .ok && String(buffer: $0.body) == "live\n")
                }
                try await client.execute(uri: "/health/ready", method: .get) {
                    #expect($0.status == .ok && String(buffer: $0.body) == "ready\n")
                }
                served.statistics.withLock { $0.stalled = true }
                try await client.execute(uri: "/health/ready", method: .get) {
                    #expect($0.status == .serviceUnavailable && String(buffer: $0.body) == "not ready\n")
                }
                served.statistics.withLock { $0.stalled = false }
            }
        }
    }

    @Test func metricsArePrometheusTextOfTheWorkersStatistics() async throws {
        let served = try ServedWorker()
        served.statistics.withLock { $0.recordsProduced = 17 }
        try await served.healthApplication().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) {
                #expect($0.status == .ok)
                #expect($0.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let lines = String(buffer: $0.body).split(separator: "\n")
                #expect(lines.contains("streamrec_records_out_total 17"))
            }
            // The health port serves no API.
            try await client.execute(uri: "/v1/models", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test func theConsoleIsServedAtTheRootWithItsScriptsAndInfo() async throws {
        let served = try ServedWorker()
        let console = Console.Settings(suggestedUsers: { ["user-0"] })
        try await served.application(console: console).test(.router) { client in
            try await client.execute(uri: "/", method: .get) {
                #expect($0.status == .ok)
                #expect($0.headers[.contentType] == "text/html; charset=utf-8")
                #expect($0.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
                #expect(String(buffer: $0.body).contains("<title>StreamRec console</title>"))
            }
            try await client.execute(uri: "/console/app.js", method: .get) {
                #expect($0.status == .ok && $0.headers[.contentType] == "text/javascript; charset=utf-8")
            }
            try await client.execute(uri: "/console/style.css", method: .get) {
                #expect($0.status == .ok && $0.headers[.contentType] == "text/css; charset=utf-8")
            }
            try await client.execute(uri: "/console/info", method: .get) {
                let info = try decode(ConsoleInfoBody.self, $0)
                #expect(info.instance == ServedWorker.ownAddress)
                #expect(info.inputPartitions == ServedWorker.inputPartitions)
                #expect(info.partitions == ServedWorker.servedPartitions && info.ready)
                #expect(info.suggestedUsers == ["user-0"])
            }
            try await client.execute(uri: "/console/evaluation.json", method: .get) {
                try expectError($0, .notFound, containing: "--evaluation-report FILE.json")
            }
            // The page follows a redirect to another instance: the API lets any origin read it.
            try await client.execute(uri: "/v1/models", method: .get, headers: [.origin: "http://10.0.0.2:8080"]) {
                #expect($0.headers[.accessControlAllowOrigin] == "*")
            }
        }
    }

    @Test func anUnknownPathIsAJSON404AndAnotherMethodA405NamingTheAllowedOnes() async throws {
        let served = try ServedWorker()
        try await served.application().test(.router) { client in
            try await client.execute(uri: "/v2/models", method: .get) {
                try expectError($0, .notFound, containing: "no such path: /v2/models")
            }
            try await client.execute(uri: "/v1/models", method: .post) {
                try expectError($0, .methodNotAllowed, containing: "POST is not allowed on /v1/models; use GET")
                #expect($0.headers[.allow] == "GET")
            }
            try await client.execute(uri: "/v1/users/\(served.user)/recommendations", method: .delete) {
                #expect($0.status == .methodNotAllowed && $0.headers[.allow] == "GET")
            }
        }
    }
}

struct ConsoleInfoBody: Decodable {
    var instance: String?
    var inputPartitions: Int32
    var partitions: [Int32]
    var ready: Bool
    var suggestedUsers: [String]
}

/// A server-sent-event body split into its events (`event`, `id`, `data` lines) and comments (`: …`).
struct ServerSentEvents {
    var names: [String] = []
    var ids: [String] = []
    var data: [String] = []
    var comments: [String] = []

    init(_ body: String) {
        for block in body.split(separator: "\n\n") {
            for line in block.split(separator: "\n") {
                let (field, value) =
                    line.firstIndex(of: ":").map {
                        (line[..<$0], line[line.index(after: $0)...].drop { $0 == " " })
                    } ?? (line, "")
                switch field {
                case "": comments.append(String(value))
                case "event": names.append(String(value))
                case "id": ids.append(String(value))
                case "data": data.append(String(value))
                default: continue
                }
            }
        }
    }
}

/// Waits until `condition` holds, checking every few milliseconds, for at most 10 s.
/// Waits for `condition`, polling every 5 ms, at most 12 000 times (a minute when the test runs). The budget is in
/// polls, not in wall time: in a full `swift test` the synchronous suites (CLI and worker tests wait for processes
/// and brokers on their threads) can hold every thread of the cooperative pool on 2 cores for minutes, and a test
/// that cannot run must not spend its deadline meanwhile (seen: a 300 s wall deadline ran out while starved).
func until(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    for _ in 0..<12_000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    if !condition() { Issue.record("the condition did not hold within 12 000 polls", sourceLocation: sourceLocation) }
}
