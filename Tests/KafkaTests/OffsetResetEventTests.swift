import Kafka
import StreamEngine
import Testing

/// librdkafka reports an offset reset only in its log; these are its lines (2.0.2's format, and the older one).
@Suite struct OffsetResetEventTests {
    @Test func aResetOutOfRangeIsReadFromLibrdkafkasWarning() {
        let line =
            "streamrec-item-shuffle [12]: offset reset (at offset 10039 (leader epoch 0), broker 1) to offset "
            + "BEGINNING (leader epoch -1): fetch failed due to requested offset not available on the broker: "
            + "Broker: Offset out of range"
        let reset = OffsetResetEvent(logLine: line)
        #expect(reset?.partition == TopicPartition(topic: "streamrec-item-shuffle", partition: 12))
        #expect(reset?.offset == 10_039)
        #expect(reset?.reason.contains("Offset out of range") == true)
        let older =
            "user-behavior [0]: offset reset (at offset 554, broker 1) to END: fetch failed: Offset out of range"
        #expect(OffsetResetEvent(logLine: older)?.offset == 554)
        // As the log callback receives it, with the thread in front.
        let threaded = OffsetResetEvent(logLine: "[thrd:main]: " + line)
        #expect(threaded?.partition == TopicPartition(topic: "streamrec-item-shuffle", partition: 12))
    }

    @Test func otherLinesAndResetsWithoutAPositionAreNotResets() {
        #expect(
            OffsetResetEvent(logLine: "user-behavior [0]: offset reset (at offset INVALID, broker -1) to BEGINNING")
                == nil)
        #expect(OffsetResetEvent(logLine: "Fetch topic user-behavior [0] at offset 12") == nil)
        #expect(OffsetResetEvent(logLine: "") == nil)
    }
}
