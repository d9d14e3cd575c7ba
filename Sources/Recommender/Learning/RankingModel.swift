/// The parameters of a factorization machine (FM), optionally with a DeepFM-style MLP on top.
///
///     logit = bias + Σ w_i x_i + ½ Σ_q [(Σ_i v_iq x_i)² − Σ_i v_iq² x_i²] + mlp(s)
///
/// where i runs over the example's features, q over the `factorCount` latent factors, and for DeepFM
/// `s` is the concatenation over fields f of Σ_{i in f} v_i x_i (`fieldCount × factorCount` inputs) fed to one hidden
/// layer of `hiddenUnits` ReLU units and one linear output unit.
///
/// Initial values: bias, linear weights and all MLP biases are 0; embeddings and MLP weights must break symmetry, so
/// they start at small pseudo-random values that are a pure function of the parameter's position (splitmix64 of the
/// flat index). Every embedding is set eagerly at `init`; a model file then only carries the rows that differ from
/// that function (see `ModelFile`), and reading one re-creates the rest. Two models built with the same arguments are
/// bit-identical, and nothing but the value function needs to be kept in step between writer and reader.
public struct RankingModel: Sendable {
    public enum Kind: String, Sendable, Codable {
        case fm
        case deepFM = "deepfm"
    }

    /// Bounds on the shape, shared by `init` and the model-file reader: they keep one model (and the AdaGrad state of
    /// its trainer, which has as many floats again) to a size a worker can hold, whatever a file claims.
    public static let hashBitsRange = 8...24
    public static let factorRange = 0...64
    public static let fieldRange = 1...64
    public static let hiddenUnitRange = 1...256
    /// Largest number of embedding floats, 2^hashBits × max(factors, 1): 64 MiB, e.g. 2^21 buckets of 8 factors.
    public static let maxEmbeddingFloats = 1 << 24

    public internal(set) var kind: Kind
    public internal(set) var hashBits: Int
    /// k, the length of each bucket's embedding.
    public internal(set) var factorCount: Int
    public internal(set) var fieldCount: Int
    /// 0 for `.fm`.
    public internal(set) var hiddenUnits: Int

    public internal(set) var bias: Float = 0
    /// One weight per bucket, `bucketCount` of them.
    public internal(set) var linear: [Float]
    /// `bucketCount × factorCount`, row-major by bucket: bucket i's embedding is `[i*k ..< (i+1)*k]`.
    public internal(set) var embeddings: [Float]
    /// `hiddenUnits × mlpInputCount`, row-major by unit. Empty for `.fm`.
    public internal(set) var hiddenWeights: [Float]
    /// `hiddenUnits` of them. Empty for `.fm`.
    public internal(set) var hiddenBias: [Float]
    /// `hiddenUnits` of them. Empty for `.fm`.
    public internal(set) var outputWeights: [Float]
    public internal(set) var outputBias: Float = 0

    public var bucketCount: Int { 1 << hashBits }
    /// fieldCount × factorCount for `.deepFM`, 0 for `.fm`.
    public var mlpInputCount: Int { kind == .deepFM ? fieldCount * factorCount : 0 }

    /// A model with every parameter at its initial value (see the type's documentation). Traps on a shape outside
    /// the bounds above (`shapeProblem` says which); `hiddenUnits` is ignored for `.fm`.
    public init(kind: Kind, hashBits: Int, factorCount: Int, fieldCount: Int, hiddenUnits: Int = 0) {
        let hidden = kind == .fm ? 0 : hiddenUnits
        if let problem = Self.shapeProblem(
            kind: kind, hashBits: hashBits, factorCount: factorCount, fieldCount: fieldCount, hiddenUnits: hidden)
        {
            preconditionFailure("RankingModel: \(problem)")
        }
        self.kind = kind
        self.hashBits = hashBits
        self.factorCount = factorCount
        self.fieldCount = fieldCount
        self.hiddenUnits = hidden
        linear = Array(repeating: 0, count: 1 << hashBits)
        embeddings = Self.initialValues(count: (1 << hashBits) * factorCount, salt: Self.embeddingSalt, scale: 0.01)
        // The MLP is scaled to its fan-in so that both layers get gradients of a useful size; its output at init is
        // still ~1e-3, because its inputs are sums of ±0.01 embeddings, so an untrained model ranks by bias + linear.
        let inputs = kind == .deepFM ? fieldCount * factorCount : 0
        hiddenWeights = Self.initialValues(
            count: hidden * inputs, salt: Self.hiddenSalt, scale: 1 / Float(max(inputs, 1)).squareRoot())
        hiddenBias = Array(repeating: 0, count: hidden)
        outputWeights = Self.initialValues(
            count: hidden, salt: Self.outputSalt, scale: 1 / Float(max(hidden, 1)).squareRoot())
    }

