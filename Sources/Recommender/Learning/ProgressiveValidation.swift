import Foundation

/// Scores a model online: every prediction is made before the model trains on the example (`OnlineTrainer.train`
/// returns it), so the last `window` of them measure how the model does on data it has not seen, with no hold-out set.
///
/// Keeps the window as a ring buffer; the metrics are computed exactly over it when read (O(window log window) for
/// the AUC), which is meant for a metrics scrape or a model publish, not for every example.
public struct ProgressiveValidation: Sendable {
    public let window: Int
    private var predictions: [Float] = []
    private var labels: [Bool] = []
    private var next = 0  // where the next record goes once the window is full

    /// Predictions are clamped into [epsilon, 1 − epsilon] for the log loss, so one confident miss costs ~16, not ∞.
    static let epsilon = 1e-7

    public init(window: Int = 5_000) {
        precondition(window > 0, "ProgressiveValidation needs a positive window")
        self.window = window
    }

    /// Predictions in the window.
    public var count: Int { predictions.count }

    /// Adds one prediction made before training on its example; a non-finite prediction is ignored.
    public mutating func record(prediction: Float, clicked: Bool) {
        guard prediction.isFinite else { return }
        if predictions.count < window {
            predictions.append(prediction)
            labels.append(clicked)
        } else {
            predictions[next] = prediction
            labels[next] = clicked
            next = (next + 1) % window
        }
    }

    /// Mean logistic loss over the window (natural log), nil when it is empty.
    public var logLoss: Double? {
        guard !predictions.isEmpty else { return nil }
        var total = 0.0
        for (prediction, clicked) in zip(predictions, labels) {
            let p = min(max(Double(prediction), Self.epsilon), 1 - Self.epsilon)
            total -= clicked ? log(p) : log(1 - p)
        }
        return total / Double(predictions.count)
    }

    /// Area under the ROC curve over the window: the probability that a random click was scored above a random
    /// non-click, ties counting half (rank-sum with average ranks). Nil unless the window holds both outcomes.
    public var auc: Double? {
        let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = predictions.indices.sorted { predictions[$0] < predictions[$1] }
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && predictions[order[end]] == predictions[order[start]] { end += 1 }
            let averageRank = Double(start + 1 + end) / 2  // ranks start + 1 ... end, 1-based
            for position in start..<end where labels[order[position]] { positiveRankSum += averageRank }
            start = end
        }
        let p = Double(positives)
        return (positiveRankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }
}
