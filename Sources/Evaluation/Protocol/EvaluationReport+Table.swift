import Foundation
import Recommender

extension EvaluationReport {
    /// The terminal view: the run in one line, the strategies overall, HR@N per bucket.
    public func table() -> String {
        let n = listLength
        var lines = [
            "\(events) events, \(users) users, catalogue \(catalogueSize) items; targets: \(targets.joined(separator: ",")); "
                + "\(evaluationPoints) evaluation points (\(coldStartPoints) cold start: the user's first interaction)"
        ]
        if let runtimeSeconds { lines[0] += String(format: "; %.1f s", runtimeSeconds) }
        if reportedFrom != nil || reportedUntil != nil {
            let from = reportedFrom.map(TimeBucket.time(of:)) ?? "the start"
            let until = reportedUntil.map(TimeBucket.time(of:)) ?? "the end"
            lines.append("reported: target events from \(from) until \(until) (every event before is trained on)")
        }
        lines.append(
            "learned ranker: \(model.examplesTrained) examples trained, \(model.versionsPublished) versions published, "
                + "active \(model.activeVersion ?? "none (blend)")")
        lines.append("")
        // ± is 1.96 bootstrap standard errors over users.
        let header = ["strategy", "HR@\(n)", "NDCG@\(n)", "MRR", "coverage", "cold HR@\(n)"]
        var rows: [[String]] = []
        for strategy in strategies {
            guard let metrics = overall[strategy.rawValue] else { continue }
            rows.append(
                [
                    strategy.rawValue, Self.figure(metrics.hitRate, metrics.hitRateInterval),
                    Self.figure(metrics.ndcg, metrics.ndcgInterval),
                    Self.figure(metrics.mrr),
                    Self.figure(metrics.coverage), Self.figure(coldStart[strategy.rawValue]?.hitRate ?? 0),
                ])
        }
        lines += Self.aligned([header] + rows)
        lines.append("")
        lines.append("HR@\(n) by \(bucket.rawValue):")
        let bucketHeader = ["\(bucket.rawValue) of", "points"] + strategies.map(\.rawValue)
        let bucketRows = buckets.map { bucket in
            [bucket.date, String(bucket.points)]
                + strategies.map { Self.figure(bucket.metrics[$0.rawValue]?.hitRate ?? 0) }
        }
        lines += Self.aligned([bucketHeader] + bucketRows)
        return lines.joined(separator: "\n") + "\n"
    }

    static func figure(_ value: Double) -> String { String(format: "%.4f", value) }

    /// A figure with its ± when it has one.
    static func figure(_ value: Double, _ interval: Double?) -> String {
        interval.map { String(format: "%.4f ± %.4f", value, $0) } ?? figure(value)
    }

    /// Columns padded to their widest cell: the first left-aligned, the rest right-aligned.
    static func aligned(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
    }
}
