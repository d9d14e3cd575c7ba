import Hummingbird
import Logging
import Prometheus

/// The worker's HTTP face: `/metrics` (Prometheus text), `/health/live` (the process answers), `/health/ready` (the
/// worker joined its group and has not failed — what a load balancer or a Kubernetes readiness probe should ask),
/// the `/v1` API (`ServingAPI`) and the web console at `/` (`Console`). The health endpoints and `/metrics` can also
/// have a port of their own (`healthRouter`), so probes keep answering while API clients hold every connection the API
/// port allows.
public enum HealthServer {
    public static func router(
        state: WorkerHTTPState, metrics: WorkerMetrics, registry: PrometheusCollectorRegistry,
        console: Console.Settings = .init(), limits: HTTPLimits = HTTPLimits()
    ) -> Router<BasicRequestContext> {
        let router = healthRouter(state: state, metrics: metrics, registry: registry)
        Console.addRoutes(to: router, state: state, settings: console)  // before /v1: its CORS wraps them
        ServingAPI.addRoutes(to: router, state: state, limits: limits)
        UnroutedRequests.install(on: router)  // last: it names every route's methods in a 405
        return router
    }

    /// `/metrics` and the health endpoints alone (the health port's router, and the start of the API's).
    public static func healthRouter(
        state: WorkerHTTPState, metrics: WorkerMetrics, registry: PrometheusCollectorRegistry
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            metrics.refresh()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/health/live") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "live\n")))
        }
        router.get("/health/ready") { _, _ -> Response in
            let ready = state.statistics().ready
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                body: .init(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "not ready\n")))
        }
        return router
    }
}
