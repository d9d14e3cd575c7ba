import Hummingbird

/// Requests no route takes, answered like every other API error — a JSON body that says why: 404 for a path no
/// route has, 405 with `Allow` for a path that has routes, only for other methods. Hummingbird's router answers
/// both with an empty 404.
struct UnroutedRequests<Context: RequestContext>: RouterMiddleware {
    /// Every route of the router, taken once all are added (bound: the routes the code declares).
    let routes: [(path: RouterPath, method: HTTPRequest.Method)]

    /// Installs the answers on `router`. Call it after the last route is added: a middleware added last wraps only
    /// the router's not-found responder, and the routes known then are the ones a 405 names.
    static func install(on router: Router<Context>) {
        router.add(middleware: UnroutedRequests(routes: router.routes.map { ($0.path, $0.method) }))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = allowedMethods(for: request.uri.path)
            guard !allowed.isEmpty else {
                return try APIError.notFound("no such path: \(request.uri.path)").response(
                    from: request, context: context)
            }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            var response = try APIError(
                status: .methodNotAllowed,
                message: "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allow)"
            ).response(from: request, context: context)
            response.headers[.allow] = allow
            return response
        }
    }

    /// The methods of the routes whose path matches `path`, in a stable order.
    private func allowedMethods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let methods = routes.filter { route in
            route.path.count == segments.count && zip(route.path, segments).allSatisfy { $0.0 ~= $0.1 }
        }.map(\.method)
        return Set(methods.map(\.rawValue)).sorted().compactMap { HTTPRequest.Method($0) }
    }
}
