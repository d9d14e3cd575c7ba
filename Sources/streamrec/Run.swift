import ArgumentParser
import Foundation
import Kafka
import Logging
import Operations
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
    @OptionGroup(title: "HTTP") var http: HTTPOptions
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
        let http = try self.http.resolve(sources)
        let gracePeriodSeconds = try sources.int("grace-period-seconds", flag: gracePeriodSeconds, default: 30)
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
        try await Self.serve(worker, http: http, grace: .seconds(gracePeriodSeconds), logger: logger)
        let statistics = worker.statistics
        print(
            "stopped: consumed \(statistics.recordsConsumed), produced \(statistics.recordsProduced), "
                + "dead-lettered \(statistics.pipeline.deadLettered), late \(statistics.pipeline.late)")
    }

    /// Runs the worker and (with a port) its HTTP server in one service group: SIGTERM or SIGINT shuts the worker
    /// down first (last commit, leave the group), then the server; past `grace` the group is cancelled.
    static func serve(_ worker: Worker, http: HTTPOptions.Resolved, grace: Duration, logger: Logger) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if http.port > 0 {
            for server in WorkerHTTPServer.applications(
                worker: worker, host: http.host, port: http.port, healthPort: http.healthPort, limits: http.limits,
                console: http.console, logger: logger)
            {
                services.append(.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup))
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
