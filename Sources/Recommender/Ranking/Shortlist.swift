/// The candidates a feed ranks: the best `limit` by the blend (ties by id), and every cart complement (the cart list
/// is drawn from the same candidates). A learned model scores only these — the blend is the model's prior and
/// cheap, the model's features are not — and only these have their attributes read from the item table (a
/// String-keyed lookup and a cache miss into the 50 000-row table each). At 50 000 items a feed gathers 200–400
/// candidates; scoring and reading all of them was a fifth of a replay's time.
enum Shortlist {
    /// Keeps the shortlist of `candidates`, in their order (which is deterministic; rankers break ties by id).
    static func keep(_ candidates: inout [Candidate], limit: Int, blend: BlendWeights) {
        guard candidates.count > limit else { return }
        let count = candidates.count
        withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { scores in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: limit) { heap in
                for position in 0..<count { scores[position] = candidates[position].blendScore(blend) }
                // True when `lhs` ranks below `rhs`: a min-heap of the best `limit` seen, weakest at the root.
                func worse(_ lhs: Int, _ rhs: Int) -> Bool {
                    scores[lhs] != scores[rhs]
                        ? scores[lhs] < scores[rhs] : candidates[lhs].itemId > candidates[rhs].itemId
                }
                for position in 0..<limit { heap[position] = position }
                PositionHeap.make(heap, count: limit, first: worse)
                for position in limit..<count where worse(heap[0], position) {
                    heap[0] = position
                    PositionHeap.siftDown(heap, count: limit, from: 0, first: worse)
                }
                // Marks the kept in `scores` (no longer needed): NaN for a kept candidate.
                for index in 0..<limit { scores[heap[index]] = .nan }
            }
            var kept = 0
            for position in 0..<count where scores[position].isNaN || candidates[position].cart > 0 {
                if kept != position { candidates.swapAt(kept, position) }
                kept += 1
            }
            candidates.removeLast(count - kept)
        }
    }
}
