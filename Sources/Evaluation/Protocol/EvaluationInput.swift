import Recommender

/// Events for an evaluation, decoded from lines of a StreamRec event file (JSON lines or CSV) or the Taobao
/// UserBehavior CSV, and put in event-time order — prequential evaluation replays history as it happened, and
/// neither Taobao's file (by user) nor MovieLens's (random) is in time order.
public struct EvaluationInput: Sendable {
    public private(set) var events: [BehaviorEvent] = []
    /// Lines that did not decode (the worker would dead-letter them), with the first reason.
    public private(set) var rejected = 0
    public private(set) var firstRejection: String?

    public init() {}

    public init(events: [BehaviorEvent]) { self.events = events }

    /// Decodes one line; blank lines are skipped.
    public mutating func add(line: [UInt8], format: EventFormat) {
        guard line.contains(where: { $0 > 32 }) else { return }
        do {
            events.append(try EventCodec.decode(line, format: format))
        } catch {
            rejected += 1
            if firstRejection == nil { firstRejection = error.description }
        }
    }

    /// The events by timestamp; events of the same millisecond keep their order in the input.
    public func inTimeOrder() -> [BehaviorEvent] {
        events.indices.sorted { (events[$0].timestamp, $0) < (events[$1].timestamp, $1) }.map { events[$0] }
    }
}
