/// What is kept per user for ranking: each is a memory bound of a user's state.
public struct UserFeatureSettings: Sendable, Equatable {
    /// Past interactions kept per user (ring buffer): the CF seeds and what the seen filter filters. 200 (not 50):
    /// a MovieLens user rates 106 movies on average, and what falls out of the history is listed again, never a hit.
    public var historySize = 200
    /// Categories remembered per user.
    public var maxCategoriesPerUser = 20
    /// Half-life of a user's category interest.
    public var interestHalfLife: Int64 = 30 * 60_000
    /// Items remembered in a user's open cart.
    public var cartSize = 20

    public init() {}

    public func validate() throws(SettingsError) {
        try SettingsError.requirePositive(historySize, "history-size")
        try SettingsError.requirePositive(maxCategoriesPerUser, "max-categories-per-user")
        try SettingsError.requirePositive(interestHalfLife, "interest-half-life")
        try SettingsError.requirePositive(cartSize, "cart-size")
    }
}
