import Foundation

/// The hand-written hybrid: a candidate's score is the weighted sum of its normalised scores from each source
/// (each in 0...1). Defaults favour what the user's own actions say (CF neighbours of their recent items, their
/// cart) over what everybody does (trending, popular).
public struct BlendWeights: Sendable, Equatable {
    // Tuned on the first half of MovieLens-100K (README, Quality): trending says little over weeks, the chart
    // and the user's categories fill what CF leaves short but outvoted its order at 0.2 each (session 15: the blend
    // 0.1883 → 0.1914 with both at 0.1); the cart keeps its weight (MovieLens has no carts to tune it on).
    public var cf = 0.6
    public var content = 0.1
    public var cart = 0.15
    public var trending = 0.05
    public var popular = 0.1

    public init() {}

    /// The sources in the order `Candidate.strongestSourceIndex` numbers them.
    static let names = ["cf", "content", "cart", "trending", "popular"]

    /// Parses `cf=0.5,content=0.2,...`; names not given keep their default.
    public init(parsing text: String) throws(SettingsError) {
        self.init()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let weight = Double(parts[1]), weight >= 0, weight.isFinite else {
                throw SettingsError("blend: '\(pair)' is not NAME=WEIGHT with a non-negative number")
            }
            switch parts[0] {
            case "cf": cf = weight
            case "content": content = weight
            case "cart": cart = weight
            case "trending": trending = weight
            case "popular": popular = weight
            default:
                throw SettingsError(
                    "blend: unknown source '\(parts[0])'; known: \(Self.names.joined(separator: ", "))")
            }
        }
    }

    public var description: String {
        "cf=\(cf),content=\(content),cart=\(cart),trending=\(trending),popular=\(popular)"
    }
}
