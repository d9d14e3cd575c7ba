/// A scalar value of a flat JSON object.
enum JSONScalar: Equatable {
    case string(String)
    case integer(Int64)
    case fraction(Double)
    case bool(Bool)
    case null
    case nested

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .fraction: "a fractional number"
        case .bool: "a boolean"
        case .null: "null"
        case .nested: "an object or array"
        }
    }
}

/// A strict parser for one flat JSON object (RFC 8259), on bytes. It returns the members whose names `wanted`
/// contains; other members are checked for syntax and skipped (nested values included). Hand-written because it runs
/// once per input record: JSONSerialization costs several times the rest of the pipeline.
struct FlatJSONParser {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Maximum nesting of skipped values; deeper input is rejected rather than recursed into.
    static let maxDepth = 32

    mutating func parseObject(wanted: Set<String>) throws(EventDecodingError) -> [String: JSONScalar] {
        var members: [String: JSONScalar] = [:]
        try parseMembers { name, value in
            if wanted.contains(name) { members[name] = value }
        }
        return members
    }

    /// Parses the object, handing each member to `visit` in order; nothing is collected, so a caller that keeps a
    /// fixed set of fields parses without allocating a table.
    mutating func parseMembers(_ visit: (String, JSONScalar) -> Void) throws(EventDecodingError) {
        skipWhitespace()
        try expect(UInt8(ascii: "{"), "a JSON object starting with '{'")
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                guard try peek() == UInt8(ascii: "\"") else { throw malformed("a member name in double quotes") }
                let name = try parseString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':' after the member name")
                skipWhitespace()
                visit(name, try parseValue(depth: 0))
                skipWhitespace()
                let separator = try next()
                if separator == UInt8(ascii: "}") { break }
                guard separator == UInt8(ascii: ",") else { throw malformed("',' or '}' after a member", back: 1) }
            }
        }
        skipWhitespace()
        guard position == bytes.count else { throw malformed("nothing after the closing '}'") }
    }

    private mutating func parseValue(depth: Int) throws(EventDecodingError) -> JSONScalar {
        switch try peek() {
        case UInt8(ascii: "\""): return .string(try parseString())
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
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
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
                _ = try parseString()
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

    private mutating func parseString() throws(EventDecodingError) -> String {
        position += 1  // opening quote
        let start = position
        var hasEscapes = false
        while true {
            let byte = try next()
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                _ = try next()
            } else if byte < 0x20 {
                throw malformed("no raw control characters inside a string", back: 1)
            }
        }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position - 1])
        if !hasEscapes {
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw EventDecodingError(.invalidUTF8, "a string is not valid UTF-8 (at byte \(start))")
            }
            return text
        }
        return try unescape(raw)
    }

    private func unescape(_ raw: UnsafeRawBufferPointer) throws(EventDecodingError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = 0
        func hex4(_ at: Int) throws(EventDecodingError) -> UInt32 {
            guard at + 4 <= raw.count else {
                throw EventDecodingError(.malformed, "a \\u escape needs four hex digits")
            }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = raw[at + offset]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw EventDecodingError(.malformed, "a \\u escape needs four hex digits")
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u")
                    else { throw EventDecodingError(.invalidUTF8, "a high surrogate \\u escape without its low half") }
                    let low = try hex4(index + 2)
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw EventDecodingError(.invalidUTF8, "a high surrogate \\u escape without its low half")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else {
                    throw EventDecodingError(.invalidUTF8, "a lone surrogate in a \\u escape")
                }
                output.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: throw EventDecodingError(.malformed, "an unknown escape \\\(Character(Unicode.Scalar(escape)))")
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else {
            throw EventDecodingError(.invalidUTF8, "a string is not valid UTF-8")
        }
        return text
    }

    private mutating func parseNumber() throws(EventDecodingError) -> JSONScalar {
        let start = position
        var negative = false
        if try peek() == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        var magnitude: UInt64 = 0
        var overflow = false
        let digitsStart = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            magnitude = sum
            position += 1
        }
        guard position > digitsStart else { throw malformed("digits in a number") }
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
        if isFraction || overflow || magnitude > UInt64(Int64.max) {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            return .fraction(Double(text) ?? .nan)
        }
        return .integer(negative ? -Int64(magnitude) : Int64(magnitude))
    }

    private mutating func digits() throws(EventDecodingError) {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        guard position > start else { throw malformed("digits in a number") }
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

    private func truncated() -> EventDecodingError {
        EventDecodingError(.truncated, "the record ends after \(bytes.count) bytes, inside the JSON object")
    }

    private func malformed(_ expected: String, back: Int = 0) -> EventDecodingError {
        let at = max(0, position - back)
        let found = at < bytes.count ? "'\(Character(Unicode.Scalar(bytes[at])))'" : "the end"
        return EventDecodingError(.malformed, "expected \(expected) at byte \(at), found \(found)")
    }
}
