import ArgumentParser
import Recommender
import StreamEngine
import Topology

/// Flags of the recommender: item-CF, ranking, caches and the learned ranker. Like `PipelineOptions`, each is a
/// `Setting` (key, default from `PipelineSettings`, bound, help) and can also come from `STREAMREC_<KEY>` or the
/// config file.
struct RecommenderOptions: ParsableArguments {
    private static let pipeline = PipelineSettings()

    static let coOccurrenceItems = Setting<Int>(
        "co-occurrence-items", default: pipeline.cf.coOccurrenceItems, bound: .nonNegative,
        help: "Recent distinct items each event is paired with for item-CF (0: no CF).")
    static let coOccurrenceWindow = Setting<Int>(
        "co-occurrence-window-seconds", default: Int(pipeline.cf.coOccurrenceWindow / 1_000), bound: .positive,
        help: "Only items acted on this long before an event pair with it, seconds.")
    static let coOccurrenceHalfLife = Setting<Int>(
        "co-occurrence-half-life-seconds", default: Int(pipeline.cf.coOccurrenceHalfLife / 1_000), bound: .positive,
        help: "Half-life of co-occurrence counts, seconds of event time.")
    static let neighbours = Setting<Int>(
        "neighbours", default: pipeline.cf.neighbourCount, bound: .positive,
        help: "CF neighbours and cart complements published per item; all of them score a feed.")
    static let neighbourRefresh = Setting<Int>(
        "neighbour-refresh-ms", default: Int(pipeline.cf.neighbourRefreshInterval), bound: .nonNegative,
        help: "Minimum milliseconds of event time between two neighbour computations of an item.")
    static let similarListInterval = Setting<Int>(
        "similar-list-interval-ms", default: Int(pipeline.cf.similarListInterval), bound: .nonNegative,
        help: "Minimum milliseconds of event time between two similar lists of an item.")
    static let maxCoItems = Setting<Int>(
        "max-co-items", default: pipeline.cf.maxCoItemsPerItem, bound: .positive,
        help: "Partners remembered per item for item-CF (the weakest gives way).")
    static let coOccurrenceShrinkage = Setting<Double>(
        "co-occurrence-shrinkage", default: pipeline.cf.coOccurrenceShrinkage, bound: .nonNegative,
        help: "Neighbour similarities × co/(co + this), co the pair's decayed count.")
    static let cfSeeds = Setting<Int>(
        "cf-seeds", default: pipeline.ranking.cfSeeds, bound: .positive,
        help: "CF candidates: recent distinct items of the user whose neighbours are proposed.")
    static let cfNeighboursPerSeed = Setting<Int>(
        "cf-neighbours-per-seed", default: pipeline.ranking.neighboursPerSeed, bound: .positive,
        help: "CF candidates: neighbours proposed per recent item (at most --neighbours).")
    static let cfSeedDecay = Setting<Double>(
        "cf-seed-decay", default: pipeline.ranking.cfSeedDecay,
        bound: SettingBound(requirement: "in (0, 1]") { $0 > 0 && $0 <= 1 },
        help: "CF candidates: the n-th most recent seed counts this^n, in (0, 1].")
    static let cfSeedPopularityExponent = Setting<Double>(
        "cf-seed-popularity-exponent", default: pipeline.ranking.cfSeedPopularityExponent,
        bound: SettingBound(requirement: "in 0...1") { (0...1).contains($0) },
        help: "CF candidates: neighbour cosines × pop(seed)^this, 0...1; 0.5 cancels the seed's.")
    static let blend = Setting<String>(
        "blend", default: pipeline.ranking.blend.description, help: "Weights of the hand-written blend.")
    static let rankedCandidates = Setting<Int>(
        "ranked-candidates", default: pipeline.ranking.rankedCandidates, bound: .positive,
        help: "A feed ranks its best this many candidates by the blend, and every cart complement (at least the list).")
    static let maxPerCategory = Setting<Int>(
        "max-per-category", default: pipeline.ranking.maxPerCategory, bound: .positive,
        help: "At most this many items of one category in a list.")
    static let filterSeen = Setting<Bool>(
        "filter-seen", default: pipeline.ranking.filterSeen,
        help: "Never recommend what the user interacted with recently: true or false.")
    static let filterPurchased = Setting<Bool>(
        "filter-purchased", default: pipeline.ranking.filterPurchased,
        help: "Never recommend what the user bought: true or false.")
    static let windowFeedRefresh = Setting<Bool>(
        "refresh-feeds-at-window-close", default: pipeline.refreshesCurrentFeedsAtWindowClose,
        help: "Rank a user's feed again when their window closes even if their last feed is current: true or false.")
    static let userCacheSize = Setting<Int>(
        "user-cache-size", default: pipeline.userCache.maxEntries, bound: .positive,
        help: "Users whose latest feed is kept per partition.")
    static let userCacheTTL = Setting<Int>(
        "user-cache-ttl-seconds", default: Int(pipeline.userCache.expireAfterWrite / 1_000), bound: .positive,
        help: "Expire-after-write of the user cache, seconds of event time.")
    static let trainingHorizon = Setting<Int>(
        "training-horizon-seconds", default: Int(pipeline.labels.trainingHorizon / 1_000), bound: .positive,
        help: "A feed's items are labelled by the user's actions within this long, seconds.")
    static let trainer = Setting<Bool>(
        "trainer", default: pipeline.trainer.enabled,
        help: "Train when this instance gets the training partition: true or false.")
    static let modelKind = Setting<ModelKind>(
        "model-kind", default: ModelKind(rawValue: pipeline.trainer.kind), help: "Learned ranker: fm or deepfm.")
    static let modelHashBits = Setting<Int>(
        "model-hash-bits", default: pipeline.trainer.hashBits, bound: .within(RankingModel.hashBitsRange),
        help: "Hashed feature space of a new model, bits.")
    static let modelFactors = Setting<Int>(
        "model-factors", default: pipeline.trainer.factors, help: "Latent factors of a new model.")
    static let modelLearningRate = Setting<Double>(
        "model-learning-rate", default: pipeline.trainer.learningRate,
        bound: SettingBound(requirement: "positive") { $0 > 0 && $0.isFinite },
        help: "AdaGrad's learning rate of the trainer.")
    static let modelBlendPrior = Setting<Double>(
        "model-blend-prior", default: pipeline.trainer.blendPrior,
        bound: SettingBound(requirement: "positive") { $0 > 0 && $0.isFinite },
        help: "A new model's weight on the blend score (it ranks like the blend until it learns).")
    static let modelPublishEvery = Setting<Int>(
        "model-publish-every", default: pipeline.trainer.publishEvery, bound: .positive,
        help: "Training examples between two publish decisions.")
    static let modelAutoActivate = Setting<Bool>(
        "model-auto-activate", default: pipeline.trainer.autoActivate,
        help: "Make each version the trainer publishes active (unless pinned): true or false.")
    static let modelActivateAboveBlend = Setting<Bool>(
        "model-activate-above-blend", default: pipeline.trainer.activateOnlyAboveBlend,
        help: "Activate a published version only if its validation AUC beat the blend score's: true or false.")
    static let modelsTopic = Setting<String>(
        "models-topic", default: pipeline.topics.models, help: "Topic of model versions (compacted).")

