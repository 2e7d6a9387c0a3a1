import Foundation
import MailgunMock
import Mailroom
import Logging
import MailroomTesting
import Testing

@testable import MailroomMailgun

/// Alerts as code (`AlertPlan`) and triggered alerts (`hits`), against MailgunMock and the in-memory sink.
@Suite struct AlertPlanAndHitsTests {
    let bounces = SendAlert(
        name: "bounces", metric: .hardBounceRate, comparator: .greaterThan, limit: ".05", dimension: .domain,
        channels: [.email, .webhook], period: "1h", filters: [.init(dimension: .domain, comparator: .notContains, values: ["b.test", "a.test"])]
    )
    let complaints = SendAlert(name: "complaints", metric: .complainedRate, comparator: .greaterThanOrEqual, limit: "0.001", dimension: .domain, channels: [.email])

    @Test func planComparesByMeaningNotSpelling() throws {
        var respelled = bounces
        respelled.id = "some-id"
        respelled.createdAt = Date(timeIntervalSince1970: 1)
        respelled.limit = "0.050"
        respelled.channels = [.webhook, .email]
        respelled.filters = [.init(dimension: .domain, comparator: .notContains, values: ["a.test", "b.test"])]
        respelled.description = ""
        let plan = try AlertPlan(wanted: [bounces], current: [respelled], prune: false)
        #expect(plan.isEmpty)
        #expect(plan.unchanged == ["bounces"])
        #expect(plan.summary == "0 changes, 1 unchanged")

        var stricter = bounces
        stricter.limit = ".04"
        let update = try AlertPlan(wanted: [stricter], current: [bounces, complaints], prune: false)
        #expect(update.changes == [.update(stricter)])
        #expect(update.summary == "~ update bounces\n1 change, 0 unchanged")
        let pruned = try AlertPlan(wanted: [stricter], current: [bounces, complaints], prune: true)
        #expect(pruned.changes == [.update(stricter), .delete("complaints")])
    }

    @Test func planRefusesDuplicatesAndInvalidAlertsByIndex() {
        let duplicate = #expect(throws: MailroomError.self) { try AlertPlan(wanted: [bounces, complaints, bounces], current: [], prune: false) }
        #expect(duplicate?.field == "alerts[2].name")
        #expect(duplicate?.message == "'bounces' is named twice")
        var invalid = complaints
        invalid.metric = .init(rawValue: "opened_rate")
        let bad = #expect(throws: MailroomError.self) { try AlertPlan(wanted: [bounces, invalid], current: [], prune: false) }
        #expect(bad?.field == "alerts[1].metric")
    }

    @Test func applyAgainstMailgunIsIdempotent() async throws {
        try await MailgunHarness.run { harness async throws in
            let sink = MailgunAlertSink(client: harness.mailer.client)
            var old = complaints
            old.name = "old"
            _ = try await sink.create(old, logger: harness.logger)

            let dryRun = try await AlertPlan.make(wanted: [bounces, complaints], sink: sink, prune: false, logger: harness.logger)
            #expect(dryRun.summary == "+ create bounces\n+ create complaints\n2 changes, 0 unchanged")
            try await dryRun.apply(to: sink, logger: harness.logger)
            #expect(try await sink.list(logger: harness.logger).map(\.name).sorted() == ["bounces", "complaints", "old"], "without prune the old alert stays")

            let requestsBefore = await harness.mock.requests().count
            let second = try await AlertPlan.make(wanted: [bounces, complaints], sink: sink, prune: false, logger: harness.logger)
            #expect(second.isEmpty, "Mailgun's spelling of what it stored matches the file: \(second.summary)")
            try await second.apply(to: sink, logger: harness.logger)
            #expect(await harness.mock.requests().count == requestsBefore + 1, "only the list was asked")

            let prune = try await AlertPlan.make(wanted: [bounces, complaints], sink: sink, prune: true, logger: harness.logger)
            #expect(prune.changes == [.delete("old")])
            try await prune.apply(to: sink, logger: harness.logger)
            #expect(try await sink.list(logger: harness.logger).map(\.name).sorted() == ["bounces", "complaints"])
        }
    }

    @Test func hitsFromMailgunNewestFirstWithoutTheZeroExpiry() async throws {
        try await MailgunHarness.run { harness async throws in
            let sink = MailgunAlertSink(client: harness.mailer.client)
            #expect(try await sink.hits(logger: harness.logger).isEmpty)
            let early = Date(timeIntervalSince1970: 1_790_000_000)
            await harness.mock.recordAlertHit(.init(
                id: "h1", name: "bounces", metric: .hardBounceRate, comparator: .greaterThan, limit: ".05", latestValue: "0.08",
                dimension: .domain, createdAt: early, updatedAt: early
            ))
            await harness.mock.recordAlertHit(.init(
                id: "h2", name: "complaints", metric: .complainedRate, comparator: .greaterThanOrEqual, limit: "0.001", latestValue: "0.002",
                dimension: .domain, createdAt: early, updatedAt: early.addingTimeInterval(60), expiresAt: early.addingTimeInterval(3_600)
            ))
            let hits = try await sink.hits(logger: harness.logger)
            #expect(hits.map(\.id) == ["h2", "h1"])
            #expect(hits[1].latestValue == "0.08")
            #expect(hits[1].expiresAt == nil, "Mailgun's 0001-01-01 means no expiry")
            #expect(hits[0].expiresAt == early.addingTimeInterval(3_600))
            #expect(hits[0].updatedAt == early.addingTimeInterval(60))
            #expect(hits.allSatisfy { $0.isTriggered })
        }
    }

    @Test func hitsFromTheInMemorySink() async throws {
        let sink = InMemoryAlertSink()
        let hit = SendAlertHit(id: "h1", name: "bounces", metric: .hardBounceRate, comparator: .greaterThan, limit: ".05", latestValue: "0.2", dimension: .domain)
        await sink.recordHit(hit)
        let hits = try await sink.hits(logger: Logger(label: "test"))
        #expect(hits == [hit])
    }
}
