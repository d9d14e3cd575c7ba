/// FNV-1a 64 over UTF-8 bytes: a hash that is the same in every process and on every platform (Swift's `Hasher` is
/// seeded per process), for decisions that must repeat — which users a canary ranks, which lists are sampled for
/// training, whether an item's neighbour set changed.
package struct StableHash {
    package private(set) var value: UInt64 = FeatureHashing.offsetBasis

    package init(seed: UInt64 = 0) { value ^= seed }

    package mutating func combine(_ text: String) {
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* FeatureHashing.prime }
        value = (value ^ 0xff) &* FeatureHashing.prime  // a separator, so ("ab","c") and ("a","bc") differ
    }

    /// A position in 0..<1, mixing the high bits in (FNV's low bits mix poorly on their own).
    var unitInterval: Double {
        let mixed = value ^ (value >> 29) ^ (value >> 33)
        return Double(mixed % 1_000_000) / 1_000_000
    }
}
