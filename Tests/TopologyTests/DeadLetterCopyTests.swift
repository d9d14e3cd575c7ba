import Recommender
import StreamEngine
import Testing

@testable import Topology

/// A set-aside copy is the original when it fits `--max-record-bytes`, else its first bytes with the original's
/// size and SHA-256 — never larger than an accepted record, so it always fits the producer.
@Suite struct DeadLetterCopyTests {
    func record(key: String?, value: [UInt8], headers: [RecordHeader] = []) -> StreamRecord {
        StreamRecord(
            topic: "user-behavior", partition: 3, offset: 42, key: key.map { Array($0.utf8) }, value: value,
            headers: headers)
    }

    @Test func aRecordWithinTheLimitIsCopiedWhole() {
        let original = record(key: "u1", value: Array("not json".utf8), headers: [RecordHeader("app", "x")])
        let copy = OutputHeaders.setAside(original, to: "dlq", reason: "notJSON", limit: 1_024)
        #expect(copy.key == original.key)
        #expect(copy.value == original.value)
        #expect(copy.headers.first == RecordHeader("app", "x"))
        #expect(copy.headerText(OutputHeaders.originalBytes) == nil)
        #expect(copy.headerText(OutputHeaders.source) == "user-behavior:3:42")
    }

    @Test func aLargerRecordIsCutToTheLimitWithItsSizeDigestAndSource() {
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: 10_000)
        let key = String(repeating: "k", count: 2_000)
        let original = record(
            key: key, value: value, headers: [RecordHeader("app", String(repeating: "h", count: 500))])
        let copy = OutputHeaders.setAside(original, to: "dlq", reason: "recordTooLarge", limit: 1_024)
        #expect((copy.key?.count ?? 0) == 256, "the key keeps at most a quarter of the limit")
        #expect((copy.key?.count ?? 0) + (copy.value?.count ?? 0) == 1_024)
        #expect(copy.value.map { value.starts(with: $0) } == true)
        #expect(!copy.headers.contains { $0.name == "app" }, "the original headers are left out")
        #expect(copy.headerText(OutputHeaders.originalBytes) == String(2_000 + 10_000 + 3 + 500))
        #expect(copy.headerText(OutputHeaders.source) == "user-behavior:3:42")
        #expect(copy.headerText(OutputHeaders.originalValueSHA256)?.count == 64)
    }

    @Test func theDigestIsTheSHA256OfTheWholeValue() {
        // FIPS 180-2's test vector: SHA-256("abc").
        let copy = OutputHeaders.setAside(
            record(key: nil, value: Array("abc".utf8)), to: "dlq", reason: "recordTooLarge", limit: 2)
        #expect(copy.value == Array("ab".utf8))
        #expect(
            copy.headerText(OutputHeaders.originalValueSHA256)
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func aLongReasonIsClipped() {
        let reason = String(repeating: "r", count: 5_000)
        let copy = OutputHeaders.setAside(record(key: nil, value: [1]), to: "dlq", reason: reason, limit: 1_024)
        let kept = copy.headerText(OutputHeaders.errorReason) ?? ""
        #expect(kept.utf8.count == OutputHeaders.maxReasonBytes)
        #expect(kept.hasSuffix("..."))
    }
}
