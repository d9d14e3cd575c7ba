/// How a user's lists are drawn and ordered: list length, CF candidates, the blend, diversity and filters.
public struct RankingSettings: Sendable, Equatable {
    /// Items per recommendation list.
    public var topN = 10
    /// The hand-written blend of candidate scores, used when no learned model version is active (and as the learned
    /// ranker's prior).
    public var blend = BlendWeights()
    /// CF candidates: the user's recent distinct items whose neighbours are proposed, and how many neighbours of each
    /// (at most `CFSettings.neighbourCount`); a feed ranks up to their product of CF candidates.
    public var cfSeeds = 20
    public var neighboursPerSeed = 20
    /// CF candidates: the n-th most recent seed counts cfSeedDecay^n (recency by position, free of time scales).
    public var cfSeedDecay = 0.8
    /// CF candidates: a seed's neighbour cosines are multiplied by pop(seed)^exponent; 0.5 scores a candidate c by
    /// co(seed, c)/sqrt(pop(c)), the seed's own popularity cancelled (0: the plain cosine).
    public var cfSeedPopularityExponent = 0.5
    /// A feed ranks its best this many candidates by the blend (and every cart complement): only these are scored
    /// by a learned model and have their attributes read (`Shortlist`). 30, "the FM over the blend's best few dozen":
    /// on MovieLens' tuning half 100 / 50 / 30 / 20 gave hybrid 0.1920 / 0.1920 / 0.1920 / 0.1916 and learned
    /// 0.1927 / 0.1926 / 0.1924 / 0.1929, and at 50 000 items 30 costs a tenth less CPU per event than 100.
    public var rankedCandidates = 30
    /// Diversity: at most this many items of one category in a list. 8 of the 10: on MovieLens' tuning half 5 cost
    /// item-CF and the blend 0.0016 and 0.0027 of HR@10 (README, Quality, session 11); a list still has two others.
    public var maxPerCategory = 8
    /// Never recommend what the user bought (among their last `historySize` interactions and open cart).
    public var filterPurchased = true
    /// Never recommend what the user interacted with recently (their history).
    public var filterSeen = true

    public init() {}

    public func validate() throws(SettingsError) {
        try SettingsError.requirePositive(topN, "top-n")
        try SettingsError.requirePositive(cfSeeds, "cf-seeds")
        try SettingsError.requirePositive(neighboursPerSeed, "cf-neighbours-per-seed")
        if !(cfSeedDecay > 0 && cfSeedDecay <= 1) { throw SettingsError("cf-seed-decay must be in (0, 1]") }
        if !(0...1).contains(cfSeedPopularityExponent) {
            throw SettingsError("cf-seed-popularity-exponent must be in 0...1")
        }
        try SettingsError.requirePositive(maxPerCategory, "max-per-category")
        if rankedCandidates < topN { throw SettingsError("ranked-candidates must be at least top-n (\(topN))") }
    }
}
