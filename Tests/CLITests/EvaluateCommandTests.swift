import Foundation
import Testing

@Suite("streamrec evaluate and convert", .serialized)
struct EvaluateCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/movielens")

    @Test func evaluateOnTheMovieLensSampleWritesTheTableTheJSONAndTheChart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (json, svg) = (directory.appendingPathComponent("q.json"), directory.appendingPathComponent("q.svg"))
        let result = try runStreamrec([
            "evaluate", "--format", "movielens", "--items",
            Self.fixtures.appendingPathComponent("ml-100k-sample.item").path,
            Self.fixtures.appendingPathComponent("ml-100k-sample.inter").path, "--bucket", "day", "--json", json.path,
            "--plot", svg.path,
        ])
        #expect(result.status == 0, "stderr: \(result.err.suffix(2_000))")
        #expect(result.out.contains("173 evaluation points"))
        #expect(result.out.contains("HR@10 by day:"))
        for strategy in ["popular", "trending", "item-cf", "content", "blend", "learned", "hybrid"] {
            #expect(result.out.contains("\n\(strategy) "), "\(strategy) row")
        }
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        #expect(report["evaluationPoints"] as? Int == 173)
        #expect(report["events"] as? Int == 300)
        #expect(report["catalogueSize"] as? Int == 232)
        #expect((report["strategies"] as? [String])?.count == 7)
        let overall = try #require(report["overall"] as? [String: [String: Any]])
        let hybrid = try #require(overall["hybrid"])
        #expect(hybrid["points"] as? Int == 173)
        for key in ["hitRate", "ndcg", "mrr", "coverage"] { #expect(hybrid[key] is Double, "\(key)") }
        #expect(((report["buckets"] as? [Any])?.count ?? 0) > 10)
        let chart = try String(contentsOf: svg, encoding: .utf8)
        #expect(chart.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(chart.components(separatedBy: "<polyline").count - 1 == 7)
        #expect(chart.hasSuffix("</svg>\n"))
    }

    @Test func convertWritesTheEventCSVThatEvaluateReadsAsTheSameStream() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("convert-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("events.csv")
        let converted = try runStreamrec([
            "convert", "--items", Self.fixtures.appendingPathComponent("ml-100k-sample.item").path, "--output",
            csv.path,
            Self.fixtures.appendingPathComponent("ml-100k-sample.inter").path,
        ])
        #expect(converted.status == 0, "stderr: \(converted.err.suffix(2_000))")
        #expect(converted.out.contains("wrote 300 events (173 purchases)"))
        let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 300)
        #expect(lines.first == "259,255,Comedy,purchase,874724710000")
        let evaluated = try runStreamrec(["evaluate", csv.path, "--strategies", "popular,hybrid"])
        #expect(evaluated.status == 0, "stderr: \(evaluated.err.suffix(2_000))")
        #expect(evaluated.out.contains("300 events"))
        #expect(evaluated.out.contains("173 evaluation points"))
        #expect(!evaluated.out.contains("\ntrending "))
        let unknown = try runStreamrec(["evaluate", csv.path, "--strategies", "popular,magic"])
        #expect(unknown.status != 0)
        #expect(unknown.err.contains("--strategies"))
    }
}
