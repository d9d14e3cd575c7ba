import PropertyBased
import StreamEngine
import Testing

@testable import Topology

/// An output record's id is `topic:partition:offset:sequence` in decimal, written as bytes, and the item task reads
/// the three numbers back from it in place.
@Suite struct OutputHeaderIDTests {
    func id(partition: Int32, offset: Int64, sequence: Int) -> [UInt8] {
        let record = StreamRecord(topic: "user-behavior", partition: partition, offset: offset, key: nil, value: nil)
        return OutputHeaders.id(for: record, sequence: sequence).value ?? []
    }

    @Test(arguments: [Int64(0), 7, 9, 10, 99, 100, 1_234_567, -45, .max, .min])
    func numbersAreWrittenAsSwiftPrintsThem(number: Int64) {
        let bytes = id(partition: 3, offset: number, sequence: 12)
        #expect(String(decoding: bytes, as: UTF8.self) == "user-behavior:3:\(number):12")
    }

    @Test func everyIdIsReadBackAsWritten() async {
        await propertyCheck(
            count: 500, input: Gen.int64(in: 0...Int64(Int32.max)), Gen.int64(in: 0...Int64.max),
            Gen.int64(in: 0...1_000_000)
        ) { partition, offset, sequence in
            let bytes = id(partition: Int32(partition), offset: offset, sequence: Int(sequence))
            #expect(String(decoding: bytes, as: UTF8.self) == "user-behavior:\(partition):\(offset):\(sequence)")
            let read = OutputHeaders.position(inID: bytes)
            #expect(read?.partition == Int32(partition) && read?.offset == offset && read?.sequence == Int(sequence))
        }
    }
}
