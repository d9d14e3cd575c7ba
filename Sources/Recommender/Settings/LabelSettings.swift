/// How served feeds become training examples: which of the user's later actions label a list, and how many
/// negatives are sent.
public struct LabelSettings: Sendable, Equatable {
    /// A list's items are labelled by the user's actions within this long after it.
    public var trainingHorizon: Int64 = 10 * 60_000
    /// Unclicked items of a list sent as negative examples (drawn evenly from the list, stable by user and time).
    public var negativesPerList = 3
    /// Share of lists without any hit still sent as (negative) examples.
    public var missedListSampleRate = 0.05

    public init() {}

    public func validate() throws(SettingsError) {
        try SettingsError.requirePositive(trainingHorizon, "training-horizon")
        if !(0...1).contains(missedListSampleRate) { throw SettingsError("missed-list-sample-rate must be in 0...1") }
    }
}
