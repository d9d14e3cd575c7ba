/// A scalar value of a flat JSON object, materialized (used by the catalog and item-table readers).
enum JSONScalar: Equatable {
    case string(String)
    case integer(Int64)
    /// A number with a fraction or an exponent, or an integer beyond `Int64`.
    case fraction(Double)
    case bool(Bool)
    case null
    case nested
}

/// A member value as the parser found it: its kind and where its bytes are, nothing copied yet. Strings are already
/// checked (escapes, surrogate pairs, UTF-8), so turning one into a `String` cannot fail.
enum JSONRawValue: Equatable {
    /// The bytes between the quotes; `escaped` when they contain a backslash.
    case string(Range<Int>, escaped: Bool)
    /// An integer that fits `Int64`, and its digits as written.
    case integer(Int64, Range<Int>)
    /// Integer syntax (no fraction, no exponent) beyond `Int64`.
    case largeInteger(Range<Int>)
    /// A number with a fraction or an exponent.
    case fraction(Range<Int>)
    case bool(Bool)
    case null
    /// An object or an array, checked and skipped.
    case nested

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer, .largeInteger: "an integer"
        case .fraction: "a fractional number"
        case .bool: "a boolean"
        case .null: "null"
        case .nested: "an object or array"
        }
    }
}

/// A strict parser for one flat JSON object (RFC 8259) on bytes: the whole input must be one object, optionally
/// surrounded by whitespace. Every string is checked — escapes, `\uXXXX` surrogate pairs, UTF-8 — even under keys
/// nobody reads; nested objects and arrays are checked and skipped (at most `maxDepth` levels deep). Members come out
/// one at a time as byte ranges, so a caller that wants five fields copies only those. Hand-written because it runs
/// once per input record: JSONSerialization costs several times the rest of the pipeline.
///
/// Errors are `EventDecodingError`s: `.notJSON` when the input does not start with `{`, `.truncated` when it ends
/// inside the object, `.invalidUTF8` for bad bytes or lone surrogates, `.malformed` for anything else; an error inside
/// a member's value names that member as its field.
struct FlatJSONParser {
    let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var state = State.start

    private enum State { case start, members, done }

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Maximum nesting of skipped values; deeper input is rejected rather than recursed into.
    static let maxDepth = 32

    /// The next member of the object, or nil after the closing `}` (once the rest of the input has been checked to
    /// be whitespace only).
    mutating func nextMember() throws(EventDecodingError) -> (name: JSONRawValue, value: JSONRawValue)? {
        switch state {
        case .done: return nil
        case .start:
            skipWhitespace()
            guard position < bytes.count else { throw truncated() }
            guard bytes[position] == UInt8(ascii: "{") else {
                throw EventDecodingError(
                    .notJSON, "expected a JSON object starting with '{', found \(describe(at: position))")
            }
            position += 1
            skipWhitespace()
            if try peek() == UInt8(ascii: "}") {
                position += 1
                try finish()
                return nil
            }
            state = .members
        case .members:
            skipWhitespace()
            let separator = try next()
            if separator == UInt8(ascii: "}") {
                try finish()
                return nil
            }
            guard separator == UInt8(ascii: ",") else { throw malformed("',' or '}' after a member", back: 1) }
            skipWhitespace()
        }
        guard try peek() == UInt8(ascii: "\"") else { throw malformed("a member name in double quotes") }
        let name = try scanString()
        skipWhitespace()
        try expect(UInt8(ascii: ":"), "':' after the member name")
        skipWhitespace()
        do {
            return (name, try parseValue(depth: 0))
        } catch {
            var error = error
            if error.field == nil { error.field = memberName(name) }
            throw error
        }
    }

    /// Parses the whole object and returns the members whose names `wanted` contains (the last one wins when a name
    /// repeats); the others are checked and skipped.
    mutating func parseObject(wanted: Set<String>) throws(EventDecodingError) -> [String: JSONScalar] {
        var members: [String: JSONScalar] = [:]
        while let (name, value) = try nextMember() {
            let key = string(name)
            if wanted.contains(key) { members[key] = scalar(value) }
        }
        return members
    }

    // MARK: Reading what was found

    /// The text of a value: the unescaped contents of a string, the literal text of a number.
    func string(_ value: JSONRawValue) -> String {
        switch value {
        case .string(let range, escaped: false):
            return String(decoding: slice(range), as: UTF8.self)
        case .string(let range, escaped: true):
            // Unescaping never lengthens: `\n` is 2 bytes for 1, `\uXXXX` 6 for at most 3, a pair 12 for 4.
            return String(unsafeUninitializedCapacity: range.count) { output in unescape(range, into: output) }
        case .integer(_, let range), .largeInteger(let range), .fraction(let range):
            return String(decoding: slice(range), as: UTF8.self)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .nested: return ""
        }
    }

