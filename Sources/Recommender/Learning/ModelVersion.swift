/// One published version of a ranking model: the parameters plus what a reader needs to choose and trust it.
public struct ModelVersion: Sendable {
    /// A name unique per publish, 1–128 characters of [A-Za-z0-9._-], e.g. `fm-20261129-0001`.
    public var version: String
    public var model: RankingModel
    /// When the version was cut, epoch milliseconds.
    public var createdAt: Int64
    public var trainedExamples: Int
    /// Progressive-validation metrics at publish time, nil when there was nothing to measure.
    public var logLoss: Double?
    public var auc: Double?

    public init(
        version: String, model: RankingModel, createdAt: Int64, trainedExamples: Int, logLoss: Double? = nil,
        auc: Double? = nil
    ) {
        self.version = version
        self.model = model
        self.createdAt = createdAt
        self.trainedExamples = trainedExamples
        self.logLoss = logLoss
        self.auc = auc
    }

    /// Whether `version` is a name a model file accepts: 1–128 characters of [A-Za-z0-9._-].
    public static func isValidName(_ version: String) -> Bool {
        let bytes = version.utf8
        return (1...128).contains(bytes.count)
            && bytes.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }
}

/// Why bytes are not a valid model file, in words a user can act on, e.g.
/// `model file: embeddings["123"] has 4 values, expected factors = 8`.
public struct ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problem, without the `model file: ` prefix.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "model file: \(message)" }
}
