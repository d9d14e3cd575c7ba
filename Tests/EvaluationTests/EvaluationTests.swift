import Evaluation
import Foundation
import Recommender
import StreamEngine
import Testing
import Topology

/// The committed samples of the real data formats (`Tests/Fixtures`), read from the source tree.
func fixture(_ path: String) throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(path)
    return String(decoding: try Data(contentsOf: url), as: UTF8.self)
}

@Suite struct EvaluationTests {
    /// Most-popular on five purchases (weight 5 each), two seconds apart so every item-table row is in place:
    ///   1. u1 buys A — the table is empty: an empty list, a miss.
    ///   2. u2 buys A — [A]: a hit at rank 1.
    ///   3. u3 buys B — [A]: a miss.
    ///   4. u1 buys B — u1 has A: [B], a hit at rank 1.
    ///   5. u4 buys B — A and B tie at 10, ties go by id: [A, B], a hit at rank 2.
    /// HR 3/5; NDCG (1 + 1 + 1/log2 3)/5; MRR (1 + 1 + 1/2)/5; A and B listed, two items: coverage 1; four points were
    /// a user's first interaction.
    @Test func theEvaluatorScoresAHandMadeStreamAsComputedByHand() {
        var evaluator = PrequentialEvaluator(settings: PipelineSettings(), strategies: [.popular], bucket: .day)
        for (user, item, second) in [("u1", "A", 1_000), ("u2", "A", 1_002), ("u3", "B", 1_004), ("u1", "B", 1_006)]
            + [("u4", "B", 1_008)]
        {
            evaluator.process(event(user, item, .purchase, at: Int64(second), category: "c-\(item)"))
        }
        let report = evaluator.report()
        let popular = try! #require(report.overall(.popular))
        #expect(report.evaluationPoints == 5)
        #expect(report.coldStartPoints == 4)
        #expect(popular.hits == 3)
        #expect(popular.hitRate == 0.6)
        #expect(abs(popular.ndcg - (2 + 1 / log2(3)) / 5) < 1e-12)
        #expect(abs(popular.mrr - 0.5) < 1e-12)
        #expect(popular.coverage == 1)
        #expect(report.buckets.map(\.date) == ["1970-01-01"])
        // A bucket's figures are the overall ones without the overall intervals.
        var withoutIntervals = popular
        (withoutIntervals.hitRateInterval, withoutIntervals.ndcgInterval) = (nil, nil)
        #expect(report.buckets[0].metrics["popular"] == withoutIntervals)
        #expect((popular.hitRateInterval ?? 0) > 0)
    }

    /// The second half is reported, the first trained on: u1 and u2 buy A before the split, so u3's list after it
    /// already holds A; the purchases before the split are not points, nor are those after `until`.
    @Test func aReportWindowScoresOnlyItsPointsButTrainsOnEverythingBefore() {
        let events = [
            event("u1", "A", .purchase, at: 1_000), event("u2", "A", .purchase, at: 1_002),
            event("u3", "A", .purchase, at: 1_004), event("u4", "B", .purchase, at: 1_006),
            event("u5", "B", .purchase, at: 1_008),
        ]
        let window = ReportWindow(
            from: .fraction(0.5), until: .time(1_008_000), times: events.map(\.timestamp))
        #expect(window == ReportWindow(from: 1_004_000, until: 1_008_000))
        var evaluator = PrequentialEvaluator(settings: PipelineSettings(), strategies: [.popular], window: window)
        for event in events where !window.isPast(event.timestamp) { evaluator.process(event) }
        let report = evaluator.report()
        #expect(report.evaluationPoints == 2)
        #expect(report.overall(.popular)?.hits == 1)
        #expect(report.reportedFrom == 1_004_000 && report.reportedUntil == 1_008_000)
        #expect(window.isPast(1_008_000) && !window.isPast(1_007_999))
        #expect(ReportWindow.Bound(parsing: "0.5") == .fraction(0.5))
        #expect(ReportWindow.Bound(parsing: "1732406400000") == .time(1_732_406_400_000))
        #expect(ReportWindow.Bound(parsing: "1.5") == nil && ReportWindow.Bound(parsing: "half") == nil)
    }

    /// Most-popular ranks the whole chart, not its head: a user who bought the 20 most popular items (the head the
    /// chart used to offer) is shown the next ones, and buys the 21st — a hit at rank 1.
    @Test func mostPopularSkipsWhatTheUserHasAndRanksTheRestOfTheChart() {
        var events: [BehaviorEvent] = []
        var second: Int64 = 1_000
        func add(_ user: String, _ item: String) {
            events.append(event(user, item, .purchase, at: second))
            second += 2
        }
        let items = (0..<31).map { "i\($0 < 10 ? "0" : "")\($0)" }
        for (rank, item) in items.enumerated() {
            for buyer in 0..<(31 - rank) { add("v\(rank)-\(buyer)", item) }
        }
        for item in items.prefix(20) { add("u", item) }
        add("u", items[20])
        let window = ReportWindow(from: events.last!.timestamp)
        var evaluator = PrequentialEvaluator(settings: PipelineSettings(), strategies: [.popular], window: window)
        for event in events { evaluator.process(event) }
        let popular = evaluator.report().overall(.popular)
        #expect(popular?.points == 1)
        #expect(popular?.mrr == 1)
    }

