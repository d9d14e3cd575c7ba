import StreamEngine

/// In process, the item shuffle hands the event on typed; its bytes on a broker are its JSON.
extension BehaviorEvent: TypedValue {
    public func encoded() -> [UInt8] { EventCodec.encodeJSON(self) }
}

/// How a behavior event is written.
public enum EventFormat: Sendable, Equatable {
    /// `{"userId":…,"itemId":…,"behavior":…,"timestamp":…,"categoryId":…}`, timestamp in epoch milliseconds.
    case json
    /// `userId,itemId,categoryId,behavior,timestamp` with the timestamp in milliseconds; categoryId may be empty.
    case csv
    /// The Taobao UserBehavior dataset: `user,item,category,behavior,timestamp` with the timestamp in seconds.
    case taobaoCSV
    /// JSON when the first non-blank byte is `{`, otherwise `csv`.
    case auto
}

/// Decodes and encodes behavior events.
///
/// Decoding is strict and never traps: every problem is an `EventDecodingError` naming the field and what was
/// wrong. It works on bytes with a hand-written parser (no Foundation) and copies only the event's own strings.
///
/// JSON rules:
/// - one object, whitespace around it allowed, nothing else; unknown members are checked and ignored (objects and
///   arrays under them too); a known member given twice is `malformed`.
/// - `userId`, `itemId`: required; a string of 1 to `BehaviorEvent.maxIdBytes` UTF-8 bytes, or a JSON integer
///   (Taobao ids are numbers), kept as the digits written.
/// - `behavior`: required string, a `Behavior` name (case-insensitive, Taobao aliases allowed).
/// - `timestamp`: required JSON integer (no fraction, no exponent, not a string) in `BehaviorEvent.timestampRange`.
/// - `categoryId`: optional string or integer; null and `""` mean absent.
///
/// CSV rules (`.csv` and `.taobaoCSV`): exactly five comma-separated columns, no quoting; blanks and a line break
/// around the record are ignored, the columns are taken as they are. An empty categoryId column means absent.
/// `.taobaoCSV` timestamps are seconds and are converted to milliseconds.
public enum EventCodec {

