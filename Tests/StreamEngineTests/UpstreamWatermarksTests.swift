import StreamEngine
import Testing

@Suite struct UpstreamWatermarksTests {
    let start = ContinuousClock.now

    @Test func theSlowestUpstreamPartitionSetsEventTime() {
        var upstream = UpstreamWatermarks(partitions: 3, idleTimeout: .seconds(30), now: start)
        upstream.observe(upstream: 0, watermark: 900, at: start)
        upstream.observe(upstream: 1, watermark: 300, at: start)
        #expect(upstream.watermark(at: start) == .min)  // partition 2 may still send old events
        upstream.observe(upstream: 2, watermark: 600, at: start)
        #expect(upstream.watermark(at: start) == 300)
        upstream.observe(upstream: 1, watermark: 100, at: start)  // a watermark never goes back
        #expect(upstream.watermark(at: start) == 300)
    }

    @Test func anIdlePartitionStopsHoldingBack() {
        var upstream = UpstreamWatermarks(partitions: 2, idleTimeout: .seconds(30), now: start)
        upstream.observe(upstream: 0, watermark: 500, at: start + .seconds(40))
        // Partition 1 never spoke and the task exists for 40 s: it is idle.
        #expect(upstream.watermark(at: start + .seconds(40)) == 500)
        upstream.observe(upstream: 1, watermark: 200, at: start + .seconds(41))
        #expect(upstream.watermark(at: start + .seconds(41)) == 200)
        // Partition 1 falls silent again; after the timeout only partition 0 counts.
        upstream.observe(upstream: 0, watermark: 800, at: start + .seconds(80))
        #expect(upstream.watermark(at: start + .seconds(80)) == 800)
    }

    @Test func whenEveryPartitionIsIdleTheSlowestAnnouncementStillHolds() {
        var upstream = UpstreamWatermarks(partitions: 2, idleTimeout: .seconds(30), now: start)
        upstream.observe(upstream: 0, watermark: 900, at: start)
        upstream.observe(upstream: 1, watermark: 300, at: start)
        // The input pauses for a minute; when partition 1 resumes, its events after 300 are not late.
        #expect(upstream.watermark(at: start + .seconds(60)) == 300)
    }

    @Test func progressTravelsInAHeader() {
        let header = UpstreamWatermarks.encode(partition: 7, watermark: -42)
        let record = StreamRecord(topic: "t", partition: 0, offset: 0, key: nil, value: nil, headers: [header])
        #expect(UpstreamWatermarks.decode(record)! == (7, -42))
        #expect(
            UpstreamWatermarks.decode(StreamRecord(topic: "t", partition: 0, offset: 0, key: nil, value: nil)) == nil)
    }
}
