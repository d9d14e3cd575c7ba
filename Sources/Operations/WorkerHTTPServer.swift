import Hummingbird
import Logging
import Metrics
import Prometheus
import Worker

/// The HTTP servers of a worker as `run` and `demo` start them: the API port (console, `/v1`, `/metrics`, health)
/// with `limits`, and — with a health port — `/metrics` and health again on a port of their own with their own small
/// connection bound, so probes answer while API clients hold every API connection.
public enum WorkerHTTPServer {
    public typealias Server = Application<RouterResponder<BasicRequestContext>>

    /// Bootstraps swift-metrics with a Prometheus registry for `/metrics`: call it once per process.
    public static func applications(
        worker: Worker, host: String, port: Int, healthPort: Int = 0, limits: HTTPLimits = HTTPLimits(),
        console: Console.Settings, logger: Logger
    ) -> [Server] {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let metrics = WorkerMetrics(worker: worker)
        let state = WorkerHTTPState(worker: worker)
        let router = HealthServer.router(
            state: state, metrics: metrics, registry: registry, console: console, limits: limits)
        var servers = [
            limits.application(router, host: host, port: port, maxConnections: limits.maxConnections, logger: logger)
        ]
        if healthPort > 0 {
            servers.append(
                limits.application(
                    HealthServer.healthRouter(state: state, metrics: metrics, registry: registry), host: host,
                    port: healthPort, maxConnections: HTTPLimits.healthConnections, logger: logger))
        }
        return servers
    }
}
