/// Calls `body` with `count` entries that `fill` initializes, sorted by weight, heaviest first (ties by key, so the
/// order is the same in every process), in a buffer on the stack: the category weights of a profile or a window
/// are ranked several times per feed and once per closed window, and an array per ranking showed in the allocation
/// counts.
private func withRanked<Result>(
    count: Int, _ fill: (UnsafeMutableBufferPointer<(key: String, value: Double)>) -> Int,
    _ body: (UnsafeMutableBufferPointer<(key: String, value: Double)>) -> Result
) -> Result {
    withUnsafeTemporaryAllocation(of: (key: String, value: Double).self, capacity: count) { buffer in
        var ranked = buffer
        let filled = fill(ranked)
        precondition(filled == count, "withRanked: \(filled) entries filled of \(count)")
        defer { ranked.deinitialize() }
        ranked.sort { ($0.value, $1.key) > ($1.value, $0.key) }
        return body(ranked)
    }
}

extension Dictionary where Key == String, Value == Double {
    /// The entries by weight, heaviest first (see `withRanked`).
    func withRankedEntries<Result>(_ body: (UnsafeMutableBufferPointer<(key: String, value: Double)>) -> Result)
        -> Result
    {
        withRanked(count: count, { $0.initialize(from: self).1 }, body)
    }
}

extension SmallMap where Key == String, Value == Double {
    /// The entries by weight, heaviest first (see `withRanked`).
    func withRankedEntries<Result>(_ body: (UnsafeMutableBufferPointer<(key: String, value: Double)>) -> Result)
        -> Result
    {
        withRanked(
            count: count,
            { buffer in
                var filled = 0
                forEach { key, value in
                    buffer.baseAddress!.advanced(by: filled).initialize(to: (key, value))
                    filled += 1
                }
                return filled
            }, body)
    }
}
