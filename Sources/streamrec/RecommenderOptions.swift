import ArgumentParser
import Recommender
import StreamEngine

/// Flags of the recommender: item-CF, ranking, caches and the learned ranker. Like `PipelineOptions`, each can also
/// come from `STREAMREC_<KEY>` or the config file.
struct RecommenderOptions: ParsableArguments {
    @Option(help: "Recent distinct items each event is paired with for item-CF (0: no CF). (default: 20)")
    var coOccurrenceItems: Int?
    @Option(help: "Only items acted on this long before an event pair with it, seconds. (default: 1_800)")
    var coOccurrenceWindowSeconds: Int?
    @Option(help: "Half-life of co-occurrence counts, seconds of event time. (default: 2_592_000)")
    var coOccurrenceHalfLifeSeconds: Int?
    @Option(help: "CF neighbours and cart complements published per item; all score a feed. (default: 50)")
    var neighbours: Int?
    @Option(help: "Minimum milliseconds of event time between two neighbour computations of an item. (default: 10_000)")
    var neighbourRefreshMs: Int?
    @Option(help: "Minimum milliseconds of event time between two similar lists of an item. (default: 60_000)")
    var similarListIntervalMs: Int?
    @Option(help: "Partners remembered per item for item-CF (the weakest gives way). (default: 200)")
    var maxCoItems: Int?
    @Option(help: "Neighbour similarities × co/(co + this), co the pair's decayed count. (default: 10)")
    var coOccurrenceShrinkage: Double?
    @Option(help: "CF candidates: recent distinct items of the user whose neighbours are proposed. (default: 20)")
    var cfSeeds: Int?
    @Option(help: "CF candidates: neighbours proposed per recent item (at most --neighbours). (default: 20)")
    var cfNeighboursPerSeed: Int?
    @Option(help: "CF candidates: the n-th most recent seed counts this^n, in (0, 1]. (default: 0.8)")
    var cfSeedDecay: Double?
    @Option(help: "CF candidates: neighbour cosines × pop(seed)^this, 0...1; 0.5 cancels the seed's. (default: 0.5)")
    var cfSeedPopularityExponent: Double?
    @Option(
        help: "Weights of the hand-written blend. (default: cf=0.6,content=0.2,cart=0.15,trending=0.05,popular=0.2)")
    var blend: String?
    @Option(help: "At most this many items of one category in a list. (default: 5)") var maxPerCategory: Int?
    @Option(help: "Never recommend what the user interacted with recently: true or false. (default: true)")
    var filterSeen: String?
    @Option(help: "Never recommend what the user bought: true or false. (default: true)") var filterPurchased: String?
    @Option(help: "Users whose latest feed is kept per partition. (default: 10_000)") var userCacheSize: Int?
    @Option(help: "Expire-after-write of the user cache, seconds of event time. (default: 600)")
    var userCacheTtlSeconds: Int?
    @Option(help: "A feed's items are labelled by the user's actions within this long, seconds. (default: 600)")
    var trainingHorizonSeconds: Int?
    @Option(help: "Train when this instance gets the training partition: true or false. (default: true)")
    var trainer: String?
    @Option(help: "Learned ranker: fm or deepfm. (default: fm)") var modelKind: String?
    @Option(help: "Hashed feature space of a new model, bits. (default: 16)") var modelHashBits: Int?
    @Option(help: "Latent factors of a new model. (default: 8)") var modelFactors: Int?
    @Option(help: "Training examples between two publish decisions. (default: 2_000)") var modelPublishEvery: Int?
    @Option(help: "Make each version the trainer publishes active (unless pinned): true or false. (default: true)")
    var modelAutoActivate: String?
    @Option(help: "Topic of model versions (compacted). (default: recsys-models)") var modelsTopic: String?

