/// The learned ranker's model and when the trainer publishes a version.
public struct TrainerSettings: Sendable, Equatable {
    /// Whether this instance trains when the group gives it the training partition.
    public var enabled = true
    /// `fm` or `deepfm` (FM plus a one-hidden-layer MLP over the field embeddings).
    public var kind = "fm"
    /// Hashed feature space: 2^hashBits buckets.
    public var hashBits = 16
    public var factors = 8
    public var hiddenUnits = 16
    public var learningRate = 0.05
    /// A new model's weight on the blend score (everything else starts at 0), so it ranks like the blend whatever
    /// the weight. The weight says how much evidence it takes to overturn the blend's order: with 1 the learned FM
    /// fell below the blend on MovieLens, blend differences of a few hundredths between candidates (most of a list)
    /// being easily undone by AdaGrad's first steps (README, Quality: 5 was chosen on the tuning half).
    public var blendPrior = 5.0
    /// Examples between two publish decisions.
    public var publishEvery = 2_000
    /// Publish only when the rolling validation log loss improved on the last published version's (else every
    /// `publishEvery` × 10 examples anyway, so a drifting stream still gets fresh versions).
    public var publishOnlyOnImprovement = true
    /// Make each published version the active one (unless an operator pinned a version).
    public var autoActivate = true
    /// Activate a version only when it ranked its validation window's examples (AUC) better than their blend scores
    /// did. The blend is what serves while no version is active, and a version that does not beat it made the
    /// served lists worse: on MovieLens' tuning half the hybrid fell below the blend (0.1882 against 0.1914) with
    /// every version activated, and rose above it (0.1920) with this check (README, Quality).
    public var activateOnlyAboveBlend = true

    public init() {}

    public func validate() throws(SettingsError) {
        guard ["fm", "deepfm"].contains(kind) else {
            throw SettingsError("model-kind must be fm or deepfm, got \(kind)")
        }
        guard (8...24).contains(hashBits) else {
            throw SettingsError("model-hash-bits must be in 8...24, got \(hashBits)")
        }
        guard (1...64).contains(factors) else { throw SettingsError("model-factors must be in 1...64, got \(factors)") }
        guard (1...256).contains(hiddenUnits) else {
            throw SettingsError("model-hidden-units must be in 1...256, got \(hiddenUnits)")
        }
        guard learningRate > 0, learningRate.isFinite else { throw SettingsError("learning-rate must be positive") }
        guard blendPrior > 0, blendPrior.isFinite else { throw SettingsError("model-blend-prior must be positive") }
        guard publishEvery > 0 else { throw SettingsError("model-publish-every must be positive") }
    }
}
