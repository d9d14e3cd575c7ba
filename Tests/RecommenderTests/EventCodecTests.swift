import Recommender
import Testing

private func decode(_ text: String, _ format: EventFormat = .auto) throws(EventDecodingError) -> BehaviorEvent {
    try EventCodec.decode(Array(text.utf8), format: format)
}

/// The reason and field of the error decoding `text` throws (nil when it decodes).
private func failure(_ text: String, _ format: EventFormat = .auto) -> (EventDecodingError.Reason, String?)? {
    failure(Array(text.utf8), format)
}

private func failure(_ bytes: [UInt8], _ format: EventFormat = .auto) -> (EventDecodingError.Reason, String?)? {
    do {
        _ = try EventCodec.decode(bytes, format: format)
        return nil
    } catch {
        return (error.reason, error.field)
    }
}

@Suite struct EventCodecValidTests {
    @Test func aFullJSONEventDecodes() throws {
        let event = try decode(
            #"{"userId":"u1","itemId":"i9","behavior":"click","timestamp":1732406400000,"categoryId":"c3"}"#)
        #expect(
            event
                == BehaviorEvent(
                    userId: "u1", itemId: "i9", behavior: .click, timestamp: 1_732_406_400_000, categoryId: "c3"))
    }

    @Test func categoryIsOptionalAndNullMeansAbsent() throws {
        #expect(try decode(#"{"userId":"u","itemId":"i","behavior":"view","timestamp":5}"#).categoryId == nil)
        #expect(
            try decode(#"{"userId":"u","itemId":"i","behavior":"view","timestamp":5,"categoryId":null}"#).categoryId
                == nil)
    }

    @Test(arguments: [
        ("pv", Behavior.view), ("fav", .favorite), ("buy", .purchase), ("cart", .cart), ("PURCHASE", .purchase),
        ("View", .view), ("favorite", .favorite),
    ])
    func behaviorNamesAndTaobaoAliases(name: String, behavior: Behavior) throws {
        #expect(try decode(#"{"userId":"u","itemId":"i","behavior":"\#(name)","timestamp":5}"#).behavior == behavior)
    }

    @Test func numericIdsWhitespaceUnknownKeysAndEscapesAreAccepted() throws {
        let event = try decode(
            """
             { "userId" : 42 , "itemId":"caf\\u00e9 \\"x\\" \\ud83d\\ude00", "extra": {"nested": [1, {"a": null}]},
               "behavior":"view", "timestamp": 1700000000000, "categoryId": 7, "flag": true }\r\n
            """)
        #expect(event.userId == "42")
        #expect(event.itemId == "café \"x\" 😀")
        #expect(event.categoryId == "7")
    }

    @Test func csvAndTaobaoCSV() throws {
        #expect(
            try decode("u1,i2,c3,cart,1700000000000")
                == BehaviorEvent(
                    userId: "u1", itemId: "i2", behavior: .cart, timestamp: 1_700_000_000_000, categoryId: "c3"))
        #expect(try decode("u1,i2,,view,1700000000000\r\n").categoryId == nil)
        let taobao = try decode("1,2268318,2520377,pv,1511544070", .taobaoCSV)
        #expect(taobao.timestamp == 1_511_544_070_000)
        #expect(taobao.behavior == .view)
    }

    @Test func encodingsRoundTrip() throws {
        var generator = SyntheticEventGenerator(seed: 5, users: 50, items: 500, categories: 10)
        for _ in 0..<1_000 {
            let event = generator.next()
            #expect(try EventCodec.decode(EventCodec.encodeJSON(event)) == event)
            #expect(try EventCodec.decode(EventCodec.encodeCSV(event), format: .csv) == event)
        }
        let odd = BehaviorEvent(userId: "a\"b\\c\n", itemId: "ü", behavior: .favorite, timestamp: 1)
        #expect(try EventCodec.decode(EventCodec.encodeJSON(odd)) == odd)
    }
}

@Suite struct EventCodecInvalidTests {
    static let valid = #"{"userId":"u1","itemId":"i9","behavior":"click","timestamp":1732406400000,"categoryId":"c3"}"#

    @Test func everyTruncationIsAnErrorNotACrash() {
        let bytes = Array(Self.valid.utf8)
        for length in 0..<bytes.count {
            let outcome = failure(Array(bytes[..<length]), .json)
            #expect(outcome != nil, "prefix of \(length) bytes decoded")
        }
        #expect(failure(Array(bytes[..<20]), .json)?.0 == .truncated)
        #expect(failure("", .json)?.0 == .emptyRecord)
        #expect(failure("  \n", .auto)?.0 == .emptyRecord)
    }

