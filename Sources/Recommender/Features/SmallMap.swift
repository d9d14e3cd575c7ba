/// A map that keeps its first entry inline and makes a `Dictionary` only when a second key arrives.
///
/// For window accumulators: at catalogue scale most windows see one event (1 M events of the scale workload close
/// 818 k user windows and 212 k item windows), and a `Set` of items and a `Dictionary` of categories made per
/// window were two of a features-only replay's ~14 allocations per event.
public struct SmallMap<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var first: (key: Key, value: Value)?
    // Never holds `first.key`.
    private var rest: [Key: Value] = [:]

    public init() {}

    public var count: Int { (first == nil ? 0 : 1) + rest.count }
    public var isEmpty: Bool { first == nil }

    public subscript(key: Key) -> Value? {
        if let first, first.key == key { return first.value }
        return rest[key]
    }

    /// Changes the value of `key`, which starts as `initial` when the key is new.
    public mutating func update(_ key: Key, initial: Value, _ change: (inout Value) -> Void) {
        if first == nil {
            var value = initial
            change(&value)
            first = (key, value)
        } else if first!.key == key {
            change(&first!.value)
        } else {
            change(&rest[key, default: initial])
        }
    }

    /// Every entry, in no particular order (the inline one first).
    public var entries: [(key: Key, value: Value)] {
        guard let first else { return [] }
        return [first] + rest.map { ($0.key, $0.value) }
    }

    /// Calls `body` with every entry, the inline one first, without making an array.
    public func forEach(_ body: (Key, Value) -> Void) {
        guard let first else { return }
        body(first.key, first.value)
        for (key, value) in rest { body(key, value) }
    }
}

/// A set over `SmallMap`: its first element inline.
public struct SmallSet<Element: Hashable & Sendable>: Sendable {
    private var map = SmallMap<Element, Bool>()

    public init() {}

    public var count: Int { map.count }

    public func contains(_ element: Element) -> Bool { map[element] != nil }

    public mutating func insert(_ element: Element) { map.update(element, initial: true) { _ in } }

    /// The elements in no particular order.
    public var elements: [Element] { map.entries.map(\.key) }
}