    /// The raw bytes of a range of the input (for a string without escapes: its text).
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// Whether a member name is `literal`, without building a String when the name has no escapes.
    func name(_ name: JSONRawValue, is literal: StaticString) -> Bool {
        guard case .string(let range, let escaped) = name else { return false }
        if escaped { return string(name) == literal.description }
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        return expected.elementsEqual(slice(range))
    }

    func scalar(_ value: JSONRawValue) -> JSONScalar {
        switch value {
        case .string: .string(string(value))
        case .integer(let number, _): .integer(number)
        case .largeInteger, .fraction: .fraction(Double(string(value)) ?? .nan)
        case .bool(let flag): .bool(flag)
        case .null: .null
        case .nested: .nested
        }
    }

    private func memberName(_ name: JSONRawValue) -> String {
        let text = string(name)
        return text.count <= 64 ? text : String(text.prefix(64)) + "…"
    }

    // MARK: Scanning

    private mutating func finish() throws(EventDecodingError) {
        state = .done
        skipWhitespace()
        guard position == bytes.count else { throw malformed("nothing but whitespace after the closing '}'") }
    }

    private mutating func parseValue(depth: Int) throws(EventDecodingError) -> JSONRawValue {
        switch try peek() {
        case UInt8(ascii: "\""): return try scanString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipContainer(depth: depth + 1)
            return .nested
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try scanNumber()
        default: throw malformed("a JSON value")
        }
    }

    private mutating func skipContainer(depth: Int) throws(EventDecodingError) {
        guard depth <= Self.maxDepth else { throw malformed("at most \(Self.maxDepth) levels of nesting") }
        let opener = try next()
        let closer = opener == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        skipWhitespace()
        if try peek() == closer {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            if opener == UInt8(ascii: "{") {
                guard try peek() == UInt8(ascii: "\"") else { throw malformed("a member name in double quotes") }
                _ = try scanString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':' after the member name")
                skipWhitespace()
            }
            _ = try parseValue(depth: depth)
            skipWhitespace()
            let separator = try next()
            if separator == closer { return }
            guard separator == UInt8(ascii: ",") else {
                throw malformed("',' or '\(Character(Unicode.Scalar(closer)))'", back: 1)
            }
        }
    }

