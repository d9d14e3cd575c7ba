import Benchmark
import Foundation
import Recommender
import StreamEngine

/// The per-event hot paths, each on its own, over the same 1 000 generated events (one scaled iteration = one
/// event): decode, routing, the user window, the item-CF count update, and one event through a warm user task with
/// and without its feed being ranked — the difference is the ranking of one list (candidates from the item table,
/// hybrid blend, FM score, diversity, list encoding).
/// The tolerances of `make microbench`'s check against the stored thresholds (Benchmarks/Thresholds/): allocations
/// are exact enough to allow 5 % at p90, time on a shared 2-core machine needs 50 % (a regression worth catching — a copy
/// per candidate, a lost cache — costs far more).
var guarded: [BenchmarkMetric: BenchmarkThresholds] {
    [
        .mallocCountTotal: .init(relative: [.p90: 5]),
        .wallClock: .init(relative: [.p90: 50]),
    ]
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo, maxDuration: .seconds(2))
    let sample = EventSample(count: 1_000)

    Benchmark("decode JSON") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try? EventCodec.decode(sample.json[index], format: .json))
        }
    }

    Benchmark("decode CSV") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try? EventCodec.decode(sample.csv[index], format: .csv))
        }
    }

    Benchmark("route by item (murmur2)") { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(KeyPartitioner.partition(for: sample.events[index].itemId.utf8, partitionCount: 16))
        }
    }

    Benchmark("user window update") { benchmark in
        // Steady state: every user's window already exists, as for all but a user's first event in a window.
        var windows = sample.windows
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let event = sample.events[index]
            UserWindowAggregator.add(
                event, category: event.categoryId, weights: sample.weights, to: &windows[event.userId, default: .init()]
            )
        }
        blackHole(windows.count)
    }

    Benchmark("CF co-occurrence update (3 pairs)") { benchmark in
        var counts = sample.coCounts
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let event = sample.events[index]
            counts[event.itemId, default: .init()].add(sample.pairs[index], at: event.timestamp, limits: sample.limits)
        }
        blackHole(counts.count)
    }

    for scale in [false, true] {
        for feedDue in [true, false] {
            let name =
                (feedDue ? "user task event, feed ranked (FM)" : "user task event, no feed due")
                + (scale ? ", 50 000-item table" : "")
            let fixture = UserTaskFixture(sample: sample, feedDue: feedDue, scale: scale)
            Benchmark(name, configuration: .init(maxDuration: .seconds(5), thresholds: guarded)) { benchmark in
                for _ in benchmark.scaledIterations { blackHole(fixture.processNextEvent()) }
            }
        }
    }
}