    /// Decodes one record. Contiguous collections (`[UInt8]`, `ArraySlice`, `Data`, ...) are read in place; others
    /// are copied once.
    public static func decode(_ bytes: some Collection<UInt8>, format: EventFormat = .auto)
        throws(EventDecodingError) -> BehaviorEvent
    {
        let result: Result<BehaviorEvent, EventDecodingError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(EventDecodingError) in try decode(UnsafeRawBufferPointer(buffer), format: format) }
        }
        let decoded =
            result
            ?? Array(bytes).withUnsafeBytes { raw in
                Result { () throws(EventDecodingError) in try decode(raw, format: format) }
            }
        return try decoded.get()
    }

    /// Decodes one record from an array (the common case: a Kafka record value), without generic dispatch.
    public static func decode(_ bytes: [UInt8], format: EventFormat = .auto) throws(EventDecodingError)
        -> BehaviorEvent
    {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(EventDecodingError) in try decode(raw, format: format) }
        }
        return try result.get()
    }

    /// Decodes one record from raw memory; the other overloads end here.
    public static func decode(_ bytes: UnsafeRawBufferPointer, format: EventFormat = .auto)
        throws(EventDecodingError) -> BehaviorEvent
    {
        var first = 0
        while first < bytes.count, isBlank(bytes[first]) { first += 1 }
        guard first < bytes.count else {
            throw EventDecodingError(.emptyRecord, "the record is empty; a behavior event is required")
        }
        switch format {
        case .json: return try decodeJSON(bytes)
        case .csv: return try decodeCSV(bytes, secondsTimestamps: false)
        case .taobaoCSV: return try decodeCSV(bytes, secondsTimestamps: true)
        case .auto:
            return bytes[first] == UInt8(ascii: "{")
                ? try decodeJSON(bytes) : try decodeCSV(bytes, secondsTimestamps: false)
        }
    }

    // MARK: JSON

    private static func decodeJSON(_ bytes: UnsafeRawBufferPointer) throws(EventDecodingError) -> BehaviorEvent {
        var parser = FlatJSONParser(bytes)
        // Five fixed slots instead of a table: decoding allocates nothing but the event's own (long) strings.
        var userId: JSONRawValue?
        var itemId: JSONRawValue?
        var behavior: JSONRawValue?
        var timestamp: JSONRawValue?
        var categoryId: JSONRawValue?
        func store(_ value: JSONRawValue, in slot: inout JSONRawValue?, _ field: String) throws(EventDecodingError) {
            guard slot == nil else {
                throw EventDecodingError(.malformed, field: field, "appears more than once; a field may be given once")
            }
            slot = value
        }
        while let (name, value) = try parser.nextMember() {
            if parser.name(name, is: "userId") {
                try store(value, in: &userId, "userId")
            } else if parser.name(name, is: "itemId") {
                try store(value, in: &itemId, "itemId")
            } else if parser.name(name, is: "behavior") {
                try store(value, in: &behavior, "behavior")
            } else if parser.name(name, is: "timestamp") {
                try store(value, in: &timestamp, "timestamp")
            } else if parser.name(name, is: "categoryId") {
                try store(value, in: &categoryId, "categoryId")
            }
        }
        let json = parser  // read-only from here on

        func id(_ value: JSONRawValue?, _ field: String) throws(EventDecodingError) -> String? {
            switch value {
            case nil, .null?: return nil
            case .string(let range, let escaped)?:
                guard !range.isEmpty else { return "" }
                // Unescaping never lengthens, so an unescaped string within the limit is within it after.
                guard escaped || range.count <= BehaviorEvent.maxIdBytes else {
                    throw idTooLong(byteCount: range.count, field)
                }
                let text = json.string(value!)
                guard text.utf8.count <= BehaviorEvent.maxIdBytes else {
                    throw idTooLong(byteCount: text.utf8.count, field)
                }
                return text
            case .integer(_, let range)?, .largeInteger(let range)?:
                guard range.count <= BehaviorEvent.maxIdBytes else { throw idTooLong(byteCount: range.count, field) }
                return json.string(value!)
            case let other?:
                throw EventDecodingError(
                    .wrongType, field: field, "expected a string (or integer) id, got \(other.typeName)")
            }
        }
        func requiredId(_ value: JSONRawValue?, _ field: String) throws(EventDecodingError) -> String {
            guard let text = try id(value, field) else { throw missing(field, "a string or integer id") }
            guard !text.isEmpty else { throw EventDecodingError(.emptyId, field: field, "must not be empty") }
            return text
        }

        let user = try requiredId(userId, "userId")
        let item = try requiredId(itemId, "itemId")

        let kind: Behavior
        switch behavior {
        case .string(let range, escaped: false)?:
            guard let known = Behavior(utf8: json.slice(range)) else {
                throw unknownBehavior(json.string(behavior!))
            }
            kind = known
        case .string(_, escaped: true)?:
            let name = json.string(behavior!)
            guard let known = Behavior(name: name) else { throw unknownBehavior(name) }
            kind = known
        case nil, .null?: throw missing("behavior", "a behavior name")
        case let other?:
            throw EventDecodingError(.wrongType, field: "behavior", "expected a behavior name, got \(other.typeName)")
        }

        let time: Int64
        switch timestamp {
        case .integer(let value, _)?: time = try validated(timestamp: value, text: "\(value)")
        case .largeInteger?:
            throw EventDecodingError(
                .timestampOutOfRange, field: "timestamp",
                "\(abbreviated(json.string(timestamp!))) is not epoch milliseconds between 1970 and 2100")
        case nil, .null?: throw missing("timestamp", "epoch milliseconds as an integer")
        case .fraction?:
            let found = abbreviated(json.string(timestamp!))
            throw EventDecodingError(
                .wrongType, field: "timestamp", "expected epoch milliseconds as an integer, got the fraction \(found)")
        case let other?:
            throw EventDecodingError(
                .wrongType, field: "timestamp", "expected epoch milliseconds as an integer, got \(other.typeName)")
        }

        let category = try id(categoryId, "categoryId")
        return BehaviorEvent(
            userId: user, itemId: item, behavior: kind, timestamp: time,
            categoryId: category?.isEmpty == false ? category : nil)
    }

    // MARK: CSV

    private static func decodeCSV(_ bytes: UnsafeRawBufferPointer, secondsTimestamps: Bool)
        throws(EventDecodingError) -> BehaviorEvent
    {
        var start = 0
        var end = bytes.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        // The four commas, found in one pass; a fifth one means too many columns.
        var commas: (Int, Int, Int, Int) = (0, 0, 0, 0)
        var count = 0
        for index in start..<end where bytes[index] == UInt8(ascii: ",") {
            switch count {
            case 0: commas.0 = index
            case 1: commas.1 = index
            case 2: commas.2 = index
            case 3: commas.3 = index
            default: break
            }
            count += 1
        }
        guard count == 4 else {
            let header =
                secondsTimestamps
                ? "user,item,category,behavior,timestamp" : "userId,itemId,categoryId,behavior,timestamp"
            throw EventDecodingError(
                .wrongColumnCount, "expected 5 comma-separated columns (\(header)), got \(count + 1)")
        }
        let columns = (
            user: start..<commas.0, item: commas.0 + 1..<commas.1, category: commas.1 + 1..<commas.2,
            behavior: commas.2 + 1..<commas.3, timestamp: commas.3 + 1..<end
        )
        func text(_ range: Range<Int>, _ field: String) throws(EventDecodingError) -> String {
            guard let value = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
                throw EventDecodingError(.invalidUTF8, field: field, "the column is not valid UTF-8")
            }
            return value
        }
        func id(_ range: Range<Int>, _ field: String) throws(EventDecodingError) -> String {
            guard !range.isEmpty else { throw EventDecodingError(.emptyId, field: field, "must not be empty") }
            guard range.count <= BehaviorEvent.maxIdBytes else { throw idTooLong(byteCount: range.count, field) }
            return try text(range, field)
        }
        let userId = try id(columns.user, "userId")
        let itemId = try id(columns.item, "itemId")
        let categoryId = columns.category.isEmpty ? nil : try id(columns.category, "categoryId")

        guard !columns.behavior.isEmpty else { throw missing("behavior", "a behavior name") }
        guard let behavior = Behavior(utf8: UnsafeRawBufferPointer(rebasing: bytes[columns.behavior])) else {
            throw unknownBehavior(
                String(decoding: UnsafeRawBufferPointer(rebasing: bytes[columns.behavior]), as: UTF8.self))
        }

        let unit = secondsTimestamps ? "epoch seconds" : "epoch milliseconds"
        guard !columns.timestamp.isEmpty else { throw missing("timestamp", "\(unit) as an integer") }
        let found = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[columns.timestamp]), as: UTF8.self)
        var index = columns.timestamp.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var magnitude: Int64 = 0
        var overflow = false
        var digitCount = 0
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            if !overflow {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
                overflow = o1 || o2
                magnitude = sum
            }
            digitCount += 1
            index += 1
        }
        guard index == end, digitCount > 0 else {
            throw EventDecodingError(
                .wrongType, field: "timestamp", "expected \(unit) as an integer, got '\(abbreviated(found))'")
        }
        let (milliseconds, scaleOverflow) = magnitude.multipliedReportingOverflow(by: secondsTimestamps ? 1_000 : 1)
        guard !overflow, !scaleOverflow, !negative else {
            throw EventDecodingError(
                .timestampOutOfRange, field: "timestamp", "\(abbreviated(found)) is not \(unit) between 1970 and 2100")
        }
        return BehaviorEvent(
            userId: userId, itemId: itemId, behavior: behavior,
            timestamp: try validated(timestamp: milliseconds, text: found), categoryId: categoryId)
    }

    // MARK: Validation helpers (errors are cold paths)

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    private static func validated(timestamp: Int64, text: @autoclosure () -> String) throws(EventDecodingError)
        -> Int64
    {
        guard BehaviorEvent.timestampRange.contains(timestamp) else {
            throw EventDecodingError(
                .timestampOutOfRange, field: "timestamp",
                "\(abbreviated(text())) is not epoch milliseconds between 1970 and 2100 (1...4102444800000)")
        }
        return timestamp
    }

    private static func missing(_ field: String, _ expected: String) -> EventDecodingError {
        EventDecodingError(.missingField, field: field, "required (\(expected)), not present")
    }

    private static func idTooLong(byteCount: Int, _ field: String) -> EventDecodingError {
        EventDecodingError(
            .idTooLong, field: field, "\(byteCount) bytes; at most \(BehaviorEvent.maxIdBytes) UTF-8 bytes allowed")
    }

    private static func unknownBehavior(_ name: String) -> EventDecodingError {
        EventDecodingError(
            .unknownBehavior, field: "behavior",
            "'\(abbreviated(name))' is not one of view, click, favorite, cart, purchase (or pv, fav, buy)")
    }

    /// At most 64 characters of a found value, for error messages.
    private static func abbreviated(_ text: String) -> String {
        text.count <= 64 ? text : String(text.prefix(64)) + "…"
    }

    // MARK: Encoding

    /// Compact JSON, keys in the order userId, itemId, behavior, timestamp, categoryId (omitted when nil); strings
    /// escaped as RFC 8259 requires. `decode(encodeJSON(e)) == e` for every valid event.
    public static func encodeJSON(_ event: BehaviorEvent) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(
            72 + event.userId.utf8.count + event.itemId.utf8.count + (event.categoryId?.utf8.count ?? 0))
        append(#"{"userId":"#, to: &bytes)
        JSONWriter.appendString(event.userId, to: &bytes)
        append(#","itemId":"#, to: &bytes)
        JSONWriter.appendString(event.itemId, to: &bytes)
        append(#","behavior":""#, to: &bytes)
        bytes.append(contentsOf: event.behavior.rawValue.utf8)
        append(#"","timestamp":"#, to: &bytes)
        JSONWriter.appendDigits(event.timestamp, to: &bytes)
        if let category = event.categoryId {
            append(#","categoryId":"#, to: &bytes)
            JSONWriter.appendString(category, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// `userId,itemId,categoryId,behavior,timestamp` (milliseconds), no line break. CSV is written without quoting,
    /// for ids such as the generator's and the Taobao dataset's: an event for which `canEncodeCSV` is false (an id
    /// with a comma or line break, an empty categoryId, blanks around the record) is written anyway but does not
    /// decode back to the same event — write JSON for such events.
    public static func encodeCSV(_ event: BehaviorEvent) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(
            32 + event.userId.utf8.count + event.itemId.utf8.count + (event.categoryId?.utf8.count ?? 0))
        bytes.append(contentsOf: event.userId.utf8)
        bytes.append(UInt8(ascii: ","))
        bytes.append(contentsOf: event.itemId.utf8)
        bytes.append(UInt8(ascii: ","))
        if let category = event.categoryId { bytes.append(contentsOf: category.utf8) }
        bytes.append(UInt8(ascii: ","))
        bytes.append(contentsOf: event.behavior.rawValue.utf8)
        bytes.append(UInt8(ascii: ","))
        JSONWriter.appendDigits(event.timestamp, to: &bytes)
        return bytes
    }

    /// Whether `encodeCSV` round-trips the event's ids: none contains a comma or a line break, the categoryId is not
    /// empty, and the userId does not start with a blank.
    public static func canEncodeCSV(_ event: BehaviorEvent) -> Bool {
        func plain(_ id: String) -> Bool {
            !id.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        }
        return plain(event.userId) && plain(event.itemId) && (event.categoryId.map { !$0.isEmpty && plain($0) } ?? true)
            && !(event.userId.utf8.first.map(isBlank) ?? false)
    }

    private static func append(_ literal: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