    @Option(Self.coOccurrenceItems) var coOccurrenceItems: Int?
    @Option(Self.coOccurrenceWindow) var coOccurrenceWindowSeconds: Int?
    @Option(Self.coOccurrenceHalfLife) var coOccurrenceHalfLifeSeconds: Int?
    @Option(Self.neighbours) var neighbours: Int?
    @Option(Self.neighbourRefresh) var neighbourRefreshMs: Int?
    @Option(Self.similarListInterval) var similarListIntervalMs: Int?
    @Option(Self.maxCoItems) var maxCoItems: Int?
    @Option(Self.coOccurrenceShrinkage) var coOccurrenceShrinkage: Double?
    @Option(Self.cfSeeds) var cfSeeds: Int?
    @Option(Self.cfNeighboursPerSeed) var cfNeighboursPerSeed: Int?
    @Option(Self.cfSeedDecay) var cfSeedDecay: Double?
    @Option(Self.cfSeedPopularityExponent) var cfSeedPopularityExponent: Double?
    @Option(Self.blend) var blend: String?
    @Option(Self.rankedCandidates) var rankedCandidates: Int?
    @Option(Self.maxPerCategory) var maxPerCategory: Int?
    @Option(Self.filterSeen) var filterSeen: Bool?
    @Option(Self.filterPurchased) var filterPurchased: Bool?
    @Option(Self.windowFeedRefresh) var refreshFeedsAtWindowClose: Bool?
    @Option(Self.userCacheSize) var userCacheSize: Int?
    @Option(Self.userCacheTTL) var userCacheTtlSeconds: Int?
    @Option(Self.trainingHorizon) var trainingHorizonSeconds: Int?
    @Option(Self.trainer) var trainer: Bool?
    @Option(Self.modelKind) var modelKind: ModelKind?
    @Option(Self.modelHashBits) var modelHashBits: Int?
    @Option(Self.modelFactors) var modelFactors: Int?
    @Option(Self.modelLearningRate) var modelLearningRate: Double?
    @Option(Self.modelBlendPrior) var modelBlendPrior: Double?
    @Option(Self.modelPublishEvery) var modelPublishEvery: Int?
    @Option(Self.modelAutoActivate) var modelAutoActivate: Bool?
    @Option(Self.modelActivateAboveBlend) var modelActivateAboveBlend: Bool?
    @Option(Self.modelsTopic) var modelsTopic: String?

