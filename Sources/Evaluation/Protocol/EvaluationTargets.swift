import Recommender

/// Which interactions are evaluation targets: the item of a target interaction is what the lists before it should
/// have held. By default purchases only — the positives (MovieLens converted: a rating of 4 or 5); a view says
/// little about what the user wanted.
public struct EvaluationTargets: Sendable, Equatable {
    public var behaviors: Set<Behavior>

    public static let positives = EvaluationTargets(behaviors: [.purchase])

    public init(behaviors: Set<Behavior>) { self.behaviors = behaviors }

    /// `purchase`, `cart,purchase`, or `all`; behaviour names as in events (`buy`, `fav`, `pv` too).
    public init(parsing text: String) throws(SettingsError) {
        if text == "all" {
            self.init(behaviors: Set(Behavior.allCases))
            return
        }
        var behaviors: Set<Behavior> = []
        for name in text.split(separator: ",") {
            guard let behavior = Behavior(name: name) else {
                throw SettingsError("targets: unknown behavior '\(name)'; use behavior names or 'all'")
            }
            behaviors.insert(behavior)
        }
        guard !behaviors.isEmpty else { throw SettingsError("targets: name at least one behavior, or 'all'") }
        self.init(behaviors: behaviors)
    }

    public func contains(_ behavior: Behavior) -> Bool { behaviors.contains(behavior) }

    /// In the order of `Behavior.allCases`, for reports.
    public var names: [String] { Behavior.allCases.filter(behaviors.contains).map(\.rawValue) }
}
