import Foundation
import Recommender
import StreamEngine
import Testing
import Topology

/// Issue 9, part 1: every class of bad input record goes to the dead-letter topic — original key, value and
/// headers, where it came from, why, and its class — and the good records around it are processed as usual.
@Suite struct BadInputTests {
    static let written: Int64 = 1_732_406_400_000

    static func json(_ fields: String) -> [UInt8] { Array("{\(fields)}".utf8) }
    static func good(_ user: String, at time: Int64) -> [UInt8] {
        json(#""userId":"\#(user)","itemId":"i1","behavior":"view","timestamp":\#(time)"#)
    }

    /// One sample of each class the user task can meet, with the reason it must be given.
    static let samples: [(value: [UInt8]?, reason: EventDecodingError.Reason)] = [
        (Array("hello world".utf8), .wrongColumnCount),
        (Array(#"{"userId":"u1","itemId""#.utf8), .truncated),
        (Array("{x}".utf8), .malformed),
        (
            Array(#"{"userId":""#.utf8) + [0xFF] + Array(#"","itemId":"i","behavior":"view","timestamp":1}"#.utf8),
            .invalidUTF8
        ),
        (json(#""userId":"u1","itemId":"i1","behavior":"view""#), .missingField),
        (json(#""userId":"u1","itemId":"i1","behavior":"view","timestamp":"soon""#), .wrongType),
        (json(#""userId":"u1","itemId":"i1","behavior":"teleport","timestamp":1"#), .unknownBehavior),
        (json(#""userId":"u1","itemId":"i1","behavior":"view","timestamp":0"#), .timestampOutOfRange),
        (
            json(#""userId":"u1","itemId":"i1","behavior":"view","timestamp":\#(written + 7_200_000)"#),
            .timestampInFuture
        ),
        (json(#""userId":"","itemId":"i1","behavior":"view","timestamp":1"#), .emptyId),
        (
            json(#""userId":"\#(String(repeating: "u", count: 300))","itemId":"i1","behavior":"view","timestamp":1"#),
            .idTooLong
        ),
        (Array(repeating: UInt8(ascii: " "), count: 2_000), .recordTooLarge),
        (nil, .nullValue),
        (Array("  \n".utf8), .emptyRecord),
    ]

    @Test func everyClassGoesToTheDeadLetterTopicWithItsReasonAndTheGoodOnesAroundItAreProcessed() {
        var settings = PipelineSettings()
        settings.maxRecordBytes = 1_024
        var runner = LocalRunner(settings: settings)
        var outputs: [OutputRecord] = []
        let originalHeaders = [RecordHeader("trace-id", "t-1"), RecordHeader(name: "empty", value: nil)]
        var offset: Int64 = 0
        func feed(_ value: [UInt8]?, key: String, timestamp: Int64? = Self.written, headers: [RecordHeader] = []) {
            let record = StreamRecord(
                topic: "user-behavior", partition: 0, offset: offset, key: Array(key.utf8), value: value,
                timestamp: timestamp, headers: headers)
            runner.process(record) { outputs.append($0) }
            offset += 1
        }
        for (index, sample) in Self.samples.enumerated() {
            feed(Self.good("g\(index)", at: Self.written - 1_000 + Int64(index)), key: "g\(index)")
            feed(sample.value, key: "bad-\(index)", headers: originalHeaders)
        }
        feed(Self.good("last", at: Self.written), key: "last")

        let dead = outputs.filter { $0.topic == "user-behavior.dlq" }
        #expect(dead.count == Self.samples.count)
        for (index, sample) in Self.samples.enumerated() {
            guard let letter = dead.first(where: { $0.key == Array("bad-\(index)".utf8) }) else {
                Issue.record("no dead letter for \(sample.reason)")
                continue
            }
            #expect(letter.headerText(OutputHeaders.errorClass) == sample.reason.rawValue, "\(sample.reason)")
            #expect(letter.headerText(OutputHeaders.errorReason)?.contains(sample.reason.rawValue) == true)
            #expect(letter.timestamp == Self.written)
            if sample.reason == .recordTooLarge {
                // Cut to the limit (issue 19: a copy never larger than an accepted record), the original's size given.
                let kept = (letter.key?.count ?? 0) + (letter.value?.count ?? 0)
                #expect(kept == settings.maxRecordBytes)
                #expect(letter.value.map { sample.value?.starts(with: $0) == true } == true)
                #expect(letter.headerText(OutputHeaders.originalBytes) != nil)
            } else {
                #expect(letter.value == sample.value)
                #expect(Array(letter.headers.prefix(2)) == originalHeaders, "original headers first, unchanged")
            }
            #expect(letter.headerText(OutputHeaders.source) == "user-behavior:0:\(2 * index + 1)")
        }
        let counters = runner.pipeline.counters
        #expect(counters.deadLettered == Self.samples.count)
        #expect(counters.deadLettersByReason.values.allSatisfy { $0 == 1 })
        #expect(Set(counters.deadLettersByReason.keys) == Set(Self.samples.map(\.reason)))
        #expect(counters.eventsProcessed == Self.samples.count + 1)
        let listed = Set(
            outputs.filter { $0.topic == "recommendations" }.compactMap {
                $0.key.map { String(decoding: $0, as: UTF8.self) }
            })
        #expect(Self.samples.indices.allSatisfy { listed.contains("g\($0)") } && listed.contains("last"))
    }

    @Test func theFutureIsMeasuredFromTheRecordsOwnKafkaTimestamp() {
        var settings = PipelineSettings()
        settings.maxFutureSkew = 60_000
        var runner = LocalRunner(settings: settings)
        var outputs: [OutputRecord] = []
        let cases: [(eventTime: Int64, recordTime: Int64?, dead: Bool)] = [
            (Self.written + 60_000, Self.written, false),  // exactly the allowed skew
            (Self.written + 60_001, Self.written, true),
            (Self.written + 86_400_000, nil, false),  // no Kafka timestamp (a file replay): nothing to measure from
            (Self.written - 86_400_000, Self.written, false),  // the past is the watermark's business, not this check
        ]
        for (offset, item) in cases.enumerated() {
            let record = StreamRecord(
                topic: "user-behavior", partition: 0, offset: Int64(offset), key: nil,
                value: Self.good("u\(offset)", at: item.eventTime), timestamp: item.recordTime)
            runner.process(record) { outputs.append($0) }
        }
        let dead = outputs.filter { $0.topic == "user-behavior.dlq" }
        #expect(dead.map { $0.headerText(OutputHeaders.source) } == ["user-behavior:0:1"])
        #expect(dead.first?.headerText(OutputHeaders.errorReason)?.contains("--max-future-skew-ms") == true)
    }

    @Test func limitsAreValidated() {
        var settings = PipelineSettings()
        settings.maxRecordBytes = 0
        #expect(throws: SettingsError.self) { try settings.validate() }
        settings = PipelineSettings()
        settings.maxFutureSkew = -1
        #expect(throws: SettingsError.self) { try settings.validate() }
    }
}