    /// Applies the flags (or their environment/file values, or the defaults) to `settings`.
    func apply(_ sources: ConfigurationSources, to settings: inout PipelineSettings) throws {
        let seconds = { (setting: Setting<Int>, flag: Int?) throws -> Int64 in
            Int64(try sources.value(of: setting, flag: flag)) * 1_000
        }
        settings.cf.coOccurrenceItems = try sources.value(of: Self.coOccurrenceItems, flag: coOccurrenceItems)
        settings.cf.coOccurrenceWindow = try seconds(Self.coOccurrenceWindow, coOccurrenceWindowSeconds)
        settings.cf.coOccurrenceHalfLife = try seconds(Self.coOccurrenceHalfLife, coOccurrenceHalfLifeSeconds)
        settings.cf.neighbourCount = try sources.value(of: Self.neighbours, flag: neighbours)
        settings.cf.maxCoItemsPerItem = try sources.value(of: Self.maxCoItems, flag: maxCoItems)
        settings.cf.coOccurrenceShrinkage = try sources.value(
            of: Self.coOccurrenceShrinkage, flag: coOccurrenceShrinkage)
        settings.ranking.cfSeeds = try sources.value(of: Self.cfSeeds, flag: cfSeeds)
        settings.ranking.neighboursPerSeed = try sources.value(of: Self.cfNeighboursPerSeed, flag: cfNeighboursPerSeed)
        settings.ranking.cfSeedDecay = try sources.value(of: Self.cfSeedDecay, flag: cfSeedDecay)
        settings.ranking.cfSeedPopularityExponent = try sources.value(
            of: Self.cfSeedPopularityExponent, flag: cfSeedPopularityExponent)
        settings.cf.neighbourRefreshInterval = Int64(
            try sources.value(of: Self.neighbourRefresh, flag: neighbourRefreshMs))
        settings.cf.similarListInterval = Int64(
            try sources.value(of: Self.similarListInterval, flag: similarListIntervalMs))
        settings.ranking.rankedCandidates = try sources.value(of: Self.rankedCandidates, flag: rankedCandidates)
        settings.ranking.maxPerCategory = try sources.value(of: Self.maxPerCategory, flag: maxPerCategory)
        settings.ranking.filterSeen = try sources.value(of: Self.filterSeen, flag: filterSeen)
        settings.ranking.filterPurchased = try sources.value(of: Self.filterPurchased, flag: filterPurchased)
        settings.refreshesCurrentFeedsAtWindowClose = try sources.value(
            of: Self.windowFeedRefresh, flag: refreshFeedsAtWindowClose)
        settings.userCache = CacheBounds(
            maxEntries: try sources.value(of: Self.userCacheSize, flag: userCacheSize),
            expireAfterWrite: try seconds(Self.userCacheTTL, userCacheTtlSeconds))
        settings.labels.trainingHorizon = try seconds(Self.trainingHorizon, trainingHorizonSeconds)
        settings.trainer.enabled = try sources.value(of: Self.trainer, flag: trainer)
        settings.trainer.kind = try sources.value(of: Self.modelKind, flag: modelKind).rawValue
        settings.trainer.hashBits = try sources.value(of: Self.modelHashBits, flag: modelHashBits)
        settings.trainer.factors = try sources.value(of: Self.modelFactors, flag: modelFactors)
        settings.trainer.learningRate = try sources.value(of: Self.modelLearningRate, flag: modelLearningRate)
        settings.trainer.blendPrior = try sources.value(of: Self.modelBlendPrior, flag: modelBlendPrior)
        settings.trainer.publishEvery = try sources.value(of: Self.modelPublishEvery, flag: modelPublishEvery)
        settings.trainer.autoActivate = try sources.value(of: Self.modelAutoActivate, flag: modelAutoActivate)
        settings.trainer.activateOnlyAboveBlend = try sources.value(
            of: Self.modelActivateAboveBlend, flag: modelActivateAboveBlend)
        settings.topics.models = try sources.value(of: Self.modelsTopic, flag: modelsTopic)
        do {
            settings.ranking.blend = try BlendWeights(parsing: try sources.value(of: Self.blend, flag: blend))
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
    }
}

/// The learned rankers `TrainerSettings.kind` names.
enum ModelKind: String, CaseIterable, SettingValue {
    case fm
    case deepfm
}
