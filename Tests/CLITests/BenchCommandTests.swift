import Foundation
import Testing

// In the serialized command-line suite: the bench measures, so it should not share the cores with the demo.
extension DemoCommandTests {
    /// Every figure of `bench --kafka` comes out, on a tiny load; their values are the benchmark's business.
    @Test func theKafkaBenchPrintsEveryFigure() throws {
        let result = try runStreamrec(
            [
                "bench", "--kafka", "--events", "2000", "--partitions", "4", "--lanes", "1", "--latency-rates", "2000",
                "--latency-seconds", "1", "--warmup-seconds", "1",
            ], timeout: 90)
        #expect(result.status == 0, "stderr: \(result.err.suffix(2_000))")
        let summary = try #require(result.out.components(separatedBy: "\nsummary").last)
        let figures = [
            #"\(a\) raw consume rate  [0-9]+ events/s"#,
            #"\(b\) worker, 1 lane\(s\), at-least-once  [0-9]+ events/s  ratio \(b\)/\(a\) [0-9.]+"#,
            #"\(b\) worker, 1 lane\(s\), exactly-once  [0-9]+ events/s  ratio \(b\)/\(a\) [0-9.]+"#,
            #"exactly-once / at-least-once [0-9.]+"#,
            #"\(c\) latency at 2000 events/s offered, exactly-once.* processed [0-9]+ events/s"#,
            #"visible to read_committed  p50 [0-9.]+ ms  p99 [0-9.]+ ms  p99\.9 [0-9.]+ ms"#,
            #"fetched \(produced\)  +p50 [0-9.]+ ms  p99 [0-9.]+ ms  p99\.9 [0-9.]+ ms"#,
        ]
        for figure in figures {
            #expect(summary.contains(try Regex(figure)), "missing \(figure) in:\n\(summary)")
        }
    }
}
