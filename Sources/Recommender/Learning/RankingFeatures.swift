import StreamEngine

/// The learned ranker's input for one (user, candidate) pair: hashed categorical features (what the item is, who
/// the user is into, where the candidate came from, when) and the candidate sources' normalised scores as numeric
/// features — among them the blend score, whose prior weight of 1 makes an untrained model rank like the blend.
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
        var sources: [String: Feature]
        var sameCategory: (same: Feature, other: Feature)
        var numeric: [Int]

        init(user: UserState, trigger: RecommendationTrigger, time: Int64, bits: Int) {
            self.bits = bits
            var behavior = "window"
            if case .event(_, let triggered) = trigger { behavior = triggered.rawValue }
            triggerCategory = user.history.newestFirst.first { _ in true }?.categoryId
            shared = [
                categorical(.userTopCategory, user.interest.top(1).first?.category ?? "-", bits: bits),
                categorical(.triggerBehavior, behavior, bits: bits),
                categorical(.hourOfDay, String(Int((time / 3_600_000) % 24 + 24) % 24), bits: bits),
            ]
            sources = Dictionary(
                uniqueKeysWithValues: BlendWeights.names.map { ($0, categorical(.source, $0, bits: bits)) })
            sameCategory = (
                categorical(.sameCategoryAsTrigger, "same", bits: bits),
                categorical(.sameCategoryAsTrigger, "other", bits: bits)
            )
            numeric = Field.allCases.map { FeatureHashing.index(field: $0.rawValue, "value", bits: bits) }
        }

        func numeric(_ field: Field, _ value: Double) -> Feature {
            Feature(field: field.rawValue, index: numeric[field.rawValue], value: Float(value))
        }
    }

    /// An item's hashed categorical features, cached per lane (`PipelineSettings.itemCache`): hashing its strings
    /// is most of the work of building an example. The attributes are kept so a changed category is noticed.
    public struct ItemVector: Sendable, Equatable {
        var bits: Int
        var categoryId: String?
        var creatorId: String?
        var features: [Feature]
    }

    static func itemVector(_ candidate: Candidate, bits: Int) -> ItemVector {
        ItemVector(
            bits: bits, categoryId: candidate.categoryId, creatorId: candidate.creatorId,
            features: [
                categorical(.itemCategory, candidate.categoryId ?? "-", bits: bits),
                categorical(.creator, candidate.creatorId ?? "-", bits: bits),
            ])
    }

    static func categorical(_ field: Field, _ value: String, bits: Int) -> Feature {
        Feature(field: field.rawValue, index: FeatureHashing.index(field: field.rawValue, value, bits: bits))
    }

    static func numeric(_ field: Field, _ value: Double, bits: Int) -> Feature {
        Feature(
            field: field.rawValue, index: FeatureHashing.index(field: field.rawValue, "value", bits: bits),
            value: Float(value))
    }

    /// The features of `candidate` for the user in `context`; `item` comes from the cache.
    static func features(of candidate: Candidate, item: ItemVector, context: Context, blend: BlendWeights) -> [Feature]
    {
        var features = item.features
        features.reserveCapacity(fieldCount)
        features += context.shared
        features.append(context.sources[candidate.strongestSource(blend)] ?? context.sources["popular"]!)
        let same = candidate.categoryId != nil && candidate.categoryId == context.triggerCategory
        features.append(same ? context.sameCategory.same : context.sameCategory.other)
        for (field, value) in [
            (Field.cf, candidate.cf), (.content, candidate.content), (.cart, candidate.cart),
            (.trending, candidate.trending), (.popular, candidate.popular), (.interestShare, candidate.interestShare),
            (.blend, candidate.blendScore(blend)),
        ] where value != 0 {
            features.append(context.numeric(field, value))
        }
        return features
    }

    /// A new model that ranks like the blend: the blend score's weight is 1, everything else starts at 0 (the
    /// embeddings at their tiny deterministic values).
    public static func initialModel(_ settings: TrainerSettings) -> RankingModel {
        let kind = RankingModel.Kind(rawValue: settings.kind) ?? .fm
        var model = RankingModel(
            kind: kind, hashBits: settings.hashBits, factorCount: settings.factors, fieldCount: fieldCount,
            hiddenUnits: kind == .deepFM ? settings.hiddenUnits : 0)
        model.setLinearWeight(1, at: numeric(.blend, 0, bits: settings.hashBits).index)
        return model
    }
}
