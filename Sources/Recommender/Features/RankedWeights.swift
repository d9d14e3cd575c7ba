extension Dictionary where Key == String, Value == Double {
    /// Calls `body` with the entries sorted by weight, heaviest first (ties by key, so the order is the same in
    /// every process), in a buffer on the stack: the category weights of a profile or a window are ranked several
    /// times per feed and once per closed window, and an array per ranking showed in the allocation counts.
    func withRankedEntries<Result>(_ body: (UnsafeMutableBufferPointer<(key: String, value: Double)>) -> Result)
        -> Result
    {
        withUnsafeTemporaryAllocation(of: (key: String, value: Double).self, capacity: count) { buffer in
            var ranked = buffer
            _ = ranked.initialize(from: self)
            defer { ranked.deinitialize() }
            ranked.sort { ($0.value, $1.key) > ($1.value, $0.key) }
            return body(ranked)
        }
    }
}
