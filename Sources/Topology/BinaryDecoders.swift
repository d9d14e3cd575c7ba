import Recommender
import StreamEngine

/// The binary decoders of what StreamRec reads back from Kafka — task state from the changelog, co-occurrence
/// headers and training examples from its internal topics — reachable from outside the module for the fuzzer only
/// (`@_spi(Fuzzing) import Recommender`). Each returns whether the bytes decoded; none may trap on any input.
@_spi(Fuzzing) public enum BinaryDecoders {
    public static func userState(_ bytes: [UInt8]) -> Bool {
        var reader = BinaryReader(bytes)
        return (try? UserState.decode(from: &reader, settings: PipelineSettings())) != nil
    }

    public static func itemState(_ bytes: [UInt8]) -> Bool {
        var reader = BinaryReader(bytes)
        return (try? ItemTask.ItemState.decode(from: &reader)) != nil
    }

    public static func coOccurrences(_ bytes: [UInt8]) -> Bool { (try? CoOccurrence.decode(bytes)) != nil }

    public static func trainingExample(_ bytes: [UInt8]) -> Bool { (try? TrainingExample.decode(bytes)) != nil }

    public static func itemTableRow(_ bytes: [UInt8]) -> Bool { ItemTableRow.decode(bytes) != nil }
}
