import Foundation
import FuzzChecks
import PropertyBased
import Recommender
import StreamEngine
import Testing
import Topology

/// Issue 9, part 2: properties of the codecs and the windows, on generated inputs (swift-property-based; a failure
/// prints the seed that reproduces it, and the input shrunk).
@Suite struct PropertyTests {
    /// Any Unicode scalar but the surrogates (which are not scalars).
    static let scalar = Gen.oneOf(
        Gen.unicodeScalar(in: "\u{0}"..."\u{D7FF}"), Gen.unicodeScalar(in: "\u{E000}"..."\u{10FFFF}"))
    /// Ids of any characters: quotes, backslashes, control characters, emoji.
    static let anyID = scalar.array(of: 1...40).map { String(String.UnicodeScalarView($0)) }
    /// Ids as CSV can carry them (no commas or line breaks), with the punctuation real ids have.
    static let plainID = Gen<Character?>.element(of: Array("abcXYZ019_-.:/@ é中") as [Character]).map { $0! }
        .string(of: 1...24)
    static let timestamp = Gen.int64(in: BehaviorEvent.timestampRange)

    static let anyEvent = zip(zip(anyID, anyID), Gen<Behavior>.case, timestamp, zip(Gen.bool, anyID)).map(event)
    static let plainEvent = zip(zip(plainID, plainID), Gen<Behavior>.case, timestamp, zip(Gen.bool, plainID)).map(event)

    @Sendable static func event(
        ids: (String, String), behavior: Behavior, time: Int64, category: (Bool, String)
    ) -> BehaviorEvent {
        BehaviorEvent(
            userId: ids.0, itemId: ids.1, behavior: behavior, timestamp: time, categoryId: category.0 ? category.1 : nil
        )
    }

    @Test func everyValidEventSurvivesTheJSONRoundTrip() async {
        await propertyCheck(count: 300, input: Self.anyEvent) { event in
            #expect((try? EventCodec.decode(EventCodec.encodeJSON(event), format: .json)) == event)
            #expect((try? EventCodec.decode(EventCodec.encodeJSON(event), format: .auto)) == event)
        }
    }

    /// CSV has no quoting: events whose ids have no comma or line break (and no blank in front of the record).
    @Test func everyEventCSVCanCarrySurvivesTheCSVRoundTrip() async {
        await propertyCheck(count: 300, input: Self.plainEvent, Self.anyEvent) { plain, any in
            for event in [plain, any] where EventCodec.canEncodeCSV(event) {
                #expect((try? EventCodec.decode(EventCodec.encodeCSV(event), format: .csv)) == event)
            }
        }
    }

    /// Arbitrary bytes, and valid records with a few bytes changed: decoding throws or gives an event that round
    /// trips (the fuzz target's check), and never traps.
    @Test func decodingNeverTrapsAndWhatDecodesRoundTrips() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 0...120)) { bytes in
            FuzzChecks.run(.events, bytes)
        }
        let mutations = zip(Gen.int(in: 0...1_000), Gen.uint8()).array(of: 1...4)
        await propertyCheck(count: 500, input: Self.anyEvent, mutations, Gen.bool) {
            event, mutations, csv in
            var bytes = csv ? EventCodec.encodeCSV(event) : EventCodec.encodeJSON(event)
            for (position, byte) in mutations { bytes[position % bytes.count] = byte }
            FuzzChecks.run(.events, bytes)
        }
    }

    @Test func everyTimestampFallsInExactlyOneAlignedWindow() async {
        await propertyCheck(
            count: 500, input: Gen.int64(in: -4_102_444_800_000...4_102_444_800_000), Gen.int64(in: 1...86_400_000)
        ) { time, size in
            let windows = TumblingWindows(size: size)
            let start = windows.start(of: time)
            #expect(start <= time && time < windows.end(of: time))
            #expect(windows.end(of: time) == start + size)
            #expect(start % size == 0)
            #expect(windows.start(of: start) == start && windows.start(of: start + size - 1) == start)
            #expect(windows.start(of: start - 1) == start - size)
        }
    }

    /// A few users' events, somewhat out of order, then a far later event that closes every window: each user
    /// window closes once, and the windows' event counts plus the user's late events are exactly what was fed.
    @Test func windowsCloseOnceAndCountEveryEventFed() async {
        let steps = zip(Gen.int(in: 0..<4), Gen.int64(in: -8_000...90_000)).array(of: 1...60)
        await propertyCheck(count: 40, input: steps) { steps in
            var runner = LocalRunner(settings: PipelineSettings())
            var outputs: [OutputRecord] = []
            var fed: [String: Int] = [:]
            var time: Int64 = 1_700_000_000_000
            for (offset, (user, delta)) in steps.enumerated() {
                time += delta
                let event = BehaviorEvent(
                    userId: "u\(user)", itemId: "i\(offset % 7)", behavior: .view, timestamp: time)
                fed[event.userId, default: 0] += 1
                let record = StreamRecord(
                    topic: "user-behavior", partition: 0, offset: Int64(offset), key: nil,
                    value: EventCodec.encodeJSON(event))
                runner.process(record) { outputs.append($0) }
            }
            let flush = BehaviorEvent(
                userId: "flush", itemId: "i0", behavior: .view, timestamp: time + 3 * PipelineSettings().userWindow)
            let last = StreamRecord(
                topic: "user-behavior", partition: 0, offset: Int64(steps.count), key: nil,
                value: EventCodec.encodeJSON(flush))
            runner.process(last) { outputs.append($0) }

            let features = outputs.filter { $0.topic == "user-features" }
            let ids = features.compactMap { $0.headerText(OutputHeaders.id) }
            #expect(Set(ids).count == features.count, "a window closed twice")
            var counted: [String: Int] = [:]
            for record in features {
                let body = (try? JSONSerialization.jsonObject(with: Data(record.value ?? []))) as? [String: Any] ?? [:]
                counted[body["userId"] as? String ?? "", default: 0] += body["events"] as? Int ?? 0
            }
            for record in outputs where record.topic == "user-behavior.late" {
                let event = try? EventCodec.decode(record.value ?? [])
                counted[event?.userId ?? "", default: 0] += 1
            }
            #expect(counted == fed)
        }
    }
}
