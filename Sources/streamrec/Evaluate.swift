import ArgumentParser
import Evaluation
import Foundation
import Recommender
import StreamEngine
import Topology

/// `streamrec evaluate`: prequential (test-then-train) quality of the recommender on a file of events.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure recommendation quality on a file of events: test-then-train, strategy by strategy.",
        discussion: """
            Events are replayed in timestamp order through the same tasks as `run` (user and item tasks, item table, \
            trainer, model registry; no broker). Before each target event (--targets, default purchase: the \
            positives) every strategy ranks the user's top-N as of that moment from the same state — popular, \
            trending, item-cf, content, blend, learned (the trainer's current model), hybrid (what the worker \
            serves) — and is scored against the item the user then chose: HR@N, NDCG@N, MRR@N, catalogue coverage, \
            overall, for first interactions and per --bucket. Formats: StreamRec JSON lines or CSV (as `replay`), \
            the Taobao UserBehavior CSV (--format taobao), MovieLens in RecBole's atomic files (--format movielens \
            --items ml-100k.item ml-100k.inter; scripts/fetch-movielens.sh fetches ML-100K).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case auto, json, csv, taobao, movielens
    }

    @Argument(help: "Events file (ratings file for --format movielens).") var input: String
    @Option(help: "auto (JSON or StreamRec CSV), json, csv, taobao (UserBehavior CSV, seconds) or movielens.")
    var format: Format = .auto
    @Option(help: "MovieLens item file (ml-100k.item), for the categories of --format movielens.") var items: String?
    @Option(help: "MovieLens: ratings at or above this are purchases (positives), the rest views.")
    var positiveRating = MovieLensConverter.defaultPositiveRating
    @Option(help: "Behaviours whose events are evaluation targets, comma-separated, or all.") var targets = "purchase"
    @Option(name: .customLong("n"), help: "List length N of HR@N, NDCG@N and MRR@N.") var listLength = 10
    @Option(help: "Time buckets of the figures over time: day or week (UTC).") var bucket: TimeBucket = .week
    @Option(help: "Strategies, comma-separated (default: all).") var strategies: String?
    @Option(help: "Read at most this many lines of the input (0: all).") var limit = 0
    @Option(
        help: """
            Report only target events at or after this point: a fraction of the events (0.5: the second half of the \
            time line) or an epoch-ms time. Every event is trained on.
            """)
    var reportFrom: String?
    @Option(help: "Report only target events before this point (a fraction or an epoch-ms time); stops there.")
    var reportUntil: String?
    @Option(help: "Interactions remembered per user (history; also what --filter-seen filters). (default: as run)")
    var historySize: Int?
    @Option(help: "Seconds of event time after which an inactive user is dropped. (default: as run)")
    var userTtlSeconds: Int?
    @Option(PipelineOptions.itemTTL) var itemTtlSeconds: Int?
    @Option(help: "Input partitions (user tasks) the users are spread over.") var partitions: Int32 = 1
    @Option(help: "Write every figure as JSON to this file.") var json: String?
    @Option(help: "Write an SVG line chart of HR@N over time per strategy to this file.") var plot: String?
    @Option(help: "Also render the chart as PNG with rsvg-convert (when it is installed).") var png: String?
    @OptionGroup(title: "Recommender") var recommender: RecommenderOptions

    func validate() throws {
        guard listLength > 0 else { throw ValidationError("--n must be positive") }
        guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
        guard limit >= 0 else { throw ValidationError("--limit cannot be negative") }
        _ = try reportBounds()
        if format == .movielens, items == nil {
            throw ValidationError("--format movielens needs --items (the ml-100k.item file, for categories)")
        }
    }

    func run() throws {
        let settings = try pipelineSettings()
        let chosen = try chosenStrategies()
        let targets: EvaluationTargets
        do { targets = try EvaluationTargets(parsing: self.targets) } catch { throw ValidationError(error.description) }
        let started = ContinuousClock.now
        let events = try readEvents()
        let bounds = try reportBounds()
        let window = ReportWindow(from: bounds.from, until: bounds.until, times: events.map(\.timestamp))
        var evaluator = PrequentialEvaluator(
            settings: settings, strategies: chosen, targets: targets, bucket: bucket, window: window)
        // Events after the window cannot change a reported figure.
        for event in events where !window.isPast(event.timestamp) { evaluator.process(event) }
        var report = evaluator.report()
        report.input = input
        report.runtimeSeconds = (ContinuousClock.now - started).inSeconds
        report.parameters = [
            "format": format.rawValue, "blend": settings.ranking.blend.description,
            "historySize": String(settings.user.historySize), "userTtlSeconds": String(settings.userTTL / 1_000),
            "itemTtlSeconds": String(settings.itemTTL / 1_000),
            "coOccurrenceWindowSeconds": String(settings.cf.coOccurrenceWindow / 1_000),
            "coOccurrenceHalfLifeSeconds": String(settings.cf.coOccurrenceHalfLife / 1_000),
            "coOccurrenceItems": String(settings.cf.coOccurrenceItems),
            "maxPerCategory": String(settings.ranking.maxPerCategory),
            "filterSeen": String(settings.ranking.filterSeen), "partitions": String(partitions),
        ]
        print(report.table(), terminator: "")
        try write(report)
    }

    private func reportBounds() throws -> (from: ReportWindow.Bound?, until: ReportWindow.Bound?) {
        func bound(_ text: String?, _ flag: String) throws -> ReportWindow.Bound? {
            guard let text else { return nil }
            guard let bound = ReportWindow.Bound(parsing: text) else {
                throw ValidationError("--\(flag): a fraction between 0 and 1 or an epoch-ms time, got '\(text)'")
            }
            return bound
        }
        return (try bound(reportFrom, "report-from"), try bound(reportUntil, "report-until"))
    }

    private func pipelineSettings() throws -> PipelineSettings {
        var settings = PipelineSettings()
        settings.ranking.topN = listLength
        // The worker's defaults unless given: an evaluation measures what `run` would serve.
        if let historySize { settings.user.historySize = historySize }
        if let userTtlSeconds { settings.userTTL = Int64(userTtlSeconds) * 1_000 }
        settings.shufflePartitions = partitions
        let sources = ConfigurationSources()
        settings.itemTTL = Int64(try sources.value(of: PipelineOptions.itemTTL, flag: itemTtlSeconds)) * 1_000
        try recommender.apply(sources, to: &settings)
        do { try settings.validate() } catch { throw ValidationError(error.description) }
        return settings
    }

    private func chosenStrategies() throws -> [RankingStrategy] {
        guard let strategies else { return RankingStrategy.allCases }
        let names = strategies.split(separator: ",").map(String.init)
        let chosen = names.compactMap(RankingStrategy.init(rawValue:))
        guard chosen.count == names.count, !chosen.isEmpty else {
            let known = RankingStrategy.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--strategies: use names among \(known)")
        }
        return chosen
    }

    private func readEvents() throws -> [BehaviorEvent] {
        if format == .movielens {
            let categories = try MovieLensConverter.firstGenres(itemFile: try fileText(items!))
            var events = try MovieLensConverter.events(
                interactionFile: try fileText(input), categories: categories, positiveRating: positiveRating)
            if limit > 0 { events = Array(events.prefix(limit)) }
            return events
        }
        let eventFormat: EventFormat =
            switch format {
            case .json: .json
            case .csv: .csv
            case .taobao: .taobaoCSV
            case .auto, .movielens: .auto
            }
        var loaded = EvaluationInput()
        let reader = try LineReader(path: input)
        var lines = 0
        while let line = reader.next(), limit == 0 || lines < limit {
            lines += 1
            loaded.add(line: line, format: eventFormat)
        }
        if loaded.rejected > 0 {
            let reason = loaded.firstRejection ?? ""
            FileHandle.standardError.write(
                Data("skipped \(loaded.rejected) lines that do not decode (\(reason))\n".utf8))
        }
        return loaded.inTimeOrder()
    }

    private func write(_ report: EvaluationReport) throws {
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
            print("wrote \(json)")
        }
        guard let plot else {
            if png != nil { throw ValidationError("--png needs --plot (the SVG it is rendered from)") }
            return
        }
        let title = "HR@\(report.listLength) by \(bucket.rawValue): \((input as NSString).lastPathComponent)"
        try HitRateChart().svg(report, title: title).write(toFile: plot, atomically: true, encoding: .utf8)
        print("wrote \(plot)")
        if let png { renderPNG(svg: plot, png: png) }
    }

    /// rsvg-convert when installed; a missing renderer is a note, not a failure (the SVG is the result).
    private func renderPNG(svg: String, png: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["rsvg-convert", "--format", "png", "--output", png, svg]
        do {
            try process.run()
            process.waitUntilExit()
        } catch {}
        if process.terminationStatus == 0 {
            print("wrote \(png)")
        } else {
            FileHandle.standardError.write(Data("no PNG: rsvg-convert is not installed or failed\n".utf8))
        }
    }
}

extension TimeBucket: ExpressibleByArgument {}
