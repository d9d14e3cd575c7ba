import ArgumentParser
import Operations

/// The HTTP server's settings, shared by `run` and `demo`: where it listens, its limits and what the console shows.
struct HTTPOptions: ParsableArguments {
    @Option(help: "Serve the console, /v1, /metrics and /health on this port, 0 for none (default: 8080).")
    var httpPort: Int?
    @Option(help: "Address the HTTP server binds to (default: 0.0.0.0).") var httpHost: String?
    @Option(
        help: ArgumentHelp(
            "Also serve /metrics and the health endpoints on this port, with connections of their own, so probes "
                + "answer while API clients hold every API connection; 0 for none (default: 0)."))
    var healthPort: Int?
    @Option(help: "Connections the API port holds at once; more wait to be accepted (default: 512).")
    var httpMaxConnections: Int?
    @Option(help: "Milliseconds a new connection has to send its first request head (default: 10000).")
    var httpHeaderTimeoutMs: Int?
    @Option(help: "Milliseconds an HTTP connection may sit idle between requests (default: 60000).")
    var httpIdleTimeoutMs: Int?
    @Option(help: "Milliseconds between heartbeat comments on a quiet event stream (default: 5000).")
    var sseHeartbeatMs: Int?
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
        let port = try sources.int("http-port", flag: httpPort, default: 8080)
        guard (0...65_535).contains(port) else { throw ValidationError("http-port must be 0...65535, got \(port)") }
        let reports = evaluationReport.map { (path: $0, plot: $0.lowercased().hasSuffix(".svg")) }
        for kind in [true, false] where reports.filter({ $0.plot == kind }).count > 1 {
            throw ValidationError("--evaluation-report: give at most one \(kind ? ".svg plot" : "JSON report")")
        }
        let healthPort = try sources.int("health-port", flag: healthPort, default: 0)
        guard (0...65_535).contains(healthPort), healthPort == 0 || healthPort != port else {
            throw ValidationError("health-port must be 0...65535 and differ from http-port, got \(healthPort)")
        }
        return Resolved(
            host: try sources.string("http-host", flag: httpHost, default: "0.0.0.0"), port: port,
            healthPort: healthPort, limits: try limits(sources),
            console: Console.Settings(
                evaluationJSON: reports.first { !$0.plot }?.path, evaluationPlot: reports.first { $0.plot }?.path))
    }

    /// The HTTP server's limits from the flags and the configuration file; unset ones keep `HTTPLimits`' defaults.
    private func limits(_ sources: ConfigurationSources) throws -> HTTPLimits {
        var limits = HTTPLimits()
        let milliseconds = { (key: String, flag: Int?, current: Duration) throws -> Duration in
            let value = try sources.int(key, flag: flag, default: Int(current / .milliseconds(1)))
            guard value > 0 else { throw ValidationError("\(key) must be positive, got \(value)") }
            return .milliseconds(value)
        }
        limits.maxConnections = try sources.int(
            "http-max-connections", flag: httpMaxConnections, default: limits.maxConnections)
        guard limits.maxConnections > 0 else { throw ValidationError("http-max-connections must be positive") }
        limits.requestHeaderTimeout = try milliseconds(
            "http-header-timeout-ms", httpHeaderTimeoutMs, limits.requestHeaderTimeout)
        limits.idleTimeout = try milliseconds("http-idle-timeout-ms", httpIdleTimeoutMs, limits.idleTimeout)
        limits.heartbeatInterval = try milliseconds("sse-heartbeat-ms", sseHeartbeatMs, limits.heartbeatInterval)
        return limits
    }
}
