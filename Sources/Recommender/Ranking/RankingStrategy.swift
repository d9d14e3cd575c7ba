/// How a feed is ordered from the candidates: by one candidate source alone (the baselines), by the hand-written
/// blend, by the learned model, or as the worker serves it (the user's model version, else the blend). Every
/// strategy ranks the same candidates through the same ranker (filters and diversity included), so strategies
/// differ only in the score.
public enum RankingStrategy: String, Sendable, CaseIterable, Hashable, Codable {
    /// The overall chart: items by all-time behaviour-weighted popularity.
    case popular
    /// Growth of the last closed item window, in the user's categories and overall.
    case trending
    /// Item-to-item CF: neighbours of the user's recent items.
    case itemCF = "item-cf"
    /// Content: popular items of the user's strongest categories.
    case content
    /// The hand-written blend (`--blend`), never a model.
    case blend
    /// The trainer's current model (the live weights, published or not); the untrained prior until it learns.
    case learned
    /// What the worker serves: the model version the user is assigned to (active or canary), else the blend.
    case hybrid

    /// For single-source strategies, the source's score; a candidate that source did not propose (score 0) is not
    /// listed, so a baseline never gets credit for another source's candidate.
    package var source: KeyPath<Candidate, Double>? {
        switch self {
        case .popular: \.popular
        case .trending: \.trending
        case .itemCF: \.cf
        case .content: \.content
        case .blend, .learned, .hybrid: nil
        }
    }
}
