import StreamEngine

/// The learned ranker's input for one (user, candidate) pair: hashed categorical features (what the item is, who
/// the user is into, where the candidate came from, when) and the candidate sources' normalised scores as numeric
/// features — among them the blend score, whose prior weight (`TrainerSettings.blendPrior`) makes an untrained model
/// rank like the blend.
public enum RankingFeatures {
    public enum Field: Int, CaseIterable, Sendable {
        case itemCategory, userTopCategory, creator, source, triggerBehavior, hourOfDay, sameCategoryAsTrigger
        case cf, content, cart, trending, popular, interestShare, blend
    }

    public static let fieldCount = Field.allCases.count

    /// What the features of a list share — the user and the moment — hashed once per list, with the indices of the
    /// per-candidate fields that take few values (sources, same/other category, the numeric fields).
    public struct Context: Sendable {
        var triggerCategory: String?
        var bits: Int
        var shared: [Feature]
        private var constants: Constants
        /// In `BlendWeights.names` order.
        var sources: [Feature] { constants.sources }
        var sameCategory: (same: Feature, other: Feature) { constants.sameCategory }
        /// An item without a category, and without a creator (every item of a catalogue without creators).
        var unknown: (category: Feature, creator: Feature) { constants.unknown }

        init(user: UserState, trigger: RecommendationTrigger, time: Int64, bits: Int) {
            self.bits = bits
            var behavior = "window"
            if case .event(_, let triggered) = trigger { behavior = triggered.rawValue }
            triggerCategory = user.history.newestFirst.first { _ in true }?.categoryId
            shared = [
                categorical(.userTopCategory, user.interest.strongest ?? "-", bits: bits),
                categorical(.triggerBehavior, behavior, bits: bits),
                categorical(.hourOfDay, String(Int((time / 3_600_000) % 24 + 24) % 24), bits: bits),
            ]
            constants = RankingFeatures.constants[bits - 1]
        }

        func numeric(_ field: Field, _ value: Double) -> Feature {
            Feature(field: field.rawValue, index: constants.numeric[field.rawValue], value: Float(value))
        }
    }

    /// The features that depend on the hash width only: made once per width, not per feed (two arrays and twenty
    /// hashes of every list's context).
    struct Constants: Sendable {
        var sources: [Feature]
        var sameCategory: (same: Feature, other: Feature)
        var unknown: (category: Feature, creator: Feature)
        var numeric: [Int]

        init(bits: Int) {
            sources = BlendWeights.names.map { categorical(.source, $0, bits: bits) }
            sameCategory = (
                categorical(.sameCategoryAsTrigger, "same", bits: bits),
                categorical(.sameCategoryAsTrigger, "other", bits: bits)
            )
            unknown = (categorical(.itemCategory, "-", bits: bits), categorical(.creator, "-", bits: bits))
            numeric = Field.allCases.map { FeatureHashing.index(field: $0.rawValue, "value", bits: bits) }
        }
    }

    /// `Constants` of every width `FeatureHashing` takes (1...62), width w at index w - 1; made at first use.
    static let constants: [Constants] = (1...62).map { Constants(bits: $0) }

    /// The categorical feature of an item attribute hashed in advance (`ItemFeatureHashes`).
    static func categorical(_ field: Field, hash: UInt64, bits: Int) -> Feature {
        Feature(field: field.rawValue, index: FeatureHashing.index(hash: hash, bits: bits))
    }

    static func categorical(_ field: Field, _ value: String, bits: Int) -> Feature {
        Feature(field: field.rawValue, index: FeatureHashing.index(field: field.rawValue, value, bits: bits))
    }

    static func numeric(_ field: Field, _ value: Double, bits: Int) -> Feature {
        Feature(
            field: field.rawValue, index: FeatureHashing.index(field: field.rawValue, "value", bits: bits),
            value: Float(value))
    }

    /// Appends the features of `candidate` for the user in `context` to `features`. The item's own two come hashed
    /// with its attributes from the item table (`ItemFeatureHashes`), or are hashed here for a candidate whose
    /// attributes were set otherwise.
    static func append(
        _ candidate: Candidate, context: Context, blend: BlendWeights, to features: inout [Feature]
    ) {
        let bits = context.bits
        let hashes =
            candidate.featureHashes
            ?? ItemFeatureHashes(categoryId: candidate.categoryId, creatorId: candidate.creatorId)
        features.append(
            hashes.category.map { categorical(.itemCategory, hash: $0, bits: bits) } ?? context.unknown.category)
        features.append(hashes.creator.map { categorical(.creator, hash: $0, bits: bits) } ?? context.unknown.creator)
        features += context.shared
        features.append(context.sources[candidate.strongestSourceIndex(blend)])
        let same = candidate.categoryId != nil && candidate.categoryId == context.triggerCategory
        features.append(same ? context.sameCategory.same : context.sameCategory.other)
        // One call per field, not a loop over an array literal of pairs (an allocation per candidate).
        func numeric(_ field: Field, _ value: Double) {
            if value != 0 { features.append(context.numeric(field, value)) }
        }
        numeric(.cf, candidate.cf)
        numeric(.content, candidate.content)
        numeric(.cart, candidate.cart)
        numeric(.trending, candidate.trending)
        numeric(.popular, candidate.popular)
        numeric(.interestShare, candidate.interestShare)
        numeric(.blend, candidate.blendScore(blend))
    }

    /// A new model that ranks like the blend: the blend score's weight is `blendPrior`, everything else starts at 0
    /// (the embeddings at their tiny deterministic values).
    public static func initialModel(_ settings: TrainerSettings) -> RankingModel {
        let kind = RankingModel.Kind(rawValue: settings.kind) ?? .fm
        var model = RankingModel(
            kind: kind, hashBits: settings.hashBits, factorCount: settings.factors, fieldCount: fieldCount,
            hiddenUnits: kind == .deepFM ? settings.hiddenUnits : 0)
        model.setLinearWeight(Float(settings.blendPrior), at: numeric(.blend, 0, bits: settings.hashBits).index)
        return model
    }
}

/// An item's category and creator as the ranking features hash them (`FeatureHashing.hash`, before a width's fold and
/// mask, so one serves every model): made when the item table stores the item's attributes, not two strings hashed
/// per scored candidate of every feed.
package struct ItemFeatureHashes: Sendable, Equatable {
    var category: UInt64?
    var creator: UInt64?

    init(categoryId: String?, creatorId: String?) {
        category = categoryId.map { FeatureHashing.hash(field: RankingFeatures.Field.itemCategory.rawValue, $0) }
        creator = creatorId.map { FeatureHashing.hash(field: RankingFeatures.Field.creator.rawValue, $0) }
    }
}
