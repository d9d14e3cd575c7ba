import Recommender
import Serving
import StreamEngine
import Testing
import Topology

@Suite struct ServingViewTests {
    let topics = OutputTopics()

    func list(_ surface: Surface, user: String, at time: Int64, id: String = "x") -> OutputRecord {
        OutputRecord(
            topic: topics.recommendations, key: Array(user.utf8),
            value: Array(#"{"surface":"\#(surface.rawValue)","userId":"\#(user)","items":[]}"#.utf8), timestamp: time,
            headers: [RecordHeader(OutputHeaders.id, id), RecordHeader(OutputHeaders.surface, surface.rawValue)])
    }

    func view(maxUsers: Int = 1_000) -> ServingView {
        let view = ServingView(inputPartitions: 4, topics: topics, maxUsers: maxUsers)
        view.ready([0, 1, 2, 3])
        return view
    }

    @Test func keepsTheLatestListPerSurfaceAndTheFeatures() {
        let view = view()
        view.record([
            list(.personalized, user: "u1", at: 1, id: "a"), list(.cart, user: "u1", at: 2, id: "b"),
            list(.personalized, user: "u1", at: 3, id: "c"),
            OutputRecord(topic: topics.userFeatures, key: Array("u1".utf8), value: Array("{}".utf8), timestamp: 4),
            // An item's similar list is keyed by the item; it is not a user's result.
            list(.similar, user: "i9", at: 5),
        ])
        guard case .owned(let results?, let partition) = view.lookup(user: "u1") else {
            Issue.record("u1 should be served here")
            return
        }
        #expect(partition == view.partition(ofUser: "u1"))
        #expect(results.lists[.personalized]?.id == "c")
        #expect(results.lists[.cart]?.id == "b")
        #expect(results.features == Array("{}".utf8))
        #expect(view.lookup(user: "i9") == .owned(nil, partition: view.partition(ofUser: "i9")))
    }

    @Test func answersOnlyForReadyPartitionsAndForgetsResultsOfAnEarlierAssignment() {
        let view = view()
        let partition = view.partition(ofUser: "u1")
        view.record([list(.personalized, user: "u1", at: 1)])
        view.revoked([partition])
        #expect(view.lookup(user: "u1") == .notOwned(partition: partition))
        // A list produced for a partition that is not (or no longer) served here is not kept.
        view.record([list(.personalized, user: "u1", at: 2)])
        view.restoring([partition])
        #expect(view.lookup(user: "u1") == .restoring(partition: partition))
        view.ready([partition])
        // The partition came back: what was kept from before may be older than what another instance produced.
        #expect(view.lookup(user: "u1") == .owned(nil, partition: partition))
    }

    @Test func aComputedListNeverReplacesAProducedOne() {
        let view = view()
        let computed = { (user: String) in
            ServedList(surface: .personalized, json: Array("{}".utf8), id: "computed:\(user):1", generatedAt: 1)
        }
        view.keepComputed(computed("u1"), of: "u1")
        guard case .owned(let first?, _) = view.lookup(user: "u1") else {
            Issue.record("the computed list should be kept")
            return
        }
        #expect(first.lists[.personalized]?.id == "computed:u1:1")
        view.record([list(.personalized, user: "u2", at: 2, id: "produced")])
        view.keepComputed(computed("u2"), of: "u2")
        guard case .owned(let second?, _) = view.lookup(user: "u2") else {
            Issue.record("u2 should be served here")
            return
        }
        #expect(second.lists[.personalized]?.id == "produced")
    }

    @Test func keepsAtMostMaxUsers() {
        let view = view(maxUsers: 160)
        view.record((0..<2_000).map { list(.personalized, user: "u\($0)", at: Int64($0)) })
        #expect(view.userCount <= 160)
        #expect(view.userCount >= 100)
        guard case .owned(let latest?, _) = view.lookup(user: "u1999") else {
            Issue.record("the newest user should be kept")
            return
        }
        #expect(latest.lists[.personalized] != nil)
    }

    @Test func subscribersReceiveTheirUsersListsAndEndWhenThePartitionMoves() async {
        let view = view()
        guard let subscription = view.subscriptions.subscribe(user: "u1") else {
            Issue.record("the first subscriber is within the bound")
            return
        }
        #expect(view.subscriptions.subscriberCount == 1)
        view.record([list(.personalized, user: "u2", at: 1, id: "other"), list(.cart, user: "u1", at: 2, id: "mine")])
        subscription.heartbeat()
        view.revoked([view.partition(ofUser: "u1")])
        var received: [String] = []
        for await event in subscription.events {
            switch event {
            case .list(let list): received.append(list.id)
            case .heartbeat: received.append("heartbeat")
            }
        }
        #expect(received == ["mine", "heartbeat"])
        #expect(view.subscriptions.subscriberCount == 0)
    }

    @Test func subscriptionsBeyondTheBoundAreRefusedUntilOneEnds() {
        let subscriptions = ResultSubscriptions(maxSubscribers: 2)
        var open = [subscriptions.subscribe(user: "u1"), subscriptions.subscribe(user: "u2")]
        #expect(open.allSatisfy { $0 != nil })
        #expect(subscriptions.subscribe(user: "u3") == nil)
        #expect(subscriptions.subscriberCount == 2)
        open.removeLast()  // the stream is released: its subscription ends
        #expect(subscriptions.subscriberCount == 1)
        #expect(subscriptions.subscribe(user: "u3") != nil)
    }
}

@Suite struct InstanceDirectoryTests {
    @Test func theLatestClaimOfAPartitionWinsAndAnEmptyAnnouncementReleasesIt() {
        let directory = InstanceDirectory()
        let announce = { (instance: String, partitions: [Int32], at: Int64) in
            directory.apply(
                key: Array(instance.utf8),
                value: InstanceAnnouncement(instance: instance, partitions: partitions, at: at).encodeJSON())
        }
        announce("a:1", [0, 1], 10)
        announce("b:1", [2, 3], 11)
        #expect(directory.owner(of: 1) == "a:1")
        #expect(directory.owner(of: 3) == "b:1")
        // b took partition 1 over before a announced that it let it go.
        announce("b:1", [1, 2, 3], 12)
        #expect(directory.owner(of: 1) == "b:1")
        #expect(directory.owner(of: 1, excluding: "b:1") == "a:1")
        announce("b:1", [], 13)
        #expect(directory.owner(of: 2) == nil)
        directory.apply(key: Array("a:1".utf8), value: nil)
        #expect(directory.owner(of: 0) == nil)
        directory.apply(key: Array("c:1".utf8), value: Array("not json".utf8))
        #expect(directory.instances.map(\.instance) == ["b:1"])
    }
}
