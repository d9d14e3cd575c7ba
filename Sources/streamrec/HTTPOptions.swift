import ArgumentParser
import Operations

/// The HTTP server's settings, shared by `run` and `demo`: where it listens and what the console shows.
struct HTTPOptions: ParsableArguments {
    @Option(help: "Serve the console, /v1, /metrics and /health on this port, 0 for none (default: 8080).")
    var httpPort: Int?
    @Option(help: "Address the HTTP server binds to (default: 0.0.0.0).") var httpHost: String?
    @Option(
        help: ArgumentHelp(
            "A `streamrec evaluate` report for the console: its --json file, its --plot file (.svg), or both "
                + "(repeat the flag). Read when the console asks, so a re-run shows without a restart.",
            valueName: "file"))
    var evaluationReport: [String] = []

    struct Resolved {
        var host: String
        var port: Int
        var console: Console.Settings
    }

    func resolve(_ sources: ConfigurationSources) throws -> Resolved {
        let port = try sources.int("http-port", flag: httpPort, default: 8080)
        guard (0...65_535).contains(port) else { throw ValidationError("http-port must be 0...65535, got \(port)") }
        let reports = evaluationReport.map { (path: $0, plot: $0.lowercased().hasSuffix(".svg")) }
        for kind in [true, false] where reports.filter({ $0.plot == kind }).count > 1 {
            throw ValidationError("--evaluation-report: give at most one \(kind ? ".svg plot" : "JSON report")")
        }
        return Resolved(
            host: try sources.string("http-host", flag: httpHost, default: "0.0.0.0"), port: port,
            console: Console.Settings(
                evaluationJSON: reports.first { !$0.plot }?.path, evaluationPlot: reports.first { $0.plot }?.path))
    }
}
