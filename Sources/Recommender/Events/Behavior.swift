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
}
