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

    /// Announcements come once per user window (minutes of event time); a slow pipeline can take longer than the
    /// idle timeout between two. The partition's events in between keep it from counting as idle (seen in the crash
    /// test: windows fired early and an upstream partition's events came late).
    @Test func aPartitionWhoseEventsKeepComingIsNotIdleBetweenAnnouncements() {
        var upstream = UpstreamWatermarks(partitions: 2, idleTimeout: .seconds(30), now: start)
        upstream.observe(upstream: 0, watermark: 500, at: start)
        upstream.observe(upstream: 1, watermark: 200, at: start)
        for second in stride(from: 10, through: 60, by: 10) {
            upstream.observe(upstream: 0, watermark: 500 + Int64(second), at: start + .seconds(second))
            upstream.heard(from: 1, at: start + .seconds(second))  // an event of partition 1, no announcement
        }
        #expect(upstream.watermark(at: start + .seconds(60)) == 200)
        // A partition first heard through an event holds back until it announces.
        var fresh = UpstreamWatermarks(partitions: 2, idleTimeout: .seconds(30), now: start)
        fresh.observe(upstream: 0, watermark: 500, at: start + .seconds(35))
        fresh.heard(from: 1, at: start + .seconds(35))
        #expect(fresh.watermark(at: start + .seconds(36)) == .min)
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
