import Foundation
import FuzzChecks
import Testing

/// The committed fuzz corpus (`Fuzz/corpus/<target>/`, seeds and every crasher found), replayed on each test run,
/// so a decoder fixed after a fuzzer crash stays fixed without running the fuzzer.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/corpus").standardized.path

    @Test(arguments: FuzzChecks.Target.allCases)
    func everyCorpusInputPassesItsTarget(_ target: FuzzChecks.Target) throws {
        let inputs = FuzzChecks.files(in: "\(Self.corpus)/\(target.rawValue)")
        #expect(!inputs.isEmpty)
        for input in inputs {
            FuzzChecks.run(target, Array(try Data(contentsOf: URL(fileURLWithPath: input))))
        }
    }
}
