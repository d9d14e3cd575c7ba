/// What a user did with an item, from the weakest signal to the strongest.
public enum Behavior: String, Sendable, Hashable, CaseIterable, Codable {
    case view, click, favorite, cart, purchase

    /// Reads a behaviour name, case-insensitively; also the Taobao UserBehavior names `pv`, `fav` and `buy`.
    public init?(name: some StringProtocol) {
        switch name.lowercased() {
        case "view", "pv": self = .view
        case "click": self = .click
        case "favorite", "fav", "favourite": self = .favorite
        case "cart": self = .cart
        case "purchase", "buy": self = .purchase
        default: return nil
        }
    }

    /// How much the behaviour says about interest: view 1, click 2, favorite 3, cart 4, purchase 5.
    public var weight: Double {
        switch self {
        case .view: 1
        case .click: 2
        case .favorite: 3
        case .cart: 4
        case .purchase: 5
        }
    }
}
