import Foundation
import StreamEngine

/// One item's decayed co-occurrence counts with other items, its own decayed popularity, and the similarities derived
/// from them — the item-to-item CF state an item task keeps per item. Everything halves every `halfLife` of event
/// time, so a pair nobody repeats fades out, and one below `minWeight` is forgotten.
///
/// Forward decay (Cormode et al.): values are stored scaled by 2^((t − landmark)/halfLife) at the time t they are
/// added, so adding is O(1) however many partners an item has, and all stored values stay comparable; a value is
/// read back by dividing by the scale of the reading time. The landmark moves forward before the scale overflows.
public struct CoOccurrenceCounts: Sendable, Equatable {
    struct Counts: Sendable, Equatable {
        var all: Double
        var conversion: Double
        /// The partner id's hash (`hashValue`, as `RelatedItem.hash`), computed once when the partner is added: a
        /// neighbour refresh finds each chosen partner's popularity by it and hands it on to the row's
        /// `RelatedItem`s, where hashing the ids again was a tenth of the item tasks' time.
        var hash: Int
    }

    // Bound: `maxPartners` entries (the weakest gives way to a stronger newcomer; fading ones are pruned).
    private(set) var partners: [String: Counts] = [:]
    /// Behaviour-weighted events of the item, scaled like the pairs.
    private var scaledPopularity: Double = 0
    private var landmark: Int64 = .min

    public init() {}

    public struct Limits: Sendable, Equatable {
        public var halfLife: Int64
        public var maxPartners: Int
        public var minWeight: Double
        /// Similarities are shrunk by co/(co + shrinkage): a pair seen once with a rare item is weak evidence, however
        /// high its cosine (0: no shrinkage).
        public var shrinkage: Double

        public init(halfLife: Int64, maxPartners: Int, minWeight: Double, shrinkage: Double = 0) {
            self.halfLife = halfLife
            self.maxPartners = maxPartners
            self.minWeight = minWeight
            self.shrinkage = shrinkage
        }
    }

    public var partnerCount: Int { partners.count }

    public mutating func addEvent(weight: Double, at time: Int64, limits: Limits) {
        scaledPopularity += weight * scale(at: time, limits: limits)
    }

    public mutating func add(_ pairs: [CoOccurrence], at time: Int64, limits: Limits) {
        let scale = scale(at: time, limits: limits)
        for pair in pairs {
            let weight = pair.weight * scale
            // One hash of the id for a known partner (the lookup below was three).
            if let known = partners.index(forKey: pair.itemId) {
                partners.values[known].all += weight
                if pair.isConversion { partners.values[known].conversion += weight }
                continue
            }
            if partners.count >= limits.maxPartners {
                prune(below: limits.minWeight * scale)
                if partners.count >= limits.maxPartners {
                    guard let weakest = partners.min(by: { ($0.value.all, $0.key) < ($1.value.all, $1.key) }),
                        weakest.value.all < weight
                    else { continue }
                    partners[weakest.key] = nil
                }
            }
            partners[pair.itemId] = Counts(
                all: weight, conversion: pair.isConversion ? weight : 0, hash: pair.itemId.hashValue)
        }
    }

    /// The decayed popularity at `time`.
    public func popularity(at time: Int64, halfLife: Int64) -> Double {
        landmark == .min ? 0 : scaledPopularity / Self.scale(from: landmark, to: time, halfLife: halfLife)
    }

    /// The `count` partners with the most decayed co-occurrence, each with its similarity co(i,j)/sqrt(pop(i)·pop(j))
    /// (cosine on decayed counts) × co/(co + shrinkage), most similar first; and the `count` strongest cart
    /// complements the same way over conversion pairs. `popularityOf` gives a partner's decayed popularity at `time`
    /// (from the item table); a partner it does not know counts as popular as the pair.
    ///
    /// Chosen by count, ordered by similarity: a feed sums each seed's list, and the strongest co-occurrences are
    /// what that sum needs — the top by cosine favours rare partners a user is unlikely to pick (MovieLens' tuning
    /// half, 50 of 200 partners: item-cf 0.1747 by cosine, 0.1827 by count); proposals and `similar` lists take the
    /// most similar of them.
    public func related(
        count: Int, at time: Int64, limits: Limits, popularityOf: (_ itemId: String, _ hash: Int) -> Double?
    ) -> (neighbours: [RelatedItem], complements: [RelatedItem]) {
        guard landmark != .min else { return ([], []) }
        let scale = Self.scale(from: landmark, to: time, halfLife: limits.halfLife)
        let own = scaledPopularity / scale
        guard own > 0 else { return ([], []) }
        let minimum = limits.minWeight * scale
        var neighbours: [RelatedItem] = []
        var complements: [RelatedItem] = []
        for (itemId, counts) in Self.most(partners, count, { $0.all >= minimum ? $0.all : 0 }) {
            let all = counts.all / scale
            let norm = (own * max(popularityOf(itemId, counts.hash) ?? all, all)).squareRoot()
            neighbours.append(
                RelatedItem(
                    itemId: itemId, similarity: all / norm * all / (all + limits.shrinkage), hash: counts.hash))
        }
        for (itemId, counts) in Self.most(partners, count, { $0.all >= minimum ? $0.conversion : 0 }) {
            let (all, conversion) = (counts.all / scale, counts.conversion / scale)
            let norm = (own * max(popularityOf(itemId, counts.hash) ?? all, all)).squareRoot()
            complements.append(
                RelatedItem(
                    itemId: itemId, similarity: conversion / norm * conversion / (conversion + limits.shrinkage),
                    hash: counts.hash))
        }
        return (Self.strongest(neighbours, count), Self.strongest(complements, count))
    }

