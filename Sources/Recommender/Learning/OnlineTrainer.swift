/// Trains a `RankingModel` one example at a time: logistic loss, AdaGrad per parameter, L2 on the parameters an
/// example touches (lazily: a bucket that is not in the example is not decayed, which keeps an update proportional to
/// the example's size instead of the model's).
///
/// Deterministic: the same examples in the same order give a bit-identical model (one thread, a fixed order of
/// floating-point operations, no randomness).
public struct OnlineTrainer: Sendable {
    public private(set) var model: RankingModel
    public var learningRate: Float
    public var l2: Float
    /// Examples passed to `train`, including the ones whose update was skipped.
    public var examplesSeen: Int = 0

    // AdaGrad's sums of squared gradients, one per parameter, laid out as the model's arrays.
    private var biasAccumulator: Float = 0
    private var linearAccumulators: [Float]
    private var embeddingAccumulators: [Float]
    private var hiddenAccumulators: [Float]
    private var hiddenBiasAccumulators: [Float]
    private var outputAccumulators: [Float]
    private var outputBiasAccumulator: Float = 0

    public init(model: RankingModel, learningRate: Float = 0.05, l2: Float = 1e-5) {
        self.model = model
        self.learningRate = learningRate
        self.l2 = l2
        linearAccumulators = Array(repeating: 0, count: model.linear.count)
        embeddingAccumulators = Array(repeating: 0, count: model.embeddings.count)
        hiddenAccumulators = Array(repeating: 0, count: model.hiddenWeights.count)
        hiddenBiasAccumulators = Array(repeating: 0, count: model.hiddenBias.count)
        outputAccumulators = Array(repeating: 0, count: model.outputWeights.count)
    }

    /// Learns from one impression and returns the click probability the model gave it *before* the update, the
    /// honest out-of-sample prediction that `ProgressiveValidation` scores.
    ///
    /// An example whose loss gradient is not finite (a feature value of infinity or NaN) changes nothing.
    @discardableResult
    public mutating func train(_ features: [Feature], clicked: Bool) -> Float {
        examplesSeen += 1
        let k = model.factorCount
        // forward's scratch, then the MLP input gradients, then one embedding gradient per feature.
        let capacity = model.scratchCount + model.mlpInputCount + features.count * k
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: max(capacity, 1)) { scratch in
            features.withUnsafeBufferPointer { features in
                update(features, clicked: clicked, scratch: scratch.baseAddress!)
            }
        }
    }

    private mutating func update(
        _ features: UnsafeBufferPointer<Feature>, clicked: Bool, scratch: UnsafeMutablePointer<Float>
    )
        -> Float
    {
        let prediction = RankingModel.sigmoid(model.forward(features, scratch: scratch))
        let g = prediction - (clicked ? 1 : 0)  // d loss / d logit
        guard g.isFinite else { return prediction }

        let k = model.factorCount
        let inputCount = model.mlpInputCount
        let hidden = model.hiddenUnits
        let deep = model.kind == .deepFM
        let mask = model.bucketCount - 1
        let sums = scratch
        let inputs = scratch + k
        let preActivations = inputs + inputCount
        let inputGradients = preActivations + hidden
        let embeddingGradients = inputGradients + inputCount

        // Every gradient is computed from the parameters as they were for the prediction, before any is applied.
        if deep {
            inputGradients.update(repeating: 0, count: inputCount)
            for unit in 0..<hidden where preActivations[unit] > 0 {
                let dz = g * model.outputWeights[unit]
                for m in 0..<inputCount { inputGradients[m] += dz * model.hiddenWeights[unit * inputCount + m] }
            }
        }
        for (i, feature) in features.enumerated() {
            let row = (feature.index & mask) * k
            let x = feature.value
            let fieldInputs = deep && feature.field >= 0 && feature.field < model.fieldCount ? feature.field * k : -1
            for q in 0..<k {
                let v = model.embeddings[row + q]
                // FM: d/dv_iq of ½[(Σ v_q x)² − Σ v_q² x²] is x (S_q − v_iq x); DeepFM adds the MLP's d/ds × x.
                var gradient = g * x * (sums[q] - v * x)
                if fieldInputs >= 0 { gradient += inputGradients[fieldInputs + q] * x }
                embeddingGradients[i * k + q] = gradient
            }
        }

        let rate = learningRate
        Self.step(&model.bias, &biasAccumulator, g, rate: rate)
        // A bucket that occurs more than once (a repeated feature, a hash collision) takes one step on the sum of its
        // gradients: two AdaGrad steps on the parts can go against their sum. Quadratic, but n is ~12.
        for (i, feature) in features.enumerated() {
            let bucket = feature.index & mask
            if features[..<i].contains(where: { $0.index & mask == bucket }) { continue }  // stepped at its first
            var linearGradient = g * feature.value
            for j in (i + 1)..<features.count where features[j].index & mask == bucket {
                linearGradient += g * features[j].value
                for q in 0..<k { embeddingGradients[i * k + q] += embeddingGradients[j * k + q] }
            }
            Self.step(
                &model.linear[bucket], &linearAccumulators[bucket], linearGradient + l2 * model.linear[bucket],
                rate: rate)
            let row = bucket * k
            for q in 0..<k {
                Self.step(
                    &model.embeddings[row + q], &embeddingAccumulators[row + q],
                    embeddingGradients[i * k + q] + l2 * model.embeddings[row + q], rate: rate)
            }
        }
        guard deep else { return prediction }
        for unit in 0..<hidden {
            let z = preActivations[unit]
            guard z > 0 else { continue }  // a ReLU that was off passes no gradient
            let dz = g * model.outputWeights[unit]
            Self.step(
                &model.outputWeights[unit], &outputAccumulators[unit], g * z + l2 * model.outputWeights[unit],
                rate: rate)
            Self.step(&model.hiddenBias[unit], &hiddenBiasAccumulators[unit], dz, rate: rate)
            let row = unit * inputCount
            for m in 0..<inputCount where inputs[m] != 0 {
                Self.step(
                    &model.hiddenWeights[row + m], &hiddenAccumulators[row + m],
                    dz * inputs[m] + l2 * model.hiddenWeights[row + m], rate: rate)
            }
        }
        Self.step(&model.outputBias, &outputBiasAccumulator, g, rate: rate)
        return prediction
    }

    /// One AdaGrad step. A step never moves a weight by more than `rate` (the accumulator includes this gradient's
    /// square), so weights stay finite; a non-finite gradient is dropped.
    @inline(__always)
    private static func step(_ weight: inout Float, _ accumulator: inout Float, _ gradient: Float, rate: Float) {
        guard gradient != 0, gradient.isFinite else { return }
        accumulator += gradient * gradient
        let delta = rate * gradient / (accumulator.squareRoot() + 1e-7)
        guard delta.isFinite else { return }
        weight -= delta
    }
}
