import Recommender
import StreamEngine

/// The task of the single training partition: whichever group member Kafka gives it to is the trainer. It learns
/// from every example (AdaGrad on logistic loss), scores itself by progressive validation (each example predicted
/// before it is learned), and every `publishEvery` examples decides whether to publish a new version to
/// `recsys-models` — when the rolling log loss beat the last published version's, or after ten decisions without
/// one — and, unless an operator pinned a version, activates it if it ranked its window's examples better than their
/// blend scores did (`TrainerSettings.activateOnlyAboveBlend`).
///
/// Its checkpoint is its last published version: the model (a state key), its sequence number and the offset after
/// the last example it learned. A restored trainer re-reads the examples since, and — as AdaGrad's accumulators and
/// the validation window also restart at every publish — learns and decides exactly what the lost one had. (So a
/// version's metrics cover the examples since the version before it.)
public struct TrainerTask: Sendable {
    public let partition: Int32
    private let settings: PipelineSettings
    private let routes: OutputRoutes
    private var trainer: OnlineTrainer
    private var validation = ProgressiveValidation()
    /// The blend score of the same examples, ranked as a prediction: a version is activated only when it ranks the
    /// window's examples better than the blend it would replace (see `publish`).
    private var blendValidation = ProgressiveValidation()
    // Bound: one key, the last published model.
    private var store = KeyedStateStore<String, [UInt8]>(bounds: .init(maxKeys: 1))
    private var changelog: ChangelogWriter
    private var published = 0
    /// Examples learned by the versions published so far.
    private var examplesPublished = 0
    private var publishedLogLoss: Double?
    private var decisionsWithoutPublish = 0
    private var sinceDecision = 0
    /// The offset after the last example in the published model; nil when nothing to checkpoint.
    private var checkpointOffset: Int64?
    public private(set) var counters = PipelineCounters()

    static let modelKey = "model"

    public init(partition: Int32, settings: PipelineSettings) {
        self.partition = partition
        self.settings = settings
        routes = OutputRoutes(settings)
        trainer = Self.freshTrainer(RankingFeatures.initialModel(settings.trainer), settings)
        changelog = ChangelogWriter(
            topic: settings.topics.changelog,
            partition: routes.changelogPartition(
                ofTaskReading: settings.topics.training, partition: partition))
        store.trackChanges()
    }

    static func freshTrainer(_ model: RankingModel, _ settings: PipelineSettings) -> OnlineTrainer {
        OnlineTrainer(model: model, learningRate: Float(settings.trainer.learningRate))
    }

    public mutating func restore(from restored: RestoredTask) throws(CheckpointDecodingError) {
        changelog = ChangelogWriter(topic: changelog.topic, partition: changelog.partition, restored: restored)
        var task = BinaryReader(restored.marker.taskState)
        published = try task.readInt()
        examplesPublished = try task.readInt()
        publishedLogLoss = try task.readBool() ? try task.readDouble() : nil
        decisionsWithoutPublish = try task.readInt()
        store.restore(
            try ChangelogWriter.storeEntries(of: restored) { (reader) throws(CheckpointDecodingError) in
                Array(try reader.readBytes())
            })
        if let bytes = store.peek(Self.modelKey) {
            do {
                trainer = Self.freshTrainer(try ModelFile.decode(bytes).model, settings)
            } catch {
                throw .invalid("trainer checkpoint: \(error)")
            }
        }
    }

    public mutating func checkpoint(into output: inout [OutputRecord]) {
        guard let nextOffset = checkpointOffset else { return }
        checkpointOffset = nil
        var task = BinaryWriter()
        task.write(published)
        task.write(examplesPublished)
        task.write(publishedLogLoss != nil)
        if let publishedLogLoss { task.write(publishedLogLoss) }
        task.write(decisionsWithoutPublish)
        changelog.checkpoint(
            &store, nextOffset: nextOffset, taskState: task.bytes, encode: { $1.write(bytes: $0) }, into: &output)
    }

    /// The model as trained so far, published or not.
    public var model: RankingModel { trainer.model }
    public var examplesSeen: Int { examplesPublished + trainer.examplesSeen }
    public var rollingLogLoss: Double? { validation.logLoss }
    public var rollingAUC: Double? { validation.auc }

    public mutating func process(_ record: StreamRecord, registry: ModelRegistry, output: inout [OutputRecord]) {
        guard settings.trainer.enabled else {
            checkpointOffset = record.offset + 1  // nothing learned, nothing to re-read
            return
        }
        guard let value = record.value, let example = try? TrainingExample.decode(value) else {
            counters.deadLettered += 1
            output.append(
                routes.deadLetter(
                    record, reason: "unreadable training example", limit: settings.maxRecordBytes))
            return
        }
        let prediction = trainer.train(example.features, clicked: example.clicked)
        validation.record(prediction: prediction, clicked: example.clicked)
        blendValidation.record(prediction: Self.blendScore(of: example), clicked: example.clicked)
        counters.examplesTrained += 1
        sinceDecision += 1
        guard sinceDecision >= settings.trainer.publishEvery else { return }
        sinceDecision = 0
        let logLoss = validation.logLoss
        let improved = logLoss.map { current in publishedLogLoss.map { current < $0 } ?? true } ?? false
        guard improved || !settings.trainer.publishOnlyOnImprovement || decisionsWithoutPublish >= 9 else {
            decisionsWithoutPublish += 1
            return
        }
        publish(causedBy: record, at: record.timestamp ?? 0, registry: registry, into: &output)
    }

    private mutating func publish(
        causedBy record: StreamRecord, at time: Int64, registry: ModelRegistry, into output: inout [OutputRecord]
    ) {
        published += 1
        examplesPublished += trainer.examplesSeen
        decisionsWithoutPublish = 0
        publishedLogLoss = validation.logLoss
        let name = "\(settings.trainer.kind)-\(String(published).leftPadded(to: 6))"
        let version = ModelVersion(
            version: name, model: trainer.model, createdAt: max(0, time), trainedExamples: examplesPublished,
            logLoss: validation.logLoss, auc: validation.auc)
        let file = ModelFile.encode(version)
        _ = store.update(Self.modelKey, at: time, default: { [] }) { $0 = file }
        trainer = Self.freshTrainer(trainer.model, settings)
        // With no AUC to compare (a window of one label), the version is activated as before.
        let beatsBlend =
            !settings.trainer.activateOnlyAboveBlend
            || validation.auc.map { auc in blendValidation.auc.map { auc > $0 } ?? true } ?? true
        validation = ProgressiveValidation()
        blendValidation = ProgressiveValidation()
        checkpointOffset = record.offset + 1
        counters.modelsPublished += 1
        output.append(
            routes.modelVersion(named: name, file: file, at: time, id: OutputHeaders.id(for: record, sequence: 0)))
        var control = registry.control
        guard settings.trainer.autoActivate, !control.pinned, beatsBlend else { return }
        control.activate(name, pinned: false)
        output.append(routes.modelControl(control, at: time, id: OutputHeaders.id(for: record, sequence: 1)))
    }
}

extension TrainerTask {
    /// The example's blend-score feature (0 when the blend scored it 0, as such features are left out).
    static func blendScore(of example: TrainingExample) -> Float {
        example.features.first { $0.field == RankingFeatures.Field.blend.rawValue }?.value ?? 0
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
