/// A binary heap of candidate positions in storage the caller keeps on the stack (`withUnsafeTemporaryAllocation`):
/// a feed takes its few best of hundreds of candidates, where a sort of them all allocated its scratch per feed.
/// `first(a, b)` is true when position `a` belongs nearer the root than `b`.
enum PositionHeap {
    /// Orders the first `count` positions of `heap` into a heap.
    static func make(_ heap: UnsafeMutableBufferPointer<Int>, count: Int, first: (Int, Int) -> Bool) {
        for start in stride(from: count / 2 - 1, through: 0, by: -1) {
            siftDown(heap, count: count, from: start, first: first)
        }
    }

    /// Moves the position at `start` down until both its children come after it.
    static func siftDown(
        _ heap: UnsafeMutableBufferPointer<Int>, count: Int, from start: Int, first: (Int, Int) -> Bool
    ) {
        var parent = start
        while true {
            var best = parent
            let (left, right) = (2 * parent + 1, 2 * parent + 2)
            if left < count, first(heap[left], heap[best]) { best = left }
            if right < count, first(heap[right], heap[best]) { best = right }
            guard best != parent else { return }
            heap.swapAt(parent, best)
            parent = best
        }
    }
}
