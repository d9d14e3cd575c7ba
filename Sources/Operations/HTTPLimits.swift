import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// What one client, or many, can hold of the HTTP server: connections, time to send a request, time to sit idle,
/// event streams. Without them a client that connects and sends nothing keeps a file handle forever, and enough of
/// them starve the process (issue 19).
public struct HTTPLimits: Sendable {
    /// Connections the API port holds at once; beyond it the server stops accepting and new ones wait in the
    /// listen backlog. Keep it below the process's open-file limit with room for Kafka's sockets.
    public var maxConnections = 512
    /// Time from accepting a connection to its first complete request head; a client that connects and sends
    /// nothing, or sends a head slowly, is closed after it.
    public var requestHeaderTimeout: Duration = .seconds(10)
    /// A connection with no request in progress and no traffic for this long is closed (keep-alive idle, and
    /// a later request head that stops half-way). A streaming response (server-sent events) is never idle.
    public var idleTimeout: Duration = .seconds(60)
    /// A quiet event stream gets a comment line this often: writing is how a closed client is noticed and its
    /// subscription released.
    public var heartbeatInterval: Duration = .seconds(5)

    /// Connections the health port holds: probes and scrapes are few, and not held by anybody else's load.
    public static let healthConnections = 32

    public init() {}

    /// An HTTP/1 server of `router` on `host:port` with these limits (the health port's with its own bound).
    public func application(
        _ router: Router<BasicRequestContext>, host: String, port: Int, maxConnections: Int, logger: Logger
    ) -> Application<RouterResponder<BasicRequestContext>> {
        let headerTimeout = Self.timeAmount(requestHeaderTimeout)
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [RequestHeadTimeout(timeout: headerTimeout)],
                    idleTimeout: Self.timeAmount(idleTimeout))),
            configuration: .init(
                address: .hostname(host, port: port),
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger)),
            logger: logger)
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .milliseconds(Int64(duration / .milliseconds(1)))
    }
}
