import Foundation
import Recommender

/// xoshiro256** seeded through SplitMix64: fast, good enough for simulation, and the same sequence for the same seed
/// on every platform (the system generator is neither seedable nor reproducible).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    /// A uniform Double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A number in 0..<bound (bound > 0) by one multiplication (Lemire's method without the rejection step: the bias
    /// is below bound / 2^64, irrelevant for simulation, and every call takes exactly one draw).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(_:) needs a positive bound")
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }
}

/// Samples ranks 0..<n with probability proportional to 1/(rank+1)^exponent (Zipf): a few ranks get most draws.
/// The weights go through `pow` (except for exponent 1), so two platforms agree as far as their `pow` does.
public struct ZipfSampler: Sendable {
    // Bound: n cumulative weights.
    private let cumulative: [Double]

    public init(count: Int, exponent: Double) {
        precondition(count > 0, "a Zipf sampler needs at least one rank")
        var total = 0.0
        var cumulative: [Double] = []
        cumulative.reserveCapacity(count)
        for rank in 0..<count {
            total += exponent == 1 ? 1 / Double(rank + 1) : 1 / pow(Double(rank + 1), exponent)
            cumulative.append(total)
        }
        self.cumulative = cumulative
    }

    public var count: Int { cumulative.count }

    /// One rank, by binary search over the cumulative weights (log2 n steps).
    public func sample(using random: inout SeededRandom) -> Int {
        let target = random.unit() * cumulative[cumulative.count - 1]
        return cumulative.withUnsafeBufferPointer { weights in
            var low = 0
            var high = weights.count - 1
            while low < high {
                let middle = (low + high) >> 1
                if weights[middle] <= target { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }
}
