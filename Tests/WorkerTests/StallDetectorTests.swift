import StreamEngine
import Testing

@testable import Worker

/// The stall rule on its own, with a clock the test moves: records behind the position, none delivered, for the
/// timeout.
@Suite struct StallDetectorTests {
    let partition = TopicPartition(topic: "user-behavior", partition: 0)
    let other = TopicPartition(topic: "user-behavior", partition: 1)

    func record(_ partition: TopicPartition) -> StreamRecord {
        StreamRecord(topic: partition.topic, partition: partition.partition, offset: 0, key: nil, value: nil)
    }

    @Test func aPartitionWithLagAndNoRecordsForTheTimeoutIsStalledUntilRecordsCome() {
        let detector = StallDetector(timeout: .seconds(5))
        let start = ContinuousClock.now
        let lag = [partition: Int64(40), other: 3]
        let assigned = [partition, other]
        var change = detector.update(delivered: [], lag: lag, assigned: assigned, paused: [], now: start)
        #expect(change == StallDetector.Change())
        // `other` keeps delivering; `partition` does not.
        change = detector.update(
            delivered: [record(other)], lag: lag, assigned: assigned, paused: [], now: start + .seconds(4))
        #expect(change.stalled.isEmpty)
        change = detector.update(
            delivered: [record(other)], lag: lag, assigned: assigned, paused: [], now: start + .seconds(5))
        #expect(change.stalled == [partition])
        #expect(detector.stalled == [partition])
        change = detector.update(
            delivered: [record(partition)], lag: lag, assigned: assigned, paused: [], now: start + .seconds(6))
        #expect(change.recovered == [partition])
        #expect(detector.stalled.isEmpty)
    }

    @Test func noLagPausedAndRevokedPartitionsAreNeverStalled() {
        let detector = StallDetector(timeout: .seconds(1))
        let start = ContinuousClock.now
        _ = detector.update(
            delivered: [], lag: [partition: 0, other: 9], assigned: [partition, other], paused: [other],
            now: start)
        var change = detector.update(
            delivered: [], lag: [partition: 0, other: 9], assigned: [partition, other], paused: [other],
            now: start + .seconds(10))
        #expect(change.stalled.isEmpty, "caught up, or paused by backpressure")
        _ = detector.update(delivered: [], lag: [other: 9], assigned: [other], paused: [], now: start + .seconds(10))
        change = detector.update(
            delivered: [], lag: [other: 9], assigned: [other], paused: [], now: start + .seconds(12))
        #expect(change.stalled == [other])
        change = detector.update(delivered: [], lag: [other: 9], assigned: [], paused: [], now: start + .seconds(13))
        #expect(change.recovered == [other], "a revoked partition is no longer reported")
    }
}