    @Test(arguments: [
        ("not json at all", EventDecodingError.Reason.wrongColumnCount, nil as String?),
        ("{not json}", .malformed, nil),
        (#"{"userId":"u1",}"#, .malformed, nil),
        (#"{"userId":"u1"} trailing"#, .malformed, nil),
        (#"[1,2]"#, .wrongColumnCount, nil),
        (#"{"itemId":"i","behavior":"view","timestamp":1}"#, .missingField, "userId"),
        (#"{"userId":"u","behavior":"view","timestamp":1}"#, .missingField, "itemId"),
        (#"{"userId":"u","itemId":"i","timestamp":1}"#, .missingField, "behavior"),
        (#"{"userId":"u","itemId":"i","behavior":"view"}"#, .missingField, "timestamp"),
        (#"{"userId":"u","itemId":"i","behavior":"view","timestamp":null}"#, .missingField, "timestamp"),
        (#"{"userId":true,"itemId":"i","behavior":"view","timestamp":1}"#, .wrongType, "userId"),
        (#"{"userId":"u","itemId":[1],"behavior":"view","timestamp":1}"#, .wrongType, "itemId"),
        (#"{"userId":"u","itemId":"i","behavior":3,"timestamp":1}"#, .wrongType, "behavior"),
        (#"{"userId":"u","itemId":"i","behavior":"view","timestamp":"1700000000000"}"#, .wrongType, "timestamp"),
        (#"{"userId":"u","itemId":"i","behavior":"view","timestamp":1.5}"#, .wrongType, "timestamp"),
        (#"{"userId":"u","itemId":"i","behavior":"view","timestamp":1,"categoryId":{}}"#, .wrongType, "categoryId"),
        (#"{"userId":"u","itemId":"i","behavior":"teleport","timestamp":1}"#, .unknownBehavior, "behavior"),
        (#"{"userId":"","itemId":"i","behavior":"view","timestamp":1}"#, .emptyId, "userId"),
        (#"{"userId":"u","itemId":"i","behavior":"view","timestamp":0}"#, .timestampOutOfRange, "timestamp"),
        (#"{"userId":"u","itemId":"i","behavior":"view","timestamp":-5}"#, .timestampOutOfRange, "timestamp"),
        (
            #"{"userId":"u","itemId":"i","behavior":"view","timestamp":4102444800001}"#, .timestampOutOfRange,
            "timestamp"
        ),
        (#"{"userId":"u","itemId":"i","behavior":"view","timestamp":99999999999999999999}"#, .wrongType, "timestamp"),
        (#"{"userId":"u\x","itemId":"i","behavior":"view","timestamp":1}"#, .malformed, nil),
        (#"{"userId":"\ud800","itemId":"i","behavior":"view","timestamp":1}"#, .invalidUTF8, nil),
        (#"{"userId":"u","itemId":"i","behavior":"view","timestamp":01}"#, .malformed, nil),
        ("u1,i2,c3,view", .wrongColumnCount, nil),
        ("u1,i2,c3,view,1,extra", .wrongColumnCount, nil),
        ("u1,i2,c3,view,soon", .wrongType, "timestamp"),
        ("u1,i2,c3,fly,1", .unknownBehavior, "behavior"),
        (",i2,c3,view,1", .emptyId, "userId"),
    ])
    func invalidRecordsNameTheReasonAndField(text: String, reason: EventDecodingError.Reason, field: String?) {
        let outcome = failure(text)
        #expect(outcome?.0 == reason, "\(text)")
        #expect(outcome?.1 == field, "\(text)")
    }

    @Test func invalidUTF8AndControlCharactersAreRejected() {
        var bytes = Array(#"{"userId":"u","itemId":"i","behavior":"view","timestamp":1}"#.utf8)
        bytes[11] = 0xFF
        #expect(failure(bytes)?.0 == .invalidUTF8)
        bytes[11] = 0x01
        #expect(failure(bytes)?.0 == .malformed)
        #expect(failure([0xC3, 0x28, 0x2C, 0x69, 0x2C, 0x2C, 0x76, 0x69, 0x65, 0x77, 0x2C, 0x31])?.0 == .invalidUTF8)
    }

    @Test func oversizedIdsAndDeepNestingAreRejected() {
        let long = String(repeating: "x", count: BehaviorEvent.maxIdBytes + 1)
        #expect(
            failure(#"{"userId":"\#(long)","itemId":"i","behavior":"view","timestamp":1}"#)! == (.idTooLong, "userId"))
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(failure(#"{"x":\#(deep),"userId":"u"}"#)?.0 == .malformed)
    }

    @Test func errorsDescribeTheFieldAndTheProblem() {
        do {
            _ = try decode(#"{"userId":"u","itemId":"i","behavior":"view","timestamp":"soon"}"#)
            Issue.record("decoded")
        } catch {
            #expect(error.description.contains("field 'timestamp'"))
            #expect(error.description.contains("integer"))
        }
    }
}
