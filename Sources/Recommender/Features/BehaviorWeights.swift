import Foundation

/// How much each behaviour counts in popularity and interest. Defaults: view 1, click 2, favorite 3, cart 4, purchase 5.
public struct BehaviorWeights: Sendable, Equatable {
    // Bound: one weight per behaviour.
    private var weights: [Double]

    public init(
        view: Double = Behavior.view.weight, click: Double = Behavior.click.weight,
        favorite: Double = Behavior.favorite.weight, cart: Double = Behavior.cart.weight,
        purchase: Double = Behavior.purchase.weight
    ) {
        weights = [view, click, favorite, cart, purchase]
    }

    public subscript(_ behavior: Behavior) -> Double {
        get { weights[behavior.index] }
        set { weights[behavior.index] = newValue }
    }

    /// Parses `view=1,click=2,...`; names not given keep their default.
    public init(parsing text: String) throws(SettingsError) {
        self.init()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let behavior = Behavior(name: parts[0]), let weight = Double(parts[1]), weight >= 0
            else {
                throw SettingsError(
                    "behavior weights: '\(pair)' is not NAME=WEIGHT with a known behavior and a non-negative number")
            }
            self[behavior] = weight
        }
    }
}

extension Behavior {
    /// Position in `allCases`, for array-indexed counters.
    var index: Int {
        switch self {
        case .view: 0
        case .click: 1
        case .favorite: 2
        case .cart: 3
        case .purchase: 4
        }
    }
}