    /// Users who all hit half their points leave nothing to resample: no interval. Users who differ do, and it
    /// narrows as the number of such users grows (about as 1/sqrt(users)).
    @Test func theBootstrapOverUsersWidensWithDisagreementAndNarrowsWithUsers() {
        var alike = UserBootstrap()
        for user in 0..<50 {
            alike.record(user: "u\(user)", hit: true, gain: 1)
            alike.record(user: "u\(user)", hit: false, gain: 0)
        }
        #expect(alike.intervals().hitRate < 1e-12)
        func mixed(users: Int) -> Double {
            var bootstrap = UserBootstrap()
            for user in 0..<users { bootstrap.record(user: "u\(user)", hit: user % 2 == 0, gain: 0) }
            return bootstrap.intervals().hitRate
        }
        let (few, many) = (mixed(users: 100), mixed(users: 1_600))
        #expect(few > 0.07 && few < 0.13, "1.96 × sqrt(0.25 / 100) = 0.098, got \(few)")
        #expect(abs(few / many - 4) < 1, "16 times the users: a quarter of the interval, got \(few) and \(many)")
    }

    @Test func viewsAreTrainedOnButAreNotTargetsUnlessAsked() {
        let events = [
            event("u1", "A", .view, at: 1_000), event("u2", "A", .purchase, at: 1_002),
            event("u3", "A", .view, at: 1_004),
        ]
        var positives = PrequentialEvaluator(settings: PipelineSettings(), strategies: [.popular])
        var all = PrequentialEvaluator(
            settings: PipelineSettings(), strategies: [.popular], targets: try! EvaluationTargets(parsing: "all"))
        for event in events {
            positives.process(event)
            all.process(event)
        }
        // u2's list holds A because u1's view counted; u3's holds A too, but views are targets only with "all".
        #expect(positives.report().overall(.popular)?.hits == 1)
        #expect(positives.report().evaluationPoints == 1)
        #expect(all.report().evaluationPoints == 3)
        #expect(all.report().overall(.popular)?.hits == 2)
        #expect(throws: SettingsError.self) { try EvaluationTargets(parsing: "like") }
    }

    @Test func askingForListsChangesNothingThePipelineWrites() {
        let stream = SyntheticEventGeneratorTests.sample(count: 3_000)
        func outputs(asking: Bool) -> [OutputRecord] {
            var runner = LocalRunner(settings: PipelineSettings())
            var sequencer = InputSequencer(partitions: 4)
            var written: [OutputRecord] = []
            for event in stream {
                if asking {
                    _ = runner.pipeline.recommend(
                        user: event.userId, at: event.timestamp, strategies: RankingStrategy.allCases)
                }
                runner.process(sequencer.record(for: event)) { written.append($0) }
            }
            return written
        }
        let plain = outputs(asking: false)
        #expect(plain.count > stream.count)
        #expect(outputs(asking: true) == plain)
    }

    @Test func theLearnedRankerTrainsDuringTheEvaluationAndRanks() {
        var settings = PipelineSettings()
        settings.trainer.publishEvery = 100
        var evaluator = PrequentialEvaluator(
            settings: settings, targets: try! EvaluationTargets(parsing: "click,cart,purchase"))
        for event in SyntheticEventGeneratorTests.sample(count: 8_000) { evaluator.process(event) }
        let report = evaluator.report()
        #expect(report.model.examplesTrained > 300)
        #expect(report.model.versionsPublished > 0)
        #expect(report.model.activeVersion?.hasPrefix("fm-") == true)
        #expect(Set(report.overall.keys) == Set(RankingStrategy.allCases.map(\.rawValue)))
        // Every strategy ranked something, and the personalized ones found some of what users chose.
        for strategy in RankingStrategy.allCases {
            #expect((report.overall(strategy)?.distinctItemsListed ?? 0) > 0, "\(strategy)")
        }
        for strategy in [RankingStrategy.blend, .learned, .hybrid] {
            #expect((report.overall(strategy)?.hits ?? 0) > 0, "\(strategy)")
        }
    }

