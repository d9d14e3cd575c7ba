import ArgumentParser
import Foundation
import Hummingbird
import Kafka
import Logging
import Metrics
import Operations
import Prometheus
import ServiceLifecycle
import Worker

/// `streamrec run`: one worker of a consumer group, with its metrics and health endpoints.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a worker: consume user-behavior in a group, write features, recommendations and dead letters.")

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup(title: "Recommender") var recommender: RecommenderOptions
    @Flag(help: "Create the topics (admin API) before starting; existing topics are left as they are.")
    var createTopics = false
    @Option(help: "Serve /metrics, /health/live and /health/ready on this port, 0 for none (default: 8080).")
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
    @Option(help: "Server-sent-event clients this instance holds at once; more get 503 (default: 1000).")
    var maxEventStreams: Int?
    @Option(
        help: ArgumentHelp(
            "host:port other instances and clients reach this instance's HTTP API at; announced to the group so a "
                + "request for a user served elsewhere is redirected there (default: none, answer 503 instead).",
            valueName: "host:port"))
    var httpAdvertise: String?
    @Option(help: "Users whose latest lists and features the HTTP API keeps (default: 100000).")
    var servedUsers: Int?
    @Option(
        help: "Milliseconds records may stay uncommitted before /health/ready says not ready (default: 15000).")
    var stallTimeoutMs: Int?
    @Option(help: "Seconds a SIGTERM may take to finish the last commit (default: 30).")
    var gracePeriodSeconds: Int?
    @Option(help: "Log format: text or json (one object per line, for log shippers) (default: text).")
    var logFormat: String?
    @Option(
        help: "JSON file of settings, keys as the flags: {\"top-n\": 20, \"kafka\": {\"security.protocol\": \"SSL\"}}.")
    var configFile: String?

    func run() async throws {
        let sources = try await ConfigurationSources.load(file: configFile)
        var options = try pipeline.resolve(sources).workerOptions(
            kafka: try kafka.configuration(sources), recommender: recommender, sources: sources)
        let httpPort = try sources.int("http-port", flag: httpPort, default: 8080)
        let httpHost = try sources.string("http-host", flag: httpHost, default: "0.0.0.0")
        let gracePeriodSeconds = try sources.int("grace-period-seconds", flag: gracePeriodSeconds, default: 30)
        guard (0...65_535).contains(httpPort) else {
            throw ValidationError("http-port must be 0...65535, got \(httpPort)")
        }
        guard gracePeriodSeconds > 0 else { throw ValidationError("grace-period-seconds must be positive") }
        options.httpAdvertise = try sources.optionalString("http-advertise", flag: httpAdvertise)
        if let advertise = options.httpAdvertise {
            let parts = advertise.split(separator: ":")
            guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65_535).contains(port) else {
                throw ValidationError(
                    "http-advertise must be host:port (e.g. worker-0.streamrec:8080), got '\(advertise)'")
            }
        }
        options.maxServedUsers = try sources.int("served-users", flag: servedUsers, default: options.maxServedUsers)
        guard options.maxServedUsers > 0 else { throw ValidationError("served-users must be positive") }
        options.maxEventStreams = try sources.int(
            "max-event-streams", flag: maxEventStreams, default: options.maxEventStreams)
        guard options.maxEventStreams > 0 else { throw ValidationError("max-event-streams must be positive") }
        let http = try httpLimits(sources)
        let healthPort = try sources.int("health-port", flag: healthPort, default: 0)
        guard (0...65_535).contains(healthPort), healthPort == 0 || healthPort != httpPort else {
            throw ValidationError("health-port must be 0...65535 and differ from http-port, got \(healthPort)")
        }
        options.stallTimeoutMilliseconds = try sources.int(
            "stall-timeout-ms", flag: stallTimeoutMs, default: options.stallTimeoutMilliseconds)
        guard options.stallTimeoutMilliseconds >= options.checkpointIntervalMilliseconds else {
            throw ValidationError(
                "stall-timeout-ms must be at least the checkpoint interval "
                    + "(\(options.checkpointIntervalMilliseconds) ms), got \(options.stallTimeoutMilliseconds)")
        }
        try options.kafka.validate()
        switch try sources.string("log-format", flag: logFormat, default: "text") {
        case "text": break
        case "json": LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        case let other: throw ValidationError("log-format must be text or json, got '\(other)'")
        }
        let logger = Logger(label: "streamrec")
        if createTopics {
            let admin = try KafkaAdmin(configuration: options.kafka)
            for (topic, outcome) in try admin.createTopics(options.topics.specifications).sorted(by: { $0.key < $1.key }
            ) {
                logger.info("topic \(topic): \(outcome)")
            }
        }
        let worker = try Worker(options: options, logger: logger)
        try await Self.serve(
            worker, http: HTTPAddress(host: httpHost, port: httpPort, healthPort: healthPort, limits: http),
            grace: .seconds(gracePeriodSeconds), logger: logger)
        let statistics = worker.statistics
        print(
            "stopped: consumed \(statistics.recordsConsumed), produced \(statistics.recordsProduced), "
                + "dead-lettered \(statistics.pipeline.deadLettered), late \(statistics.pipeline.late)")
    }

    /// Runs the worker and (with a port) its HTTP server in one service group: SIGTERM or SIGINT shuts the worker
    /// down first (last commit, leave the group), then the server; past `grace` the group is cancelled.
    static func serve(_ worker: Worker, http: HTTPAddress, grace: Duration, logger: Logger) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if http.port > 0 {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let metrics = WorkerMetrics(worker: worker)
            let router = HealthServer.router(worker: worker, metrics: metrics, registry: registry, limits: http.limits)
            let server = http.limits.application(
                router, host: http.host, port: http.port, maxConnections: http.limits.maxConnections, logger: logger)
            services.append(.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup))
            if http.healthPort > 0 {
                let health = http.limits.application(
                    HealthServer.healthRouter(worker: worker, metrics: metrics, registry: registry), host: http.host,
                    port: http.healthPort, maxConnections: HTTPLimits.healthConnections, logger: logger)
                services.append(.init(service: health, successTerminationBehavior: .gracefullyShutdownGroup))
            }
        }
        // Last in the list, first to be shut down: the server keeps answering (not ready) while the worker drains.
        services.append(
            .init(
                service: WorkerService(worker: worker), successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup))
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        configuration.maximumGracefulShutdownDuration = grace
        // The service group drains on the first signal; a second one means "now".
        let escalation = SignalTrap(stop: StopSignal())
        try await ServiceGroup(configuration: configuration).run()
        withExtendedLifetime(escalation) {}
    }
}

/// Where `run` serves HTTP, and with which limits.
struct HTTPAddress {
    var host: String
    var port: Int
    var healthPort: Int
    var limits: HTTPLimits
}

extension Run {
    /// The HTTP server's limits from the flags and the configuration file; unset ones keep `HTTPLimits`' defaults.
    func httpLimits(_ sources: ConfigurationSources) throws -> HTTPLimits {
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

/// Turns SIGINT and SIGTERM into a stop request; a second signal exits at once.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(stop: StopSignal) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.isStopped { exit(130) }
                FileHandle.standardError.write(Data("stopping (signal again to exit at once)\n".utf8))
                stop.stop()
            }
            source.resume()
            return source
        }
    }
}
