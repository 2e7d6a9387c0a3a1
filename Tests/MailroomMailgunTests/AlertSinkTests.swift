import Foundation
import MailgunMock
import Mailroom
import MetricsTestKit
import Testing

@testable import MailroomMailgun

@Suite struct AlertSinkTests {
    let hardBounce = SendAlert(
        name: "hard bounce rate", metric: .hardBounceRate, comparator: .greaterThan, limit: ".05", dimension: .domain,
        channels: [.email, .webhook], period: "1h",
        filters: [.init(dimension: .domain, comparator: .notContains, values: ["test.acme.test"])], description: "bounces"
    )

    @Test func crudRoundTrip() async throws {
        try await MailgunHarness.run { harness async throws in
            let sink = MailgunAlertSink(client: harness.mailer.client)
            let created = try await sink.create(hardBounce, logger: harness.logger)
            #expect(created.name == "hard bounce rate")
            #expect(created.filters == hardBounce.filters)
            #expect(created.channels == [.email, .webhook])
            #expect(created.id?.isEmpty == false)
            let createdAt = try #require(created.createdAt)
            #expect(abs(createdAt.timeIntervalSinceNow) < 60, "RFC 3339 with six fractional digits parses")

            #expect(try await sink.list(logger: harness.logger).map(\.name) == ["hard bounce rate"])
            let fetched = try await sink.get(named: "hard bounce rate", logger: harness.logger)
            #expect(fetched.id == created.id)
            #expect(fetched.description == "bounces")

            var replacement = SendAlert(name: "hard bounce rate", metric: .complainedRate, comparator: .greaterThanOrEqual, limit: "0.01", dimension: .subaccount)
            replacement.period = "1d"
            try await sink.update(named: "hard bounce rate", to: replacement, logger: harness.logger)
            let updated = try await sink.get(named: "hard bounce rate", logger: harness.logger)
            #expect(updated.metric == .complainedRate)
            #expect(updated.channels.isEmpty && updated.filters.isEmpty && updated.description == nil, "PUT replaces whole")
            #expect(updated.id == created.id)

            try await sink.delete(named: "hard bounce rate", logger: harness.logger)
            for operation in ["get", "update", "delete"] {
                let error = await #expect(throws: MailroomError.self) {
                    switch operation {
                    case "get": _ = try await sink.get(named: "hard bounce rate", logger: harness.logger)
                    case "update": try await sink.update(named: "hard bounce rate", to: replacement, logger: harness.logger)
                    default: try await sink.delete(named: "hard bounce rate", logger: harness.logger)
                    }
                }
                #expect(error?.code == .notFound, "\(operation)")
                #expect(error?.status == 404)
            }
        }
    }

    @Test func duplicatesAndInvalidAlertsAreRejected() async throws {
        try await MailgunHarness.run { harness async throws in
            let sink = MailgunAlertSink(client: harness.mailer.client)
            _ = try await sink.create(hardBounce, logger: harness.logger)
            let duplicate = await #expect(throws: MailroomError.self) { try await sink.create(hardBounce, logger: harness.logger) }
            #expect(duplicate?.code == .alreadyExists)

            var invalid = hardBounce
            invalid.name = "other"
            invalid.limit = "five"
            let requests = harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total")
            let rejected = await #expect(throws: MailroomError.self) { try await sink.create(invalid, logger: harness.logger) }
            #expect(rejected?.field == "limit")
            #expect(harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total") == requests, "rejected before any request")
        }
    }

    @Test func timestampsWithZeroToNineFractionalDigits() throws {
        let whole = try #require(RFC3339.date("2025-11-07T20:54:42Z"))
        #expect(RFC3339.date("2025-11-07T20:54:42.18627Z")?.timeIntervalSince(whole) ?? 0 > 0.186)
        #expect(RFC3339.date("2025-11-07T20:54:42.186271Z")?.timeIntervalSince(whole) ?? 0 < 0.1863)
        #expect(RFC3339.date("2025-11-07T20:54:42.1Z")?.timeIntervalSince(whole) ?? 0 > 0.09)
        #expect(RFC3339.date("2025-11-07T22:54:42.5+02:00")?.timeIntervalSince(whole) == 0.5)
        #expect(RFC3339.date("yesterday") == nil)
        #expect(RFC3339.date("2025-11-07T20:54:42.Z") == nil)
    }
}
