import Foundation
import Testing

/// `streamrec generate` and `streamrec replay` as a backfill tool: every window of a bounded input closed at its end
/// (as Flink's final watermark does), features only, several lanes, run's flags.
@Suite("streamrec generate and replay", .serialized)
struct ReplayCommandTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID())")

    /// Generates 3 000 events of the scale workload (small catalogue) into the test directory.
    func generated() throws -> (file: URL, lines: [[Substring]]) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("events.csv")
        let result = try runStreamrec([
            "generate", "--events", "3000", "--users", "200", "--items", "300", "--categories", "20", "--hours", "0.5",
            "--output", file.path,
        ])
        #expect(result.status == 0, "stderr: \(result.err.suffix(2_000))")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        return (file, lines)
    }

    /// Each JSON line of DIR/topic.jsonl.
    func records(_ topic: String, in output: URL) throws -> [[String: Any]] {
        let path = output.appendingPathComponent("\(topic).jsonl").path
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The (user, 5-minute window) pairs the events fall in, counted here from the file itself.
    func userWindows(_ lines: [[Substring]]) -> Set<String> {
        Set(lines.map { "\($0[0])@\(Int64($0[4])! / 300_000 * 300_000)" })
    }

    func replay(_ file: URL, _ name: String, _ flags: [String]) throws -> (URL, String) {
        let output = directory.appendingPathComponent(name)
        let result = try runStreamrec(["replay", "--input", file.path, "--output", output.path] + flags)
        #expect(result.status == 0, "stderr: \(result.err.suffix(2_000))")
        return (output, result.out)
    }

    @Test func generateWritesTheScaleWorkloadReproducibly() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (file, lines) = try generated()
        #expect(lines.count == 3_000)
        #expect(lines.allSatisfy { $0.count == 5 })
        // One category per item: i<n> is in c<n % 20>.
        #expect(lines.allSatisfy { Int($0[1].dropFirst())! % 20 == Int($0[2].dropFirst())! })
        let times = lines.map { Int64($0[4])! }
        #expect(times.max()! - times.min()! <= 1_800_000)
        let again = directory.appendingPathComponent("again.csv")
        _ = try runStreamrec([
            "generate", "--events", "3000", "--users", "200", "--items", "300", "--categories", "20", "--hours", "0.5",
            "--output", again.path,
        ])
        #expect(try Data(contentsOf: again) == Data(contentsOf: file))
    }

    @Test func aBoundedReplayClosesEveryWindowAndFeaturesOnlySendsNoLists() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (file, lines) = try generated()
        let expected = userWindows(lines)
        for (name, flags) in [("full", ["--lanes", "1"]), ("features", ["--lanes", "2", "--features-only"])] {
            let (output, _) = try replay(file, name, flags)
            let features = try records("user-features", in: output)
            let windows = features.map { "\($0["userId"] as! String)@\($0["windowStart"] as! Int)" }
            #expect(Set(windows) == expected, "\(name): every user window closed, none invented")
            #expect(windows.count == expected.count, "\(name): each window once")
            // Every event is counted in exactly one window.
            #expect(features.reduce(0) { $0 + ($1["events"] as! Int) } == lines.count, "\(name)")
            #expect(!(try records("item-features", in: output)).isEmpty)
            let lists = try records("recommendations", in: output)
            #expect(name == "full" ? lists.count >= lines.count : lists.isEmpty, "\(name): \(lists.count) lists")
        }
    }

    @Test func keepingWindowsOpenLeavesTheLastOnesUnsent() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (file, lines) = try generated()
        let (output, _) = try replay(file, "open", ["--keep-windows-open", "--features-only", "--lanes", "1"])
        let features = try records("user-features", in: output)
        let lastStart = lines.map { Int($0[4])! / 300_000 * 300_000 }.max()!
        #expect(!features.isEmpty)
        #expect(features.allSatisfy { ($0["windowStart"] as! Int) < lastStart })
        #expect(features.count < userWindows(lines).count)
    }

    @Test func replayTakesRunsFlagsAndRejectsBadOnes() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (file, _) = try generated()
        let (output, _) = try replay(file, "flags", ["--lanes", "1", "--top-n", "3", "--user-window-seconds", "60"])
        let feeds = try records("recommendations", in: output).filter { $0["surface"] as? String == "personalized" }
        #expect(!feeds.isEmpty)
        #expect(feeds.allSatisfy { (($0["items"] as? [Any])?.count ?? 0) <= 3 })
        let minuteWindows = try records("user-features", in: output).map { $0["windowStart"] as! Int }
        #expect(minuteWindows.contains { $0 % 300_000 != 0 })  // 1-minute windows, not 5
        let bad = try runStreamrec(["replay", "--input", file.path, "--output", output.path, "--lanes", "0"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("--lanes must be positive"))
    }
}
