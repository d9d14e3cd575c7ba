import Testing

@testable import StreamEngine

/// A record made with a typed value reads, compares and hashes as the record of its bytes; looped back in process it
/// keeps the typed value, and setting bytes drops it.
@Suite struct TypedValueTests {
    struct Text: TypedValue {
        var text: String
        func encoded() -> [UInt8] { Array(text.utf8) }
    }

    @Test func aTypedRecordIsTheRecordOfItsBytes() {
        let typed = OutputRecord(topic: "t", key: [1], typed: Text(text: "hi"), timestamp: 5)
        let bytes = OutputRecord(topic: "t", key: [1], value: Array("hi".utf8), timestamp: 5)
        #expect(typed.value == Array("hi".utf8))
        #expect(typed == bytes)
        #expect(typed.hashValue == bytes.hashValue)
        #expect(typed != OutputRecord(topic: "t", key: [1], typed: Text(text: "ho"), timestamp: 5))
        #expect(bytes.typed == nil)

        let looped = StreamRecord(looping: typed, partition: 2, offset: 7)
        #expect((looped.typed as? Text)?.text == "hi")
        #expect(looped.value == Array("hi".utf8))
        #expect((looped.partition, looped.offset, looped.timestamp, looped.key) == (2, 7, 5, [1]))
        #expect(looped.hasValue)
        #expect(!StreamRecord(topic: "t", partition: 0, offset: 0, key: nil, value: nil).hasValue)
        var rewritten = looped
        rewritten.value = [9]
        #expect(rewritten.typed == nil)
        #expect(rewritten.value == [9])
    }
}