    /// The `count` partners with the largest positive `weight` (ties by id).
    static func most(_ partners: [String: Counts], _ count: Int, _ weight: (Counts) -> Double) -> [(String, Counts)] {
        // Which `count` — not their order (callers order by similarity): the count-th largest weight, selected
        // among the bare Doubles, then everything above it and the ties at it by id. Sorting (weight, id, counts)
        // tuples with a closure was a tenth of `streamrec evaluate`'s time on MovieLens; no id is copied here but
        // the chosen ones'.
        var weights: [Double] = []
        weights.reserveCapacity(partners.count)
        for counts in partners.values {
            let value = weight(counts)
            if value > 0 { weights.append(value) }
        }
        guard weights.count > count else {
            return partners.compactMap { weight($0.value) > 0 ? ($0.key, $0.value) : nil }
        }
        guard count > 0 else { return [] }
        let threshold = Self.largest(count, of: &weights)
        var chosen: [(String, Counts)] = []
        chosen.reserveCapacity(count)
        var tied: [(itemId: String, counts: Counts)] = []
        for (itemId, counts) in partners {
            let value = weight(counts)
            if value > threshold {
                chosen.append((itemId, counts))
            } else if value == threshold {
                tied.append((itemId, counts))
            }
        }
        if chosen.count + tied.count > count { tied.sort { $0.itemId < $1.itemId } }
        for entry in tied.prefix(count - chosen.count) { chosen.append((entry.itemId, entry.counts)) }
        return chosen
    }

    /// The `rank`-th largest of `values` (1-based, in 1...count), which it reorders: Hoare's selection with the
    /// middle element as pivot, O(n) on average and deterministic.
    static func largest(_ rank: Int, of values: inout [Double]) -> Double {
        precondition((1...values.count).contains(rank), "largest: rank \(rank) of \(values.count)")
        let target = rank - 1  // its index once `values` is in descending order
        return values.withUnsafeMutableBufferPointer { v in
            var (low, high) = (0, v.count - 1)
            while low < high {
                let pivot = v[(low + high) / 2]
                var (i, j) = (low, high)
                while i <= j {
                    while v[i] > pivot { i += 1 }
                    while v[j] < pivot { j -= 1 }
                    if i <= j {
                        v.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                // Now [low, j] ≥ pivot, [i, high] ≤ pivot and whatever lies between equals it.
                if target <= j {
                    high = j
                } else if target >= i {
                    low = i
                } else {
                    break
                }
            }
            return v[target]
        }
    }

    static func strongest(_ list: [RelatedItem], _ count: Int) -> [RelatedItem] {
        // Ids compared only on a tie: a tuple of (similarity, id) copies both ids for every comparison.
        Array(
            list.sorted { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.itemId < $1.itemId }
                .prefix(count))
    }

    package static func scale(from landmark: Int64, to time: Int64, halfLife: Int64) -> Double {
        // In Double: times are untrusted event times, and their difference can overflow Int64.
        exp2((Double(time) - Double(landmark)) / Double(halfLife))
    }

    /// The scale of values added at `time`, moving the landmark first when it would grow past 2^64.
    private mutating func scale(at time: Int64, limits: Limits) -> Double {
        if landmark == .min { landmark = time }
        let scale = Self.scale(from: landmark, to: time, halfLife: limits.halfLife)
        guard scale > 0x1p64 else { return scale }
        scaledPopularity /= scale
        for (itemId, counts) in partners {
            partners[itemId] = Counts(
                all: counts.all / scale, conversion: counts.conversion / scale, hash: counts.hash)
        }
        landmark = time
        prune(below: limits.minWeight)
        return 1
    }

    private mutating func prune(below scaledMinimum: Double) {
        partners = partners.filter { $0.value.all >= scaledMinimum }
    }

    package func encode(to writer: inout BinaryWriter) {
        writer.write(landmark)
        writer.write(scaledPopularity)
        writer.write(partners.count)
        for (itemId, counts) in partners.sorted(by: { $0.key < $1.key }) {
            writer.write(itemId)
            writer.write(counts.all)
            writer.write(counts.conversion)
        }
    }

    package static func decode(from reader: inout BinaryReader) throws(CheckpointDecodingError) -> Self {
        var counts = Self()
        counts.landmark = try reader.readInt64()
        counts.scaledPopularity = try reader.readDouble()
        for _ in 0..<(try reader.readCount()) {
            let itemId = try reader.readString()
            counts.partners[itemId] = Counts(
                all: try reader.readDouble(), conversion: try reader.readDouble(), hash: itemId.hashValue)
        }
        return counts
    }
}
