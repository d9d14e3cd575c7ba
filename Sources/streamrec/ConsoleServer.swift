import Logging
import Operations
import ServiceLifecycle
import StreamEngine
import Worker

/// The demo's HTTP server — the console, `/v1`, `/metrics` — on its own service group (the demo runs its worker on
/// a thread of its own, not as a service), until `stop`; `failure` says why it stopped early (the port is taken, say).
final class ConsoleServer: Sendable {
    let url: String
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    private let stopped = Locked<(any Error)?>(nil)

    /// Starts serving `worker`, with `users` as the console's suggestions; nil when `http` has no port.
    static func start(_ worker: Worker, http: HTTPOptions.Resolved, users: @escaping @Sendable () -> [String])
        -> ConsoleServer?
    {
        guard http.port > 0 else { return nil }
        var console = http.console
        console.suggestedUsers = users
        let logger = Logger(label: "streamrec-demo")
        let servers = WorkerHTTPServer.applications(
            worker: worker, host: http.host, port: http.port, healthPort: http.healthPort, limits: http.limits,
            console: console, logger: logger)
        let group = ServiceGroup(
            services: servers, gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let host = http.host == "0.0.0.0" ? "localhost" : http.host
        let server = ConsoleServer(group: group, url: "http://\(host):\(http.port)/")
        print("Console: \(server.url) (the /v1 API and /metrics on the same port)")
        return server
    }

    private init(group: ServiceGroup, url: String) {
        self.group = group
        self.url = url
        running = Task { [stopped] in
            do { try await group.run() } catch {
                stopped.withLock { $0 = error }
                throw error
            }
        }
    }

    var failure: (any Error)? { stopped.value }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
