import Foundation

/// The JSON a model version travels in: one record of the `recsys-models` Kafka topic, or the file given to
/// `streamrec model publish --file`.
///
/// ```json
/// {"format":"streamrec-model/1","version":"fm-20261129-0001","kind":"fm","hashBits":16,"factors":8,"fields":12,
///  "hiddenUnits":0,"bias":-1.2,"linear":{"123":0.5,"77":-0.1},"embeddings":{"123":[0.01, ... 8 values]},
///  "mlp":null,
///  "createdAt":1732406400000,"trainedExamples":12000,"metrics":{"logLoss":0.41,"auc":0.73}}
/// ```
///
/// - `format`: always `streamrec-model/1`; a reader rejects any other.
/// - `version`: 1–128 characters of [A-Za-z0-9._-], unique per publish.
/// - `kind`: `fm` (factorization machine) or `deepfm` (FM plus an MLP over per-field embedding sums).
/// - `hashBits` (8...24): the model has 2^hashBits buckets; features are hashed with `FeatureHashing`, which the
///   producer of features must use with the same bits. `factors` (0...64): embedding length k, with
///   2^hashBits × max(k, 1) ≤ 2^24. `fields` (1...64): feature groups. `hiddenUnits`: 0 for fm, 1...256 for deepfm.
/// - `bias`: the global bias.
/// - `linear`: bucket index (decimal, no leading zeros) → weight, only for non-zero weights; absent buckets are 0.
/// - `embeddings`: bucket index → exactly `factors` values, only for buckets whose embedding differs from its
///   initial value; an absent bucket keeps the deterministic initial value every reader re-creates
///   (`RankingModel.init`: splitmix64 of the flat index `bucket × factors + q` with the embedding salt, top 24 bits,
///   scaled to [-0.01, 0.01)).
/// - `mlp`: null for fm; for deepfm `{"hidden":[[fields×factors weights] × hiddenUnits],"hiddenBias":[hiddenUnits],
///   "output":[hiddenUnits],"outputBias":x}`. The MLP input for field f, factor q is Σ v_iq x_i over the features of
///   field f, in order f × factors + q.
/// - `createdAt`: epoch milliseconds ≥ 0. `trainedExamples`: ≥ 0.
/// - `metrics`: optional; `logLoss` ≥ 0 and `auc` in 0...1, each a number or null (progressive validation).
///
/// Weights are written in the shortest decimal form that reads back as the same 32-bit float, so a file read and
/// written again is byte-identical. A reader rejects anything malformed with a `ModelFileError` (a file over 64 MiB,
/// a missing or mistyped field, a shape out of bounds, a bucket out of range, a vector of the wrong length, a
/// non-finite weight) and never traps on any input.
public enum ModelFile {
    public static let format = "streamrec-model/1"
    public static let maxBytes = 64 << 20

    /// The JSON of `version`. Keys in the order above, buckets in increasing order: the same model always gives the
    /// same bytes. A non-finite weight (which `OnlineTrainer` never produces) is written as null, so the file is
    /// rejected when read instead of silently changed; so is a version name `ModelVersion.isValidName` refuses.
    public static func encode(_ v: ModelVersion) -> [UInt8] {
        var writer = ModelFileWriter()
        writer.write(v)
        return writer.bytes
    }

    /// Reads and checks a model file. Uses Foundation's JSONDecoder: about 0.5 s for an 8 MB file in which all
    /// 65,536 buckets of a k = 8 model were trained (release build), fine for a model publish, not for a hot path.
    public static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> ModelVersion {
        guard bytes.count <= maxBytes else {
            throw ModelFileError("\(bytes.count) bytes is over the limit of \(maxBytes) (64 MiB)")
        }
        do {
            return try JSONDecoder().decode(ModelFileReader.self, from: Data(bytes)).version
        } catch let error as ModelFileError {
            throw error
        } catch let error as DecodingError {
            throw ModelFileReader.describe(error, bytes: bytes)
        } catch {
            throw ModelFileError("not JSON (\(error))")
        }
    }
}
