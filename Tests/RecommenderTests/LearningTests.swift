import Evaluation
import Foundation
import Testing

@testable import Recommender

/// The online-learning ranker: it must learn what a linear model cannot, deterministically, and its scores must be
/// the FM/DeepFM formula.
@Suite struct LearningTests {
    static let hashBits = 16

    /// Two categorical fields of ten values each, clicked with p = 0.8 when a + b is even, else 0.1: a pure cross,
    /// no main effect (every value of a alone is clicked 45% of the time).
    static func examples(count: Int, seed: UInt64) -> [(features: [Feature], clicked: Bool)] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let a = random.below(10)
            let b = random.below(10)
            let clicked = random.unit() < ((a + b) % 2 == 0 ? 0.8 : 0.1)
            return (
                [
                    Feature(field: 0, index: FeatureHashing.index(field: 0, "a\(a)", bits: hashBits)),
                    Feature(field: 1, index: FeatureHashing.index(field: 1, "b\(b)", bits: hashBits)),
                ], clicked
            )
        }
    }

    static func trained(_ model: RankingModel, examples: Int = 20_000) -> OnlineTrainer {
        var trainer = OnlineTrainer(model: model)
        for example in Self.examples(count: examples, seed: 1) {
            trainer.train(example.features, clicked: example.clicked)
        }
        return trainer
    }

    static func heldOutAUC(_ model: RankingModel) -> Double {
        var validation = ProgressiveValidation(window: 5_000)
        for example in examples(count: 5_000, seed: 2) {
            validation.record(prediction: model.probability(example.features), clicked: example.clicked)
        }
        return validation.auc ?? 0
    }

    @Test func factorizationMachineLearnsAPlantedCross() {
        let trainer = Self.trained(RankingModel(kind: .fm, hashBits: Self.hashBits, factorCount: 8, fieldCount: 2))
        #expect(trainer.examplesSeen == 20_000)
        #expect(Self.heldOutAUC(trainer.model) > 0.75)  // the best possible is ~0.85
    }

    @Test func linearModelAndUntrainedModelCannotLearnTheCross() {
        let linear = Self.trained(RankingModel(kind: .fm, hashBits: Self.hashBits, factorCount: 0, fieldCount: 2))
        #expect(abs(Self.heldOutAUC(linear.model) - 0.5) < 0.06)
        let untrained = RankingModel(kind: .fm, hashBits: Self.hashBits, factorCount: 8, fieldCount: 2)
        #expect(abs(Self.heldOutAUC(untrained) - 0.5) < 0.06)
    }

    @Test func deepFMLearnsThePlantedCross() {
        let trainer = Self.trained(
            RankingModel(kind: .deepFM, hashBits: Self.hashBits, factorCount: 8, fieldCount: 2, hiddenUnits: 16))
        #expect(Self.heldOutAUC(trainer.model) > 0.7)
    }

    @Test func progressivePredictionsImproveAsTheModelLearns() throws {
        var trainer = OnlineTrainer(
            model: RankingModel(kind: .fm, hashBits: Self.hashBits, factorCount: 8, fieldCount: 2))
        var validation = ProgressiveValidation(window: 2_000)
        var early: Double?
        for (n, example) in Self.examples(count: 20_000, seed: 3).enumerated() {
            validation.record(
                prediction: trainer.train(example.features, clicked: example.clicked), clicked: example.clicked)
            if n == 1_999 { early = validation.logLoss }
        }
        #expect(validation.count == 2_000)
        #expect(try #require(validation.logLoss) < #require(early))
        #expect(try #require(validation.auc) > 0.75)
    }

    @Test(arguments: [RankingModel.Kind.fm, .deepFM])
    func sameExamplesInTheSameOrderGiveTheSameFile(kind: RankingModel.Kind) {
        let model = RankingModel(kind: kind, hashBits: 12, factorCount: 4, fieldCount: 2, hiddenUnits: 8)
        let files = (0..<2).map { _ in
            var trainer = OnlineTrainer(model: model)
            for example in Self.examples(count: 3_000, seed: 4) {
                trainer.train(example.features, clicked: example.clicked)
            }
            return ModelFile.encode(
                ModelVersion(version: "v1", model: trainer.model, createdAt: 1, trainedExamples: trainer.examplesSeen))
        }
        #expect(files[0] == files[1])
        let untrained = (0..<2).map { _ in
            ModelFile.encode(ModelVersion(version: "v0", model: model, createdAt: 1, trainedExamples: 0))
        }
        #expect(untrained[0] == untrained[1])
        // Nothing trained, nothing but the header and (for DeepFM) the MLP.
        #expect(String(decoding: untrained[0], as: UTF8.self).contains(#""linear":{},"embeddings":{}"#))
    }

    /// The scores are the documented formula, computed here the slow and obvious way.
    @Test(arguments: [RankingModel.Kind.fm, .deepFM])
    func logitIsTheFormula(kind: RankingModel.Kind) {
        let (k, fields, hidden) = (4, 3, 5)
        var trainer = OnlineTrainer(
            model: RankingModel(kind: kind, hashBits: 8, factorCount: k, fieldCount: fields, hiddenUnits: hidden))
        var random = SeededRandom(seed: 5)
        func randomFeatures() -> [Feature] {
            (0..<6).map { _ in
                Feature(field: random.below(fields), index: random.below(256), value: Float(random.unit() * 2 - 1))
            }
        }
        for _ in 0..<500 { trainer.train(randomFeatures(), clicked: random.below(3) == 0) }
        let model = trainer.model
        for _ in 0..<50 {
            let features = randomFeatures()
            func v(_ i: Int, _ q: Int) -> Double { Double(model.embeddings[features[i].index * k + q]) }
            var expected = Double(model.bias)
            for (i, feature) in features.enumerated() {
                expected += Double(model.linear[feature.index]) * Double(feature.value)
                for j in (i + 1)..<features.count {
                    let dot = (0..<k).reduce(0.0) { $0 + v(i, $1) * v(j, $1) }
                    expected += dot * Double(feature.value) * Double(features[j].value)
                }
            }
            if kind == .deepFM {
                var inputs = [Double](repeating: 0, count: fields * k)
                for (i, feature) in features.enumerated() {
                    for q in 0..<k { inputs[feature.field * k + q] += v(i, q) * Double(feature.value) }
                }
                expected += Double(model.outputBias)
                for unit in 0..<hidden {
                    var z = Double(model.hiddenBias[unit])
                    for m in 0..<inputs.count { z += Double(model.hiddenWeights[unit * inputs.count + m]) * inputs[m] }
                    expected += Double(model.outputWeights[unit]) * max(z, 0)
                }
            }
            #expect(abs(Double(model.logit(features)) - expected) < 1e-4)
            let p = model.probability(features)
            #expect(abs(Double(p) - 1 / (1 + exp(-expected))) < 1e-5)
        }
    }

    /// Backpropagation checked against numerical gradients: one AdaGrad step from fresh accumulators moves each
    /// parameter by about the learning rate against the sign of its gradient, so every parameter with a clear
    /// numerical gradient must move the opposite way. Features repeat buckets on purpose (indices below 20).
    @Test func everyParameterStepsAgainstItsNumericalGradient() {
        var random = SeededRandom(seed: 3)
        func randomFeatures() -> [Feature] {
            (0..<5).map { _ in
                Feature(field: random.below(3), index: random.below(20), value: Float(random.unit() * 2 - 1))
            }
        }
        var warmUp = OnlineTrainer(
            model: RankingModel(kind: .deepFM, hashBits: 8, factorCount: 3, fieldCount: 3, hiddenUnits: 4), l2: 0)
        for _ in 0..<300 { warmUp.train(randomFeatures(), clicked: random.below(2) == 0) }
        let base = warmUp.model
        var checked = 0
        for trial in 0..<10 {
            let features = randomFeatures()
            let clicked = trial % 2 == 0
            func loss(_ model: RankingModel) -> Double {
                let p = Double(model.probability(features))
                return clicked ? -log(p) : -log(1 - p)
            }
            var trainer = OnlineTrainer(model: base, learningRate: 1e-4, l2: 0)
            trainer.train(features, clicked: clicked)
            func check(
                _ name: String, _ read: (RankingModel) -> [Float], _ write: (inout RankingModel, Int, Float) -> Void
            ) {
                let before = read(base)
                let after = read(trainer.model)
                for i in before.indices {
                    var plus = base
                    var minus = base
                    write(&plus, i, before[i] + 1e-3)
                    write(&minus, i, before[i] - 1e-3)
                    let numerical = (loss(plus) - loss(minus)) / 2e-3
                    guard abs(numerical) > 1e-2 else { continue }
                    checked += 1
                    #expect((after[i] - before[i]) * Float(numerical) < 0, "\(name)[\(i)]: \(numerical)")
                }
            }
            check("bias", { [$0.bias] }, { model, _, value in model.bias = value })
            check("linear", { $0.linear }, { $0.linear[$1] = $2 })
            check("embeddings", { $0.embeddings }, { $0.embeddings[$1] = $2 })
            check("hiddenWeights", { $0.hiddenWeights }, { $0.hiddenWeights[$1] = $2 })
            check("hiddenBias", { $0.hiddenBias }, { $0.hiddenBias[$1] = $2 })
            check("outputWeights", { $0.outputWeights }, { $0.outputWeights[$1] = $2 })
            check("outputBias", { [$0.outputBias] }, { model, _, value in model.outputBias = value })
        }
        #expect(checked > 100)
    }

    @Test func outOfRangeInputsStayInsideTheModel() {
        let model = RankingModel(kind: .deepFM, hashBits: 8, factorCount: 2, fieldCount: 2, hiddenUnits: 2)
        let wild = [
            Feature(field: -1, index: -5), Feature(field: 99, index: 1 << 40), Feature(field: 1, index: Int.max),
        ]
        #expect(model.logit(wild).isFinite)
        var trainer = OnlineTrainer(model: model)
        trainer.train(wild, clicked: true)
        #expect(trainer.train([Feature(field: 0, index: 3, value: .nan)], clicked: true).isNaN)
        #expect(trainer.model.logit(wild).isFinite)  // the NaN example changed nothing
    }

    @Test func seededPriorRanksLikeTheBlend() {
        var model = RankingModel(kind: .fm, hashBits: 16, factorCount: 8, fieldCount: 12)
        let blend = FeatureHashing.index(field: 11, "blend", bits: 16)
        model.setLinearWeight(1, at: blend)
        let scores: [Float] = [0.1, 0.4, 0.35, 0.9]
        let probabilities = scores.map { model.probability([Feature(field: 11, index: blend, value: $0)]) }
        #expect(probabilities[3] > probabilities[1] && probabilities[1] > probabilities[2])
        #expect(probabilities[2] > probabilities[0])
    }

    @Test func initialModelsAreIdentical() {
        let a = RankingModel(kind: .deepFM, hashBits: 10, factorCount: 8, fieldCount: 4, hiddenUnits: 4)
        let b = RankingModel(kind: .deepFM, hashBits: 10, factorCount: 8, fieldCount: 4, hiddenUnits: 4)
        #expect(a.embeddings.map(\.bitPattern) == b.embeddings.map(\.bitPattern))
        #expect(a.hiddenWeights.map(\.bitPattern) == b.hiddenWeights.map(\.bitPattern))
        #expect(a.embeddings.allSatisfy { abs($0) <= 0.01 } && Set(a.embeddings).count > a.embeddings.count / 2)
        #expect(a.linear.allSatisfy { $0 == 0 } && a.bias == 0)
    }

    /// Pinned against an independent implementation (Python): a change here re-buckets every published model.
    @Test func featureHashingIsStable() {
        #expect(FeatureHashing.index(field: 0, "item-1", bits: 16) == 51443)
        #expect(FeatureHashing.index(field: 3, "electronics", bits: 20) == 872844)
        #expect(FeatureHashing.index(field: -1, "", bits: 8) == 182)
        #expect(FeatureHashing.index(field: 1, "ü", bits: 24) == 11_047_571)
        #expect(FeatureHashing.index(field: 0, "x", bits: 16) != FeatureHashing.index(field: 1, "x", bits: 16))
    }

    // MARK: Progressive validation

    @Test func aucOfSeparatedAndReversedPredictions() {
        var separated = ProgressiveValidation()
        var reversed = ProgressiveValidation()
        for i in 0..<100 {
            let clicked = i >= 50
            separated.record(prediction: Float(i) / 100, clicked: clicked)
            reversed.record(prediction: Float(i) / 100, clicked: !clicked)
        }
        #expect(separated.auc == 1)
        #expect(reversed.auc == 0)
        var ties = ProgressiveValidation()
        for i in 0..<10 { ties.record(prediction: 0.3, clicked: i % 3 == 0) }
        #expect(ties.auc == 0.5)
        var oneClass = ProgressiveValidation()
        oneClass.record(prediction: 0.3, clicked: true)
        #expect(oneClass.auc == nil)
        #expect(ProgressiveValidation().logLoss == nil)
    }

    @Test func logLossOfAHandCase() throws {
        var validation = ProgressiveValidation()
        validation.record(prediction: 0.5, clicked: true)
        validation.record(prediction: 0.5, clicked: false)
        #expect(abs(try #require(validation.logLoss) - log(2)) < 1e-12)
        validation = ProgressiveValidation()
        validation.record(prediction: 0.9, clicked: true)
        validation.record(prediction: 0.2, clicked: false)
        #expect(abs(try #require(validation.logLoss) - (-(log(0.9) + log(0.8)) / 2)) < 1e-6)
        validation.record(prediction: 0, clicked: true)  // clamped: large, not infinite
        #expect(try #require(validation.logLoss).isFinite)
    }

    @Test func windowKeepsTheLastPredictions() {
        var validation = ProgressiveValidation(window: 4)
        // Four reversed predictions, then four separated ones push them out.
        for i in 0..<4 { validation.record(prediction: Float(i), clicked: i < 2) }
        #expect(validation.auc == 0)
        for i in 0..<4 { validation.record(prediction: Float(i), clicked: i >= 2) }
        #expect(validation.count == 4)
        #expect(validation.auc == 1)
        validation.record(prediction: .nan, clicked: true)
        #expect(validation.count == 4 && validation.auc == 1)
    }
}
