/// What a user did with an item, from the weakest signal to the strongest.
public enum Behavior: String, Sendable, Hashable, CaseIterable, Codable {
    case view, click, favorite, cart, purchase

    /// Reads a behaviour name, ASCII case-insensitively; also the Taobao UserBehavior names `pv`, `fav` and `buy`
    /// (and the British `favourite`).
    public init?(name: some StringProtocol) {
        var name = String(name)
        guard let behavior = name.withUTF8({ Behavior(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = behavior
    }

    /// The default strength of the signal: view 1, click 2, favorite 3, cart 4, purchase 5 (the defaults of
    /// `BehaviorWeights`, which a deployment may change).
    public var weight: Double {
        switch self {
        case .view: 1
        case .click: 2
        case .favorite: 3
        case .cart: 4
        case .purchase: 5
        }
    }

    /// `init(name:)` on the UTF-8 bytes of a name, without building a String (the decode hot path).
    init?(utf8 name: UnsafeRawBufferPointer) {
        func matches(_ literal: StaticString) -> Bool {
            guard name.count == literal.utf8CodeUnitCount else { return false }
            let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            for index in 0..<name.count {
                let byte = name[index]
                let lower = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
                guard lower == expected[index] else { return false }
            }
            return true
        }
        switch name.count {
        case 2 where matches("pv"): self = .view
        case 3 where matches("fav"): self = .favorite
        case 3 where matches("buy"): self = .purchase
        case 4 where matches("view"): self = .view
        case 4 where matches("cart"): self = .cart
        case 5 where matches("click"): self = .click
        case 8 where matches("favorite"): self = .favorite
        case 8 where matches("purchase"): self = .purchase
        case 9 where matches("favourite"): self = .favorite
        default: return nil
        }
    }
}