    @Test func theMovieLensConverterReadsTheRealFormat() throws {
        let categories = try MovieLensConverter.firstGenres(itemFile: try fixture("movielens/ml-100k-sample.item"))
        #expect(categories.count == 232)
        #expect(categories["242"] == "Comedy")
        #expect(categories["302"] == "Crime")
        #expect(categories["117"] == "Action")
        let events = try MovieLensConverter.events(
            interactionFile: try fixture("movielens/ml-100k-sample.inter"), categories: categories)
        #expect(events.count == 300)
        #expect(events.count { $0.behavior == .purchase } == 173)
        #expect(events.allSatisfy { $0.behavior == .purchase || $0.behavior == .view })
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        // The two earliest: user 259's ratings of 255 (4 stars) and 117 (4 stars), seconds → ms, first genre.
        #expect(
            Array(events.prefix(2)) == [
                BehaviorEvent(
                    userId: "259", itemId: "255", behavior: .purchase, timestamp: 874_724_710_000,
                    categoryId: "Comedy"),
                BehaviorEvent(
                    userId: "259", itemId: "117", behavior: .purchase, timestamp: 874_724_988_000,
                    categoryId: "Action"),
            ])
        // Same second: file order (line 110 before line 158).
        let sameSecond = events.filter { $0.timestamp == 876_860_807_000 }.map(\.itemId)
        #expect(sameSecond == ["174", "135"])
        // "196 242 3": a rating below 4 is a view.
        #expect(events.first { $0.userId == "196" && $0.itemId == "242" }?.behavior == .view)
        // The CSV reads back as the same events.
        let csv = MovieLensConverter.csv(events)
        var input = EvaluationInput()
        for line in csv.split(separator: "\n") { input.add(line: Array(line.utf8), format: .csv) }
        #expect(input.events == events)
        #expect(input.rejected == 0)
    }

    @Test func aMovieLensFileWithoutTheExpectedColumnsSaysWhichIsMissing() {
        #expect {
            try MovieLensConverter.events(interactionFile: "user_id:token\titem_id:token\n1\t2\n", categories: [:])
        } throws: { error in
            (error as? MovieLensFormatError)?.description.contains("no column 'rating'") == true
        }
        #expect {
            try MovieLensConverter.events(
                interactionFile: "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t2\t4\n",
                categories: [:])
        } throws: { error in
            (error as? MovieLensFormatError)?.description.contains("line 2") == true
        }
    }

    @Test func theTaobaoUserBehaviorFileIsReadInTimeOrder() throws {
        var input = EvaluationInput()
        for line in try fixture("taobao/UserBehavior-sample.csv").split(separator: "\n") {
            input.add(line: Array(line.utf8), format: .taobaoCSV)
        }
        #expect(input.rejected == 1)
        #expect(input.firstRejection?.contains("behavior") == true)
        let events = input.inTimeOrder()
        #expect(events.count == 12)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(
            events.first
                == BehaviorEvent(
                    userId: "1", itemId: "2268318", behavior: .view, timestamp: 1_511_544_070_000,
                    categoryId: "2520377"))
        #expect(Set(events.map(\.behavior)) == [.view, .favorite, .cart, .purchase])
        #expect(events.filter { $0.behavior == .purchase }.map(\.userId) == ["100", "1"])
    }

    @Test func bucketsAreUTCDaysAndWeeksStartingOnMonday() {
        // 1997-09-20 was a Saturday; its week began on Monday 1997-09-15.
        let saturdayNoon: Int64 = 874_756_800_000
        #expect(TimeBucket.date(of: saturdayNoon) == "1997-09-20")
        #expect(TimeBucket.date(of: TimeBucket.day.start(of: saturdayNoon)) == "1997-09-20")
        #expect(TimeBucket.date(of: TimeBucket.week.start(of: saturdayNoon)) == "1997-09-15")
        #expect(
            TimeBucket.week.start(of: TimeBucket.week.start(of: saturdayNoon))
                == TimeBucket.week.start(of: saturdayNoon))
        #expect(TimeBucket.date(of: 951_782_400_000) == "2000-02-29")
        #expect(TimeBucket.date(of: -1) == "1969-12-31")
    }

    @Test func theChartHasALinePerStrategyAndAScaleThatHoldsTheHighestRate() {
        for (highest, top, step) in [(0.123, 0.15, 0.05), (0.6, 0.6, 0.2), (0.031, 0.04, 0.01)] {
            let scale = HitRateChart.axisScale(highest)
            #expect(abs(scale.top - top) < 1e-9 && abs(scale.step - step) < 1e-9, "\(highest): \(scale)")
        }
        var evaluator = PrequentialEvaluator(settings: PipelineSettings(), bucket: .day)
        for event in SyntheticEventGeneratorTests.sample(count: 2_000) { evaluator.process(event) }
        let svg = HitRateChart().svg(evaluator.report(), title: "a < b & c")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == RankingStrategy.allCases.count)
        #expect(svg.contains("a &lt; b &amp; c"))
        for strategy in RankingStrategy.allCases { #expect(svg.contains(">\(strategy.rawValue) 0.")) }
        let report = evaluator.report()
        #expect(svg.components(separatedBy: "<rect x=").count - 1 == report.buckets.count, "a bar of points per day")
        #expect(svg.contains("<title>\(report.buckets[0].points) points</title>"))
    }
}
