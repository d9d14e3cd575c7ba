import Evaluation
import Recommender
import Testing

private func decode(_ text: String, _ format: EventFormat = .auto) throws(EventDecodingError) -> BehaviorEvent {
    try EventCodec.decode(Array(text.utf8), format: format)
}

/// The error decoding `bytes` throws (nil when it decodes).
private func error(_ bytes: [UInt8], _ format: EventFormat = .auto) -> EventDecodingError? {
    do {
        _ = try EventCodec.decode(bytes, format: format)
        return nil
    } catch {
        return error
    }
}

private func error(_ text: String, _ format: EventFormat = .auto) -> EventDecodingError? {
    error(Array(text.utf8), format)
}

/// The reference event as JSON, with `overrides` (raw JSON values) in place of the usual members or added after
/// them, and without the member `removing`.
private func json(_ overrides: [String: String] = [:], removing: String? = nil) -> String {
    var members: [(String, String?)] = [
        ("userId", #""u1""#), ("itemId", #""i9""#), ("behavior", #""click""#), ("timestamp", "1732406400000"),
        ("categoryId", #""c3""#),
    ]
    for index in members.indices {
        if let override = overrides[members[index].0] { members[index].1 = override }
        if members[index].0 == removing { members[index].1 = nil }
    }
    for (key, value) in overrides.sorted(by: { $0.key < $1.key }) where !members.contains(where: { $0.0 == key }) {
        members.append((key, value))
    }
    let body = members.compactMap { key, value in value.map { "\"\(key)\":\($0)" } }.joined(separator: ",")
    return "{\(body)}"
}

private let reference = BehaviorEvent(
    userId: "u1", itemId: "i9", behavior: .click, timestamp: 1_732_406_400_000, categoryId: "c3")

@Suite struct EventCodecValidTests {
    @Test func aFullJSONEventDecodes() throws {
        #expect(
            try decode(#"{"userId":"u1","itemId":"i9","behavior":"click","timestamp":1732406400000,"categoryId":"c3"}"#)
                == reference)
        #expect(try decode(json(), .json) == reference)
    }

    @Test func categoryIsOptionalAndNullOrEmptyMeansAbsent() throws {
        #expect(try decode(json(removing: "categoryId")).categoryId == nil)
        #expect(try decode(json(["categoryId": "null"])).categoryId == nil)
        #expect(try decode(json(["categoryId": #""""#])).categoryId == nil)
        #expect(try decode(json(["categoryId": "17"])).categoryId == "17")
    }

    @Test(arguments: [
        ("pv", Behavior.view), ("fav", .favorite), ("buy", .purchase), ("cart", .cart), ("PURCHASE", .purchase),
        ("View", .view), ("favorite", .favorite), ("Favourite", .favorite), ("CLICK", .click), ("PV", .view),
        ("Buy", .purchase),
    ])
    func behaviorNamesAndTaobaoAliases(name: String, behavior: Behavior) throws {
        #expect(try decode(json(["behavior": "\"\(name)\""])).behavior == behavior)
        #expect(try decode("u,i,,\(name),5").behavior == behavior)
        #expect(Behavior(name: name) == behavior)
        #expect(Behavior(name: name[...]) == behavior)
    }

    @Test func behaviorNamesAndWeights() {
        #expect(Behavior.allCases.map(\.weight) == [1, 2, 3, 4, 5])
        #expect(Behavior(name: "viewing") == nil)
        #expect(Behavior(name: "") == nil)
        #expect(Behavior(name: "vİew") == nil)  // only ASCII case folding
        for behavior in Behavior.allCases { #expect(Behavior(name: behavior.rawValue) == behavior) }
    }

    @Test func idsGivenAsNumbersBecomeTheirDigits() throws {
        let event = try decode(#"{"userId":1,"itemId":2268318,"categoryId":2520377,"behavior":"pv","timestamp":5}"#)
        #expect(event.userId == "1")
        #expect(event.itemId == "2268318")
        #expect(event.categoryId == "2520377")
        let huge = "123456789012345678901234567890"
        #expect(try decode(json(["userId": huge])).userId == huge)
        #expect(try decode(json(["userId": "-7"])).userId == "-7")
    }

    @Test func whitespaceUnknownKeysNestedValuesAndEscapesAreAccepted() throws {
        let event = try decode(
            """
             { "userId" : 42 , "itemId":"caf\\u00e9 \\"x\\" \\ud83d\\ude00\\/\\\\\\b\\f\\n\\r\\t",
               "extra": {"nested": [1, {"a": null}, [], {}]},
               "behavior":"view", "timestamp": 1700000000000, "categoryId": 7, "flag": true, "n": -1.5e-3, "z": false,
               "s": "caf\u{E9} 😀", "e": [] }\r\n\t
            """)
        #expect(event.userId == "42")
        #expect(event.itemId == "café \"x\" 😀/\\\u{08}\u{0C}\n\r\t")
        #expect(event.categoryId == "7")
        #expect(event.behavior == .view)
        #expect(event.timestamp == 1_700_000_000_000)
    }

    @Test func rawUnicodeAndEscapedKeysAreRead() throws {
        let event = try decode(#"{"user\u0049d":"ユーザー","itemId":"📦","behavior":"\u0076iew","timestamp":1}"#)
        #expect(event.userId == "ユーザー")
        #expect(event.itemId == "📦")
        #expect(event.behavior == .view)
    }

    @Test func anyContiguousOrNonContiguousCollectionDecodes() throws {
        let bytes = Array(json().utf8)
        #expect(try EventCodec.decode(bytes[...]) == reference)
        #expect(try EventCodec.decode(json().utf8) == reference)
        #expect(try EventCodec.decode(Array(("  " + json()).utf8).dropFirst(2)) == reference)
        #expect(try EventCodec.decode(bytes.lazy.map { $0 }) == reference)  // not contiguous: copied once
        #expect(try bytes.withUnsafeBytes { raw throws(EventDecodingError) in try EventCodec.decode(raw) } == reference)
    }

    @Test func csvAndTaobaoCSV() throws {
        #expect(
            try decode("u1,i2,c3,cart,1700000000000")
                == BehaviorEvent(
                    userId: "u1", itemId: "i2", behavior: .cart, timestamp: 1_700_000_000_000, categoryId: "c3"))
        #expect(try decode("u1,i2,,view,1700000000000\r\n").categoryId == nil)
        #expect(try decode("  u1,i2,c3,view,1700000000000\n", .csv).userId == "u1")
        let taobao = try decode("1,2268318,2520377,pv,1511544070", .taobaoCSV)
        #expect(
            taobao
                == BehaviorEvent(
                    userId: "1", itemId: "2268318", behavior: .view, timestamp: 1_511_544_070_000,
                    categoryId: "2520377"))
        #expect(try decode("1,2,3,fav,1511544070\n", .taobaoCSV).behavior == .favorite)
        #expect(try decode("1,2,3,buy,4102444800", .taobaoCSV).timestamp == 4_102_444_800_000)
    }

    @Test func autoDetectsJSONByItsFirstByte() throws {
        #expect(try decode(" \n\t" + json()) == reference)
        #expect(try decode("u1,i9,c3,click,1732406400000") == reference)
    }

    @Test func timestampLimitsAreInclusive() throws {
        #expect(try decode(json(["timestamp": "1"])).timestamp == 1)
        #expect(try decode(json(["timestamp": "4102444800000"])).timestamp == 4_102_444_800_000)
        #expect(try decode("u,i,,view,1").timestamp == 1)
        #expect(try decode("u,i,,view,4102444800000").timestamp == 4_102_444_800_000)
    }

    @Test func idsOfExactlyTheLimitAreAccepted() throws {
        let longest = String(repeating: "é", count: BehaviorEvent.maxIdBytes / 2)  // 2 bytes each
        #expect(try decode(json(["userId": "\"\(longest)\""])).userId == longest)
        #expect(try decode("\(longest),i,,view,1").userId == longest)
    }

    @Test func jsonEncodingIsCompactOrderedAndRoundTrips() throws {
        #expect(
            String(decoding: EventCodec.encodeJSON(reference), as: UTF8.self)
                == #"{"userId":"u1","itemId":"i9","behavior":"click","timestamp":1732406400000,"categoryId":"c3"}"#)
        var noCategory = reference
        noCategory.categoryId = nil
        #expect(
            String(decoding: EventCodec.encodeJSON(noCategory), as: UTF8.self)
                == #"{"userId":"u1","itemId":"i9","behavior":"click","timestamp":1732406400000}"#)
        let odd = BehaviorEvent(
            userId: "a\"b\\c\n\u{0}\u{1F}", itemId: "ü😀\u{2028}", behavior: .favorite, timestamp: 1,
            categoryId: "/\t")
        #expect(try EventCodec.decode(EventCodec.encodeJSON(odd)) == odd)
        #expect(try EventCodec.decode(EventCodec.encodeJSON(odd), format: .json) == odd)
    }

    @Test func csvEncodingRoundTripsPlainIds() throws {
        #expect(String(decoding: EventCodec.encodeCSV(reference), as: UTF8.self) == "u1,i9,c3,click,1732406400000")
        var noCategory = reference
        noCategory.categoryId = nil
        #expect(String(decoding: EventCodec.encodeCSV(noCategory), as: UTF8.self) == "u1,i9,,click,1732406400000")
        #expect(try EventCodec.decode(EventCodec.encodeCSV(noCategory), format: .csv) == noCategory)
        #expect(EventCodec.canEncodeCSV(reference))
        #expect(!EventCodec.canEncodeCSV(BehaviorEvent(userId: "a,b", itemId: "i", behavior: .view, timestamp: 1)))
        #expect(!EventCodec.canEncodeCSV(BehaviorEvent(userId: "u", itemId: "i\n", behavior: .view, timestamp: 1)))
        #expect(!EventCodec.canEncodeCSV(BehaviorEvent(userId: " u", itemId: "i", behavior: .view, timestamp: 1)))
        #expect(
            !EventCodec.canEncodeCSV(
                BehaviorEvent(userId: "u", itemId: "i", behavior: .view, timestamp: 1, categoryId: "")))
    }

    @Test func generatedEventsRoundTripThroughBothEncodings() throws {
        var generator = SyntheticEventGenerator(seed: 5, users: 50, items: 500, categories: 10)
        for _ in 0..<2_000 {
            let event = generator.next()
            #expect(EventCodec.canEncodeCSV(event))
            #expect(try EventCodec.decode(EventCodec.encodeJSON(event)) == event)
            #expect(try EventCodec.decode(EventCodec.encodeCSV(event), format: .csv) == event)
            #expect(try EventCodec.decode(EventCodec.encodeCSV(event)) == event)
        }
    }
}

@Suite struct EventCodecInvalidTests {
    static let valid = json()

    @Test func everyTruncationIsATruncatedErrorNotACrash() {
        let bytes = Array(Self.valid.utf8)
        for length in 1..<bytes.count {
            let outcome = error(Array(bytes[..<length]), .json)
            #expect(outcome?.reason == .truncated, "prefix of \(length) bytes: \(String(describing: outcome))")
            #expect(error(Array(bytes[..<length]), .auto) != nil)
        }
        #expect(error("", .json)?.reason == .emptyRecord)
        #expect(error("", .csv)?.reason == .emptyRecord)
        #expect(error("  \n", .auto)?.reason == .emptyRecord)
        #expect(error(" \r\n\t ", .taobaoCSV)?.reason == .emptyRecord)
    }

    @Test func truncationsInsideEscapesUnicodeAndNumbersAreErrors() {
        let tricky = Array(
            (#"{"userId":"\ud83d\ude00é😀","itemId":-12,"x":[1.5e+3,true,false,null,{"k":"\u00e9"}],"#
                + #""behavior":"pv","timestamp":17}"#).utf8)
        #expect(error(tricky) == nil)
        for length in 1..<tricky.count {
            #expect(error(Array(tricky[..<length]))?.reason == .truncated, "prefix of \(length) bytes")
        }
    }

    @Test func arbitraryBytesNeverCrash() {
        var random = SeededRandom(seed: 99)
        let alphabet = Array(#"{}[]",:\u0123456789abcdefnrtl-+.eE "#.utf8) + [0x00, 0x80, 0xC3, 0xED, 0xF0, 0xFF]
        let valid = Array(Self.valid.utf8)
        for _ in 0..<20_000 {
            var bytes = valid
            for _ in 0...random.below(4) {
                let position = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes[position] = alphabet[random.below(alphabet.count)]
                case 1: bytes.insert(alphabet[random.below(alphabet.count)], at: position)
                default: bytes.remove(at: position)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            for format in [EventFormat.auto, .json, .csv, .taobaoCSV] {
                if let event = try? EventCodec.decode(bytes, format: format) {
                    #expect(!event.userId.isEmpty && !event.itemId.isEmpty)
                }
            }
        }
    }

    @Test(arguments: [
        // Not JSON, or not an object
        ("not json at all", EventFormat.json, EventDecodingError.Reason.notJSON, nil as String?),
        ("[1,2]", .json, .notJSON, nil),
        ("\"u\"", .json, .notJSON, nil),
        ("not json at all", .auto, .wrongColumnCount, nil),
        ("{not json}", .auto, .malformed, nil),
        ("{'userId':'u'}", .auto, .malformed, nil),
        (#"{"userId":"u1",}"#, .auto, .malformed, nil),
        (#"{,"userId":"u1"}"#, .auto, .malformed, nil),
        (#"{"userId" "u1"}"#, .auto, .malformed, nil),
        (#"{"userId":"u1" "itemId":"i"}"#, .auto, .malformed, nil),
        (#"{"userId":tru}"#, .auto, .malformed, "userId"),
        (#"{"userId":nul,"x":1}"#, .auto, .malformed, "userId"),
        (#"{"a":[1,]}"#, .auto, .malformed, "a"),
        (#"{"a":[1 2]}"#, .auto, .malformed, "a"),
        (#"{"a":{"b"}}"#, .auto, .malformed, "a"),
        (#"{"a":+1}"#, .auto, .malformed, "a"),
        (#"{"a":.5}"#, .auto, .malformed, "a"),
        (#"{"a":1.}"#, .auto, .malformed, "a"),
        (#"{"a":1e}"#, .auto, .malformed, "a"),
        (#"{"a":-}"#, .auto, .malformed, "a"),
        (#"{"a":01}"#, .auto, .malformed, "a"),
        (#"{"a":NaN}"#, .auto, .malformed, "a"),
        // Trailing garbage
        (json() + " trailing", .auto, .malformed, nil),
        (json() + "}", .auto, .malformed, nil),
        (json() + json(), .auto, .malformed, nil),
        (json() + "\u{0}", .auto, .malformed, nil),
        // Strings
        (json(["userId": #""u\x""#]), .auto, .malformed, "userId"),
        (json(["userId": #""\u12G4""#]), .auto, .malformed, "userId"),
        (json(["userId": "\"a\u{1}b\""]), .auto, .malformed, "userId"),
        (json(["userId": "\"a\nb\""]), .auto, .malformed, "userId"),
        (json(["userId": #""\ud800""#]), .auto, .invalidUTF8, "userId"),
        (json(["userId": #""\ud800\u0041""#]), .auto, .invalidUTF8, "userId"),
        (json(["userId": #""\ud800x""#]), .auto, .invalidUTF8, "userId"),
        (json(["userId": #""\udc00\ud800""#]), .auto, .invalidUTF8, "userId"),
        (json(["unknown": #""\udfff""#]), .auto, .invalidUTF8, "unknown"),
        // A known field twice
        (#"{"userId":"u","userId":"v","itemId":"i","behavior":"view","timestamp":1}"#, .auto, .malformed, "userId"),
        (#"{"timestamp":1,"timestamp":1}"#, .auto, .malformed, "timestamp"),
        // Missing fields
        (json(removing: "userId"), .auto, .missingField, "userId"),
        (json(removing: "itemId"), .auto, .missingField, "itemId"),
        (json(removing: "behavior"), .auto, .missingField, "behavior"),
        (json(removing: "timestamp"), .auto, .missingField, "timestamp"),
        (json(["userId": "null"]), .auto, .missingField, "userId"),
        (json(["behavior": "null"]), .auto, .missingField, "behavior"),
        (json(["timestamp": "null"]), .auto, .missingField, "timestamp"),
        ("{}", .auto, .missingField, "userId"),
        // Wrong types
        (json(["userId": "true"]), .auto, .wrongType, "userId"),
        (json(["userId": "1.5"]), .auto, .wrongType, "userId"),
        (json(["userId": "1e3"]), .auto, .wrongType, "userId"),
        (json(["itemId": "[1]"]), .auto, .wrongType, "itemId"),
        (json(["itemId": #"{"id":1}"#]), .auto, .wrongType, "itemId"),
        (json(["behavior": "3"]), .auto, .wrongType, "behavior"),
        (json(["behavior": "[\"view\"]"]), .auto, .wrongType, "behavior"),
        (json(["timestamp": #""1700000000000""#]), .auto, .wrongType, "timestamp"),
        (json(["timestamp": "1.5"]), .auto, .wrongType, "timestamp"),
        (json(["timestamp": "1700000000000.0"]), .auto, .wrongType, "timestamp"),
        (json(["timestamp": "1.7e12"]), .auto, .wrongType, "timestamp"),
        (json(["timestamp": "true"]), .auto, .wrongType, "timestamp"),
        (json(["categoryId": "{}"]), .auto, .wrongType, "categoryId"),
        (json(["categoryId": "false"]), .auto, .wrongType, "categoryId"),
        // Values
        (json(["behavior": #""teleport""#]), .auto, .unknownBehavior, "behavior"),
        (json(["behavior": #""""#]), .auto, .unknownBehavior, "behavior"),
        (json(["behavior": #"" view""#]), .auto, .unknownBehavior, "behavior"),
        (json(["userId": #""""#]), .auto, .emptyId, "userId"),
        (json(["itemId": #""""#]), .auto, .emptyId, "itemId"),
        (json(["timestamp": "0"]), .auto, .timestampOutOfRange, "timestamp"),
        (json(["timestamp": "-0"]), .auto, .timestampOutOfRange, "timestamp"),
        (json(["timestamp": "-5"]), .auto, .timestampOutOfRange, "timestamp"),
        (json(["timestamp": "4102444800001"]), .auto, .timestampOutOfRange, "timestamp"),
        (json(["timestamp": "9223372036854775807"]), .auto, .timestampOutOfRange, "timestamp"),
        (json(["timestamp": "-9223372036854775808"]), .auto, .timestampOutOfRange, "timestamp"),
        (json(["timestamp": "99999999999999999999"]), .auto, .timestampOutOfRange, "timestamp"),
        // CSV
        ("u1,i2,c3,view", .auto, .wrongColumnCount, nil),
        ("u1,i2,c3,view,1,extra", .auto, .wrongColumnCount, nil),
        ("u1,i2,c3,view,1\nu1,i2,c3,view,1", .csv, .wrongColumnCount, nil),
        ("u1,i2,c3,view,soon", .auto, .wrongType, "timestamp"),
        ("u1,i2,c3,view,1.5", .csv, .wrongType, "timestamp"),
        ("u1,i2,c3,view,-", .csv, .wrongType, "timestamp"),
        ("u1,i2,c3,view,+5", .csv, .wrongType, "timestamp"),
        ("u1,i2,c3,view, 5", .csv, .wrongType, "timestamp"),
        ("u1,i2,c3,view,0", .csv, .timestampOutOfRange, "timestamp"),
        ("u1,i2,c3,view,-5", .csv, .timestampOutOfRange, "timestamp"),
        ("u1,i2,c3,view,4102444800001", .csv, .timestampOutOfRange, "timestamp"),
        ("u1,i2,c3,view,99999999999999999999", .csv, .timestampOutOfRange, "timestamp"),
        ("1,2,3,pv,4102444801", .taobaoCSV, .timestampOutOfRange, "timestamp"),
        ("1,2,3,pv,9223372036854775807", .taobaoCSV, .timestampOutOfRange, "timestamp"),
        ("u1,i2,c3,view,", .csv, .missingField, "timestamp"),
        ("u1,i2,c3,,1", .csv, .missingField, "behavior"),
        ("u1,i2,c3,fly,1", .auto, .unknownBehavior, "behavior"),
        ("user,item,category,behavior,timestamp", .taobaoCSV, .unknownBehavior, "behavior"),
        (",i2,c3,view,1", .auto, .emptyId, "userId"),
        ("u1,,c3,view,1", .auto, .emptyId, "itemId"),
    ])
    func invalidRecordsNameTheReasonAndField(
        text: String, format: EventFormat, reason: EventDecodingError.Reason, field: String?
    ) {
        let outcome = error(text, format)
        #expect(outcome?.reason == reason, "\(text)")
        #expect(outcome?.field == field, "\(text)")
    }

    @Test func invalidUTF8IsRejectedInAnyStringAndCSVColumn() {
        let template = Array(json(["userId": #""ab""#, "note": #""xy""#]).utf8)
        let userAt = template.firstIndex(of: UInt8(ascii: "a"))!
        let noteAt = template.firstIndex(of: UInt8(ascii: "x"))!
        let invalid: [[UInt8]] = [
            [0xFF], [0xC0, 0x80], [0xC3], [0xC3, 0x28], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xE2, 0x82],
        ]
        for sequence in invalid {
            for (at, field) in [(userAt, "userId"), (noteAt, "note")] {
                var bytes = template
                bytes.replaceSubrange(at..<at + 2, with: sequence)
                let outcome = error(bytes)
                #expect(outcome?.reason == .invalidUTF8, "\(sequence)")
                #expect(outcome?.field == field, "\(sequence)")
            }
            let csv = Array("u".utf8) + sequence + Array(",i,c,view,1".utf8)
            #expect(error(csv)?.reason == .invalidUTF8)
            #expect(error(csv)?.field == "userId")
        }
        var control = template
        control[userAt] = 0x01
        #expect(error(control)?.reason == .malformed)
    }

    @Test func oversizedIdsAndDeepNestingAreRejected() throws {
        let long = String(repeating: "x", count: BehaviorEvent.maxIdBytes + 1)
        for field in ["userId", "itemId", "categoryId"] {
            let outcome = error(json([field: "\"\(long)\""]))
            #expect(outcome?.reason == .idTooLong)
            #expect(outcome?.field == field)
        }
        // Escapes shorten: 300 escaped bytes that are 150 characters fit, 129 two-byte characters do not.
        let escaped = "\"" + String(repeating: #"\/"#, count: 150) + "\""
        #expect(try decode(json(["userId": escaped])).userId.count == 150)
        let outcome = error(json(["userId": "\"" + String(repeating: #"\u00e9"#, count: 129) + "\""]))
        #expect(outcome?.reason == .idTooLong)
        #expect(error(json(["itemId": String(repeating: "9", count: 257)]))?.reason == .idTooLong)
        #expect(error("\(long),i,,view,1")?.reason == .idTooLong)
        #expect(error("u,i,\(long),view,1")?.field == "categoryId")

        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(error(#"{"x":\#(deep),"userId":"u"}"#)?.reason == .malformed)
        let allowed = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(error(json(["x": allowed])) == nil)
        let tooDeep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(error(json(["x": tooDeep]))?.reason == .malformed)
        let unclosed = String(repeating: "[", count: 100_000)
        #expect(error(#"{"x":\#(unclosed)"#)?.reason == .malformed)
    }

    @Test func errorsDescribeTheFieldAndTheProblem() {
        #expect(
            error(json(["timestamp": #""soon""#]))?.description
                == "field 'timestamp': wrongType — expected epoch milliseconds as an integer, got a string")
        #expect(error(json(["timestamp": "1.5"]))?.description.contains("1.5") == true)
        #expect(error(json(["behavior": #""teleport""#]))?.description.contains("'teleport'") == true)
        #expect(error(json(removing: "userId"))?.description.hasPrefix("field 'userId': missingField") == true)
        #expect(error(json() + "x")?.description.contains("'x'") == true)
        #expect(error("u1,i2,c3,view")?.description.contains("got 4") == true)
        let hugeBehavior = String(repeating: "z", count: 10_000)
        #expect(error(json(["behavior": "\"\(hugeBehavior)\""]))!.description.count < 200)
    }

    @Test func everyReasonIsReachable() {
        let samples: [EventDecodingError.Reason: (String, EventFormat)] = [
            .emptyRecord: ("", .auto), .notJSON: ("x", .json), .malformed: ("{x", .auto), .truncated: ("{", .auto),
            .invalidUTF8: ("u\u{FFFD},i,,view,1", .csv), .missingField: ("{}", .auto),
            .wrongType: (json(["userId": "[]"]), .auto), .unknownBehavior: (json(["behavior": #""x""#]), .auto),
            .emptyId: (json(["itemId": #""""#]), .auto),
            .idTooLong: (json(["itemId": String(repeating: "1", count: 300)]), .auto),
            .timestampOutOfRange: (json(["timestamp": "0"]), .auto), .wrongColumnCount: ("x", .csv),
        ]
        // The others are found on the record, not in its bytes (BadInputTests).
        let recordLevel: Set<EventDecodingError.Reason> = [.nullValue, .recordTooLarge, .timestampInFuture]
        for reason in EventDecodingError.Reason.allCases where !recordLevel.contains(reason) {
            guard let (text, format) = samples[reason] else {
                Issue.record("no sample for \(reason)")
                continue
            }
            var bytes = Array(text.utf8)
            if reason == .invalidUTF8 { bytes = [0x75, 0xFF] + Array(",i,,view,1".utf8) }
            #expect(error(bytes, format)?.reason == reason, "\(reason)")
        }
    }
}
