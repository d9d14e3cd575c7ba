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

/// Decodes and encodes behavior events. Decoding never traps: every problem is an `EventDecodingError` that names the
/// field and what was wrong.
public enum EventCodec {

    public static func decode(_ bytes: some Collection<UInt8>, format: EventFormat = .auto) throws(EventDecodingError)
        -> BehaviorEvent
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

    public static func decode(_ bytes: UnsafeRawBufferPointer, format: EventFormat) throws(EventDecodingError)
        -> BehaviorEvent
    {
        guard let first = bytes.firstIndex(where: { !isBlank($0) }) else {
            throw EventDecodingError(.emptyRecord, "the record is empty; a behavior event is required")
        }
        switch format {
        case .json: return try decodeJSON(bytes)
        case .csv: return try decodeCSV(bytes, timestampScale: 1)
        case .taobaoCSV: return try decodeCSV(bytes, timestampScale: 1_000)
        case .auto:
            return bytes[first] == UInt8(ascii: "{")
                ? try decodeJSON(bytes) : try decodeCSV(bytes, timestampScale: 1)
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    private static func decodeJSON(_ bytes: UnsafeRawBufferPointer) throws(EventDecodingError) -> BehaviorEvent {
        var parser = FlatJSONParser(bytes)
        // Five fixed slots instead of a table: decoding allocates nothing but the event's own (long) strings.
        var slots:
            (
                userId: JSONScalar?, itemId: JSONScalar?, behavior: JSONScalar?, timestamp: JSONScalar?,
                categoryId: JSONScalar?
            ) = (nil, nil, nil, nil, nil)
        try parser.parseMembers { name, value in
            switch name {
            case "userId": slots.userId = value
            case "itemId": slots.itemId = value
            case "behavior": slots.behavior = value
            case "timestamp": slots.timestamp = value
            case "categoryId": slots.categoryId = value
            default: break
            }
        }
        func member(_ name: String) -> JSONScalar? {
            switch name {
            case "userId": slots.userId
            case "itemId": slots.itemId
            case "behavior": slots.behavior
            case "timestamp": slots.timestamp
            default: slots.categoryId
            }
        }
        func id(_ name: String) throws(EventDecodingError) -> String {
            switch member(name) {
            case .string(let text): return try validated(id: text, field: name)
            case .integer(let number): return String(number)
            case nil, .null?: throw EventDecodingError(.missingField, field: name, "required, not present")
            case let other?:
                throw EventDecodingError(.wrongType, field: name, "expected a string id, got \(other.typeName)")
            }
        }
        let userId = try id("userId")
        let itemId = try id("itemId")
        let behavior: Behavior
        switch slots.behavior {
        case .string(let name):
            guard let known = Behavior(name: name) else { throw unknownBehavior(name) }
            behavior = known
        case nil, .null?: throw EventDecodingError(.missingField, field: "behavior", "required, not present")
        case let other?:
            throw EventDecodingError(.wrongType, field: "behavior", "expected a behavior name, got \(other.typeName)")
        }
        let timestamp: Int64
        switch slots.timestamp {
        case .integer(let value): timestamp = try validated(timestamp: value)
        case nil, .null?:
            throw EventDecodingError(.missingField, field: "timestamp", "required (epoch milliseconds), not present")
        case let other?:
            throw EventDecodingError(
                .wrongType, field: "timestamp", "expected epoch milliseconds as an integer, got \(other.typeName)")
        }
        var categoryId: String?
        switch slots.categoryId {
        case .string(let text): categoryId = try validated(id: text, field: "categoryId")
        case .integer(let number): categoryId = String(number)
        case nil, .null?: categoryId = nil
        case let other?:
            throw EventDecodingError(.wrongType, field: "categoryId", "expected a string id, got \(other.typeName)")
        }
        return BehaviorEvent(
            userId: userId, itemId: itemId, behavior: behavior, timestamp: timestamp, categoryId: categoryId)
    }

    private static func decodeCSV(_ bytes: UnsafeRawBufferPointer, timestampScale: Int64) throws(EventDecodingError)
        -> BehaviorEvent
    {
        var end = bytes.count
        while end > 0, isBlank(bytes[end - 1]) { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[..<end])
        let columns = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard columns.count == 5 else {
            throw EventDecodingError(
                .wrongColumnCount,
                "expected 5 comma-separated columns (userId,itemId,categoryId,behavior,timestamp), got \(columns.count)"
            )
        }
        func text(_ index: Int, _ field: String) throws(EventDecodingError) -> String {
            guard let value = String(validating: columns[index], as: UTF8.self) else {
                throw EventDecodingError(.invalidUTF8, field: field, "the column is not valid UTF-8")
            }
            return value
        }
        let userId = try validated(id: text(0, "userId"), field: "userId")
        let itemId = try validated(id: text(1, "itemId"), field: "itemId")
        let category = try text(2, "categoryId")
        let behaviorName = try text(3, "behavior")
        guard let behavior = Behavior(name: behaviorName) else { throw unknownBehavior(behaviorName) }
        let timestampText = try text(4, "timestamp")
        guard let raw = Int64(timestampText) else {
            throw EventDecodingError(.wrongType, field: "timestamp", "expected an integer, got '\(timestampText)'")
        }
        let (scaled, overflow) = raw.multipliedReportingOverflow(by: timestampScale)
        guard !overflow else {
            throw EventDecodingError(.timestampOutOfRange, field: "timestamp", "\(raw) is out of range")
        }
        return BehaviorEvent(
            userId: userId, itemId: itemId, behavior: behavior, timestamp: try validated(timestamp: scaled),
            categoryId: category.isEmpty ? nil : try validated(id: category, field: "categoryId"))
    }

    private static func validated(id: String, field: String) throws(EventDecodingError) -> String {
        guard !id.isEmpty else { throw EventDecodingError(.emptyId, field: field, "must not be empty") }
        guard id.utf8.count <= BehaviorEvent.maxIdBytes else {
            throw EventDecodingError(
                .idTooLong, field: field, "\(id.utf8.count) bytes; at most \(BehaviorEvent.maxIdBytes) allowed")
        }
        return id
    }

    private static func validated(timestamp: Int64) throws(EventDecodingError) -> Int64 {
        guard BehaviorEvent.timestampRange.contains(timestamp) else {
            throw EventDecodingError(
                .timestampOutOfRange, field: "timestamp",
                "\(timestamp) is not epoch milliseconds between 1970 and 2100")
        }
        return timestamp
    }

    private static func unknownBehavior(_ name: String) -> EventDecodingError {
        EventDecodingError(
            .unknownBehavior, field: "behavior",
            "'\(name.prefix(64))' is not one of view, click, favorite, cart, purchase (or pv, fav, buy)")
    }

    /// Compact JSON, keys in the documented order; `categoryId` is omitted when absent.
    public static func encodeJSON(_ event: BehaviorEvent) -> [UInt8] {
        var json = JSONWriter(capacity: 96)
        json.beginObject()
        json.field("userId", event.userId)
        json.field("itemId", event.itemId)
        json.field("behavior", event.behavior.rawValue)
        json.field("timestamp", event.timestamp)
        if let category = event.categoryId { json.field("categoryId", category) }
        json.endObject()
        return json.bytes
    }

    /// `userId,itemId,categoryId,behavior,timestamp`. CSV has no quoting here: ids with commas or line breaks
    /// cannot be written this way (use JSON for them).
    public static func encodeCSV(_ event: BehaviorEvent) -> [UInt8] {
        Array(
            "\(event.userId),\(event.itemId),\(event.categoryId ?? ""),\(event.behavior.rawValue),\(event.timestamp)"
                .utf8)
    }
}
