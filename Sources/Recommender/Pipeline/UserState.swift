import StreamEngine

/// Everything kept for one user. Each part has its own bound (history ring, category cap, open windows).
public struct UserState: Sendable {
    public var history: RecentHistory
    public var interest: CategoryInterest
    /// Window start → aggregate of windows the watermark has not closed yet; at most a few (the current window and,
    /// while out-of-order events may still arrive, the previous one).
    public var openWindows: [Int64: UserWindowAggregator.Accumulator] = [:]
    public var lastRecommendationAt: Int64 = .min

    public init(settings: PipelineSettings) {
        history = RecentHistory(capacity: settings.historySize)
        interest = CategoryInterest(halfLife: settings.interestHalfLife, maxCategories: settings.maxCategoriesPerUser)
    }
}
