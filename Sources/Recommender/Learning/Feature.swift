/// One sparse input of the ranking model.
///
/// `field` says which feature group the input belongs to (user, item, category, hour, a numeric score...): the
/// factorization machine ignores it, DeepFM sums each field's embeddings into one MLP input. `index` is the hashed
/// bucket (see `FeatureHashing`), `value` is 1 for a categorical value and the number itself for a numeric one.
public struct Feature: Sendable, Hashable {
    /// The feature group, in 0..<fieldCount of the model.
    public var field: Int
    /// The bucket, in 0..<(1 << hashBits) of the model.
    public var index: Int
    /// 1 for a categorical feature, the (preferably scaled to about -1...1) number for a numeric one.
    public var value: Float

    public init(field: Int, index: Int, value: Float = 1) {
        self.field = field
        self.index = index
        self.value = value
    }
}

/// Maps a feature's raw value to a bucket: the same bucket in every process, on every platform and in every release,
/// because a published model is only meaningful with the hashing it was trained with. Swift's `Hasher` is seeded per
/// process, so it must never be used here.
///
/// The hash is FNV-1a 64 over the field number (8 bytes, little-endian two's complement) followed by the value's
/// UTF-8 bytes, xor-folded (`h ^ (h >> 32)`) and masked to the low `bits` bits. The field takes part so that the same
/// string in two fields (an item id that is also a category id) lands in different buckets. The fold is FNV's own
/// advice for fewer bits: FNV's low bits mix only upwards, and masking alone put 10,000 ids `item-0`...`item-9999`
/// into 8,016 of 65,536 buckets where a random function gives ~9,274; folded, 9,331.
public enum FeatureHashing {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The bucket of `value` in `field`, in 0..<(1 << bits); `bits` in 1...62.
    public static func index(field: Int, _ value: String, bits: Int) -> Int {
        index(hash: hash(field: field, value), bits: bits)
    }

    /// FNV-1a 64 of the field and the value, before the fold and the mask: the same for every width, so what is
    /// hashed per item row (`ItemFeatureHashes`) serves every model.
    static func hash(field: Int, _ value: String) -> UInt64 {
        var hash = offsetBasis
        var fieldBytes = UInt64(bitPattern: Int64(field))
        for _ in 0..<8 {
            hash = (hash ^ (fieldBytes & 0xff)) &* prime
            fieldBytes >>= 8
        }
        for byte in value.utf8 {
            hash = (hash ^ UInt64(byte)) &* prime
        }
        return hash
    }

    /// The bucket of a `hash(field:_:)`, in 0..<(1 << bits); `bits` in 1...62.
    static func index(hash: UInt64, bits: Int) -> Int {
        precondition((1...62).contains(bits), "FeatureHashing.index: bits must be in 1...62, got \(bits)")
        let folded = hash ^ (hash >> 32)
        return Int(truncatingIfNeeded: folded & ((1 << UInt64(bits)) - 1))
    }
}