    /// Applies the flags (or their environment/file values, or the defaults) to `settings`.
    func apply(_ sources: ConfigurationSources, to settings: inout PipelineSettings) throws {
        func bool(_ key: String, _ flag: String?, _ fallback: Bool) throws -> Bool {
            let text = try sources.string(key, flag: flag, default: String(fallback))
            guard let value = Bool(text) else { throw ValidationError("--\(key) must be true or false, got '\(text)'") }
            return value
        }
        let defaults = PipelineSettings()
        settings.coOccurrenceItems = try sources.int(
            "co-occurrence-items", flag: coOccurrenceItems, default: defaults.coOccurrenceItems)
        settings.coOccurrenceWindow =
            Int64(try sources.int("co-occurrence-window-seconds", flag: coOccurrenceWindowSeconds, default: 1_800))
            * 1_000
        settings.coOccurrenceHalfLife =
            Int64(
                try sources.int(
                    "co-occurrence-half-life-seconds", flag: coOccurrenceHalfLifeSeconds,
                    default: Int(defaults.coOccurrenceHalfLife / 1_000)))
            * 1_000
        settings.neighbourCount = try sources.int("neighbours", flag: neighbours, default: defaults.neighbourCount)
        settings.maxCoItemsPerItem = try sources.int(
            "max-co-items", flag: maxCoItems, default: defaults.maxCoItemsPerItem)
        settings.coOccurrenceShrinkage = try sources.double(
            "co-occurrence-shrinkage", flag: coOccurrenceShrinkage, default: defaults.coOccurrenceShrinkage)
        settings.cfSeeds = try sources.int("cf-seeds", flag: cfSeeds, default: defaults.cfSeeds)
        settings.neighboursPerSeed = try sources.int(
            "cf-neighbours-per-seed", flag: cfNeighboursPerSeed, default: defaults.neighboursPerSeed)
        settings.cfSeedDecay = try sources.double("cf-seed-decay", flag: cfSeedDecay, default: defaults.cfSeedDecay)
        settings.cfSeedPopularityExponent = try sources.double(
            "cf-seed-popularity-exponent", flag: cfSeedPopularityExponent, default: defaults.cfSeedPopularityExponent)
        settings.neighbourRefreshInterval = Int64(
            try sources.int("neighbour-refresh-ms", flag: neighbourRefreshMs, default: 10_000))
        settings.similarListInterval = Int64(
            try sources.int("similar-list-interval-ms", flag: similarListIntervalMs, default: 60_000))
        settings.maxPerCategory = try sources.int(
            "max-per-category", flag: maxPerCategory, default: defaults.maxPerCategory)
        settings.filterSeen = try bool("filter-seen", filterSeen, true)
        settings.filterPurchased = try bool("filter-purchased", filterPurchased, true)
        settings.userCache = CacheBounds(
            maxEntries: try sources.int("user-cache-size", flag: userCacheSize, default: 10_000),
            expireAfterWrite: Int64(try sources.int("user-cache-ttl-seconds", flag: userCacheTtlSeconds, default: 600))
                * 1_000)
        settings.trainingHorizon =
            Int64(try sources.int("training-horizon-seconds", flag: trainingHorizonSeconds, default: 600)) * 1_000
        settings.trainer.enabled = try bool("trainer", trainer, true)
        settings.trainer.kind = try sources.string("model-kind", flag: modelKind, default: "fm")
        settings.trainer.hashBits = try sources.int("model-hash-bits", flag: modelHashBits, default: 16)
        settings.trainer.factors = try sources.int("model-factors", flag: modelFactors, default: 8)
        settings.trainer.publishEvery = try sources.int("model-publish-every", flag: modelPublishEvery, default: 2_000)
        settings.trainer.autoActivate = try bool("model-auto-activate", modelAutoActivate, true)
        settings.topics.models = try sources.string("models-topic", flag: modelsTopic, default: "recsys-models")
        do {
            settings.blend = try BlendWeights(
                parsing: try sources.string("blend", flag: blend, default: defaults.blend.description))
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
    }
}