    /// Checks a string starting at its opening quote and returns where its contents are.
    private mutating func scanString() throws(EventDecodingError) -> JSONRawValue {
        position += 1  // opening quote
        let start = position
        var escaped = false
        while true {
            guard position < bytes.count else { throw truncated() }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return .string(start..<position - 1, escaped: escaped)
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                try scanEscape()
            } else if byte < 0x20 {
                throw malformed("no raw control characters inside a string (escape them)")
            } else if byte < 0x80 {
                position += 1
            } else {
                try scanMultibyte(byte)
            }
        }
    }

    /// One UTF-8 sequence of 2 to 4 bytes (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
    private mutating func scanMultibyte(_ lead: UInt8) throws(EventDecodingError) {
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            second = 0x80...0x9F
        case 0xF0:
            length = 4
            second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            second = 0x80...0x8F
        default: throw invalidUTF8(at: position)
        }
        for offset in 1..<length {
            guard position + offset < bytes.count else { throw truncated() }
            let byte = bytes[position + offset]
            guard offset == 1 ? second.contains(byte) : (0x80...0xBF).contains(byte) else {
                throw invalidUTF8(at: position)
            }
        }
        position += length
    }

    /// One escape starting at its backslash; a `\u` high surrogate must be followed by a `\u` low surrogate.
    private mutating func scanEscape() throws(EventDecodingError) {
        guard position + 1 < bytes.count else { throw truncated() }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            let unit = try scanHex4(at: position + 2)
            switch unit {
            case 0xD800..<0xDC00:
                let lowAt = position + 6
                guard lowAt + 1 < bytes.count else { throw truncated() }
                guard bytes[lowAt] == UInt8(ascii: "\\"), bytes[lowAt + 1] == UInt8(ascii: "u"),
                    (0xDC00..<0xE000).contains(try scanHex4(at: lowAt + 2))
                else {
                    throw EventDecodingError(
                        .invalidUTF8, "a high surrogate \\u escape without its low half at byte \(position)")
                }
                position += 12
            case 0xDC00..<0xE000:
                throw EventDecodingError(.invalidUTF8, "a lone low surrogate \\u escape at byte \(position)")
            default:
                position += 6
            }
        default:
            position += 1
            throw malformed("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX after a backslash")
        }
    }

    private func scanHex4(at start: Int) throws(EventDecodingError) -> UInt32 {
        var value: UInt32 = 0
        for index in start..<start + 4 {
            guard index < bytes.count else { throw truncated() }
            guard let digit = Self.hexValue(bytes[index]) else {
                throw EventDecodingError(
                    .malformed, "a \\u escape needs four hex digits, found \(describe(at: index)) at byte \(index)")
            }
            value = value << 4 | digit
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Writes the unescaped contents of a checked string; returns the number of bytes written.
    private func unescape(_ range: Range<Int>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var written = 0
        var index = range.lowerBound
        func put(_ byte: UInt8) {
            output[written] = byte
            written += 1
        }
        func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 { value = value << 4 | (Self.hexValue(bytes[at + offset]) ?? 0) }
            return value
        }
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                put(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex4(index + 2) - 0xDC00)
                    index += 6
                }
                switch scalar {
                case ..<0x80: put(UInt8(scalar))
                case ..<0x800:
                    put(UInt8(0xC0 | scalar >> 6))
                    put(UInt8(0x80 | scalar & 0x3F))
                case ..<0x10000:
                    put(UInt8(0xE0 | scalar >> 12))
                    put(UInt8(0x80 | scalar >> 6 & 0x3F))
                    put(UInt8(0x80 | scalar & 0x3F))
                default:
                    put(UInt8(0xF0 | scalar >> 18))
                    put(UInt8(0x80 | scalar >> 12 & 0x3F))
                    put(UInt8(0x80 | scalar >> 6 & 0x3F))
                    put(UInt8(0x80 | scalar & 0x3F))
                }
            default: put(escape)  // \" \\ \/
            }
        }
        return written
    }

    private mutating func scanNumber() throws(EventDecodingError) -> JSONRawValue {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var magnitude: UInt64 = 0
        var overflow = false
        let digitsStart = position
        while position < bytes.count {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            overflow = overflow || o1 || o2
            magnitude = sum
            position += 1
        }
        guard position > digitsStart else { throw position == bytes.count ? truncated() : malformed("a digit") }
        if position - digitsStart > 1, bytes[digitsStart] == UInt8(ascii: "0") {
            throw malformed("no leading zeros in a number", back: position - digitsStart)
        }
        var isFraction = false
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isFraction = true
            position += 1
            try digits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isFraction = true
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            try digits()
        }
        let range = start..<position
        if isFraction { return .fraction(range) }
        let limit = UInt64(Int64.max) + (negative ? 1 : 0)
        if overflow || magnitude > limit { return .largeInteger(range) }
        return .integer(negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude), range)
    }

    private mutating func digits() throws(EventDecodingError) {
        let start = position
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        guard position > start else { throw position == bytes.count ? truncated() : malformed("a digit") }
    }

    private mutating func literal(_ word: StaticString) throws(EventDecodingError) {
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in expected {
            guard try next() == byte else { throw malformed("the literal \(word)", back: 1) }
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    private func peek() throws(EventDecodingError) -> UInt8 {
        guard position < bytes.count else { throw truncated() }
        return bytes[position]
    }

    private mutating func next() throws(EventDecodingError) -> UInt8 {
        guard position < bytes.count else { throw truncated() }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(EventDecodingError) {
        guard try next() == byte else { throw malformed(what, back: 1) }
    }

    // MARK: Errors (cold paths)

    private func truncated() -> EventDecodingError {
        EventDecodingError(.truncated, "the record ends after \(bytes.count) bytes, inside the JSON object")
    }

    private func invalidUTF8(at index: Int) -> EventDecodingError {
        EventDecodingError(.invalidUTF8, "a string is not valid UTF-8: \(describe(at: index)) at byte \(index)")
    }

    private func malformed(_ expected: String, back: Int = 0) -> EventDecodingError {
        let at = max(0, position - back)
        return EventDecodingError(.malformed, "expected \(expected) at byte \(at), found \(describe(at: at))")
    }

    /// A byte for an error message: printable ASCII quoted, anything else in hex.
    private func describe(at index: Int) -> String {
        guard index < bytes.count else { return "the end" }
        let byte = bytes[index]
        if (0x21...0x7E).contains(byte) { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count < 2 ? "0" + hex : hex)"
    }
}