    /// Why a shape is not allowed, or nil if it is; the sentence is what a model-file reader reports.
    public static func shapeProblem(kind: Kind, hashBits: Int, factorCount: Int, fieldCount: Int, hiddenUnits: Int)
        -> String?
    {
        guard hashBitsRange.contains(hashBits) else {
            return "hashBits must be in \(hashBitsRange.lowerBound)...\(hashBitsRange.upperBound), got \(hashBits)"
        }
        guard factorRange.contains(factorCount) else {
            return "factors must be in \(factorRange.lowerBound)...\(factorRange.upperBound), got \(factorCount)"
        }
        guard fieldRange.contains(fieldCount) else {
            return "fields must be in \(fieldRange.lowerBound)...\(fieldRange.upperBound), got \(fieldCount)"
        }
        guard (1 << hashBits) * max(factorCount, 1) <= maxEmbeddingFloats else {
            return "2^hashBits × factors must be at most \(maxEmbeddingFloats) (64 MiB of embeddings), "
                + "got 2^\(hashBits) × \(factorCount)"
        }
        switch kind {
        case .fm:
            guard hiddenUnits == 0 else { return "hiddenUnits must be 0 for kind fm, got \(hiddenUnits)" }
        case .deepFM:
            guard hiddenUnitRange.contains(hiddenUnits) else {
                return "hiddenUnits must be in \(hiddenUnitRange.lowerBound)...\(hiddenUnitRange.upperBound) "
                    + "for kind deepfm, got \(hiddenUnits)"
            }
        }
        return nil
    }

    /// Sets one bucket's linear weight, e.g. to seed a prior: a weight of 1 on a numeric "blend score" feature makes
    /// the untrained model rank like the blend.
    public mutating func setLinearWeight(_ weight: Float, at index: Int) {
        precondition(linear.indices.contains(index), "setLinearWeight: bucket \(index) is outside 0..<\(bucketCount)")
        linear[index] = weight
    }

    // MARK: Initial values

    static let embeddingSalt: UInt64 = 0x656d_6265_6464_696e  // "embeddin"
    static let hiddenSalt: UInt64 = 0x6869_6464_656e_0000  // "hidden"
    static let outputSalt: UInt64 = 0x6f75_7470_7574_0000  // "output"

    /// The initial value of the parameter at `flatIndex` of the array `salt` names: uniform in [-scale, scale),
    /// from the top 24 bits of splitmix64, so it is exact in a Float and the same on every platform.
    @inline(__always)
    static func initialValue(_ flatIndex: Int, salt: UInt64, scale: Float) -> Float {
        var z = (UInt64(truncatingIfNeeded: flatIndex) ^ salt) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let unit = Float(z >> 40) * 0x1p-24  // [0, 1)
        return (unit * 2 - 1) * scale
    }

    static func initialValues(count: Int, salt: UInt64, scale: Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer.initializeElement(at: i, to: initialValue(i, salt: salt, scale: scale)) }
            initialized = count
        }
    }

    /// Whether bucket `bucket`'s embedding is still bit-for-bit its initial value (so a model file can leave it out).
    func embeddingIsInitial(bucket: Int) -> Bool {
        let k = factorCount
        for q in 0..<k
        where embeddings[bucket * k + q].bitPattern
            != Self.initialValue(bucket * k + q, salt: Self.embeddingSalt, scale: 0.01).bitPattern
        {
            return false
        }
        return true
    }
}
