import ArgumentParser
import Operations

/// The HTTP server's settings, shared by `run` and `demo`: where it listens, its limits and what the console shows.
struct HTTPOptions: ParsableArguments {
    static let port = Setting<Int>(
        "http-port", default: 8080, bound: .within(0...65_535),
        help: "Serve the console, /v1, /metrics and /health on this port, 0 for none.")
    static let host = Setting<String>("http-host", default: "0.0.0.0", help: "Address the HTTP server binds to.")
    static let healthPort = Setting<Int>(
        "health-port", default: 0, bound: .within(0...65_535),
        help: "Also serve /metrics and the health endpoints on this port, with connections of their own, so probes "
            + "answer while API clients hold every API connection; 0 for none.")
    static let maxConnections = Setting<Int>(
        "http-max-connections", default: HTTPLimits().maxConnections, bound: .positive,
        help: "Connections the API port holds at once; more wait to be accepted.")
    static let headerTimeout = milliseconds(
        "http-header-timeout-ms", HTTPLimits().requestHeaderTimeout,
        help: "Milliseconds a new connection has to send its first request head.")
    static let idleTimeout = milliseconds(
        "http-idle-timeout-ms", HTTPLimits().idleTimeout,
        help: "Milliseconds an HTTP connection may sit idle between requests.")
    static let heartbeat = milliseconds(
        "sse-heartbeat-ms", HTTPLimits().heartbeatInterval,
        help: "Milliseconds between heartbeat comments on a quiet event stream.")

    @Option(HTTPOptions.port) var httpPort: Int?
    @Option(HTTPOptions.host) var httpHost: String?
    @Option(HTTPOptions.healthPort) var healthPort: Int?
    @Option(HTTPOptions.maxConnections) var httpMaxConnections: Int?
    @Option(HTTPOptions.headerTimeout) var httpHeaderTimeoutMs: Int?
    @Option(HTTPOptions.idleTimeout) var httpIdleTimeoutMs: Int?
    @Option(HTTPOptions.heartbeat) var sseHeartbeatMs: Int?
    @Option(
        help: ArgumentHelp(
            "A `streamrec evaluate` report for the console: its --json file, its --plot file (.svg), or both "
                + "(repeat the flag). Read when the console asks, so a re-run shows without a restart.",
            valueName: "file"))
    var evaluationReport: [String] = []

    struct Resolved {
        var host: String
        var port: Int
        var healthPort: Int
        var limits: HTTPLimits
        var console: Console.Settings
    }

    func resolve(_ sources: ConfigurationSources) throws -> Resolved {
        let port = try sources.value(of: Self.port, flag: httpPort)
        let reports = evaluationReport.map { (path: $0, plot: $0.lowercased().hasSuffix(".svg")) }
        for kind in [true, false] where reports.filter({ $0.plot == kind }).count > 1 {
            throw ValidationError("--evaluation-report: give at most one \(kind ? ".svg plot" : "JSON report")")
        }
        let healthPort = try sources.value(of: Self.healthPort, flag: healthPort)
        guard healthPort == 0 || healthPort != port else {
            throw ValidationError("--health-port must differ from --http-port, got \(healthPort) for both")
        }
        var limits = HTTPLimits()
        limits.maxConnections = try sources.value(of: Self.maxConnections, flag: httpMaxConnections)
        limits.requestHeaderTimeout = .milliseconds(
            try sources.value(of: Self.headerTimeout, flag: httpHeaderTimeoutMs))
        limits.idleTimeout = .milliseconds(try sources.value(of: Self.idleTimeout, flag: httpIdleTimeoutMs))
        limits.heartbeatInterval = .milliseconds(try sources.value(of: Self.heartbeat, flag: sseHeartbeatMs))
        return Resolved(
            host: try sources.value(of: Self.host, flag: httpHost), port: port, healthPort: healthPort,
            limits: limits,
            console: Console.Settings(
                evaluationJSON: reports.first { !$0.plot }?.path, evaluationPlot: reports.first { $0.plot }?.path))
    }

    /// A positive duration in milliseconds whose default is `HTTPLimits`' own.
    private static func milliseconds(_ key: String, _ fallback: Duration, help: String) -> Setting<Int> {
        Setting(key, default: Int(fallback / .milliseconds(1)), bound: .positive, help: help)
    }
}
