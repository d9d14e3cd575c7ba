import Kafka
import StreamEngine
import Testing

@Suite struct PartitionerAgreementTests {
    @Test func swiftMurmur2PicksTheSamePartitionAsLibrdkafka() {
        var random = SystemRandomNumberGenerator()
        var keys: [[UInt8]] = (0..<20_000).map { Array("i\($0)".utf8) } + (0..<20_000).map { Array("user-\($0)".utf8) }
        // Every length from 1 to 64 (all tail cases), with arbitrary bytes including 0x80...0xFF.
        for length in 1...64 {
            for _ in 0..<100 { keys.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }) }
        }
        for partitions: Int32 in [1, 2, 3, 4, 6, 12, 100] {
            let disagreements = keys.filter { key in
                KeyPartitioner.partition(for: key, partitionCount: partitions)
                    != KafkaPartitioner.murmur2Partition(for: key, partitionCount: partitions)
            }
            #expect(disagreements.isEmpty, "\(disagreements.count) keys differ for \(partitions) partitions")
        }
    }

    @Test func knownJavaClientValues() {
        // Values of org.apache.kafka.common.utils.Utils.murmur2, from Kafka's own UtilsTest.
        #expect(Int32(bitPattern: KeyPartitioner.murmur2(Array("21".utf8))) == -973_932_308)
        #expect(Int32(bitPattern: KeyPartitioner.murmur2(Array("foobar".utf8))) == -790_332_482)
        #expect(Int32(bitPattern: KeyPartitioner.murmur2(Array("a-little-bit-long-string".utf8))) == -985_981_536)
        #expect(Int32(bitPattern: KeyPartitioner.murmur2(Array("a-little-bit-longer-string".utf8))) == -1_486_304_829)
        #expect(
            Int32(bitPattern: KeyPartitioner.murmur2(Array("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8".utf8)))
                == -58_897_971)
        #expect(Int32(bitPattern: KeyPartitioner.murmur2(Array("abc".utf8))) == 479_470_107)
    }
}
