import Hummingbird
import Logging
import Metrics
import Prometheus
import Worker

/// The HTTP server of a worker — console, `/v1`, `/metrics`, health — as `run` and `demo` start it.
public enum WorkerHTTPServer {
    /// Bootstraps swift-metrics with a Prometheus registry for `/metrics`: call it once per process.
    public static func application(
        worker: Worker, host: String, port: Int, console: Console.Settings, logger: Logger
    ) -> Application<RouterResponder<BasicRequestContext>> {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let router = HealthServer.router(
            worker: worker, metrics: WorkerMetrics(worker: worker), registry: registry, console: console)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
    }
}
