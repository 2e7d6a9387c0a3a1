import Foundation
import MailgunMock
import Mailroom
import MetricsTestKit
import Testing

@testable import MailroomMailgun

@Suite struct SuppressionStoreTests {
    func store(_ harness: MailgunHarness) -> MailgunSuppressionStore {
        MailgunSuppressionStore(client: harness.mailer.client)
    }

    @Test func batchAddOf2500GoesInThreeRequestsAndPagesToTheEnd() async throws {
        try await MailgunHarness.run { harness async throws in
            let entries = try (0..<2_500).map { Suppression.unsubscribe(try EmailAddress("u\(String(10_000 + $0).dropFirst())@example.com"), tags: ["news"]) }
            try await store(harness).add(contentsOf: entries, logger: harness.logger)
            #expect(harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total", dimensions: [("method", "POST"), ("status", "200")]) == 3)

            let listed = try await store(harness).list(.unsubscribe, pageSize: 300, logger: harness.logger).collect()
            #expect(listed.map(\.address.mailbox) == entries.map(\.address.mailbox))
            #expect(listed.allSatisfy { $0.tags == ["news"] && $0.createdAt != nil })
            #expect(harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total", dimensions: [("method", "GET"), ("status", "200")]) == 9,
                    "eight full pages and the short one that ends the list, without asking for an empty page")
        }
    }

    @Test func getAddRemoveWithAddressesThatNeedEncoding() async throws {
        try await MailgunHarness.run { harness async throws in
            let store = store(harness)
            let plus: EmailAddress = "first+tag@example.com"
            try await store.add(.bounce(plus, code: "551", error: "User unknown"), logger: harness.logger)
            let bounce = try #require(try await store.get(.bounce, address: plus, logger: harness.logger))
            #expect(bounce.address.mailbox == "first+tag@example.com")
            #expect(bounce.code == "551")
            #expect(bounce.error == "User unknown")
            #expect(try await store.get(.bounce, address: "other@example.com", logger: harness.logger) == nil)

            try await store.add(.complaint("o'brien@example.ie"), logger: harness.logger)
            #expect(try await store.get(.complaint, address: "o'brien@example.ie", logger: harness.logger) != nil)

            try await store.remove(.bounce, address: plus, tag: nil, logger: harness.logger)
            #expect(try await store.get(.bounce, address: plus, logger: harness.logger) == nil)
            let missing = await #expect(throws: MailroomError.self) { try await store.remove(.bounce, address: plus, tag: nil, logger: harness.logger) }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func tagSemanticsFollowMailgun() async throws {
        try await MailgunHarness.run { harness async throws in
            let store = store(harness)
            try await store.add(.unsubscribe("ann@example.com", tags: ["news"]), logger: harness.logger)
            try await store.add(.unsubscribe("ann@example.com", tags: ["promo"]), logger: harness.logger)
            try await store.add(.unsubscribe("all@example.com"), logger: harness.logger)
            try await store.add(.unsubscribe("multi@example.com", tags: ["a", "b"]), logger: harness.logger)
            #expect(try await store.get(.unsubscribe, address: "ann@example.com", logger: harness.logger)?.tags == ["news", "promo"])
            #expect(try await store.get(.unsubscribe, address: "multi@example.com", logger: harness.logger)?.tags == ["a", "b"])

            #expect(try await store.isSuppressed("ann@example.com", taggedWith: ["news"], logger: harness.logger))
            #expect(try await !store.isSuppressed("ann@example.com", taggedWith: ["receipts"], logger: harness.logger))
            #expect(try await store.isSuppressed("all@example.com", taggedWith: ["anything"], logger: harness.logger), "* means every tag")
            #expect(try await !store.isSuppressed("nobody@example.com", logger: harness.logger))

            try await store.remove(.unsubscribe, address: "ann@example.com", tag: "news", logger: harness.logger)
            #expect(try await store.get(.unsubscribe, address: "ann@example.com", logger: harness.logger)?.tags == ["promo"])
            let wrongKind = await #expect(throws: MailroomError.self) { try await store.remove(.bounce, address: "ann@example.com", tag: "x", logger: harness.logger) }
            #expect(wrongKind?.field == "tag")

            try await store.add(.bounce("b@example.com"), logger: harness.logger)
            #expect(try await store.isSuppressed("b@example.com", taggedWith: ["news"], logger: harness.logger), "bounces apply to every tag")
            try await store.removeAll(.unsubscribe, logger: harness.logger)
            #expect(try await store.list(.unsubscribe).collect().isEmpty)
            #expect(try await store.list(.bounce).collect().count == 1)
        }
    }

    @Test func suppressingMailerWorksOverMailgun() async throws {
        try await MailgunHarness.run { harness async throws in
            let store = store(harness)
            try await store.add(.unsubscribe("bob@example.com", tags: ["news"]), logger: harness.logger)
            var email = Email.sample(to: ["bob@example.com", "zoe@example.com"])
            email.options.tags = ["news"]
            let receipt = try await SuppressingMailer(wrapping: harness.mailer, store: store).send(email, logger: harness.logger)
            #expect(receipt.suppressed == ["bob@example.com"])
            #expect(await harness.mock.messages().first?.recipients == ["zoe@example.com"])
        }
    }

    @Test func invalidEntriesSendNothing() async throws {
        try await MailgunHarness.run { harness async throws in
            let mixed = [Suppression.bounce("a@example.com"), .complaint("b@example.com")]
            let error = await #expect(throws: MailroomError.self) { try await store(harness).add(contentsOf: mixed, logger: harness.logger) }
            #expect(error?.field == "suppressions[1]")
            let bad = await #expect(throws: MailroomError.self) {
                try await store(harness).add(.unsubscribe("a@example.com", tags: ["bad\ntag"]), logger: harness.logger)
            }
            #expect(bad?.code == .headerInjection)
            #expect(harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total") == 0)
        }
    }

    @Test func pagingLinksToForeignHostsAreRefused() async throws {
        try await MailgunHarness.run { harness async throws in
            let page = #"{"items":[{"address":"a@example.com","code":"550","error":"","created_at":"Thu, 11 Dec 2025 01:49:40 UTC"}],"paging":{"next":"https://evil.example/v3/acme.test/bounces?page=next"}}"#
            await harness.mock.inject(MockFault(kind: .status, method: "GET", status: 200, body: page))
            var entries = store(harness).list(.bounce, pageSize: 1, logger: harness.logger).makeAsyncIterator()
            let first = try await entries.next()
            #expect(first?.address == "a@example.com")
            #expect(first?.createdAt == Date(timeIntervalSince1970: 1_765_417_780))
            let refused = await #expect(throws: MailroomError.self) { try await entries.next() }
            #expect(refused?.field == "url")
            #expect(refused?.message.contains("evil.example") == true)
        }
    }

    @Test(arguments: ["not a url", "/v3/acme.test/bounces?page=next", "https:///v3/acme.test/bounces", "https://api.mailgun.net/v3/a b"])
    func anUnusablePagingURLIsAnErrorNamingIt(next: String) async throws {
        try await MailgunHarness.run { harness async throws in
            let page = #"{"items":[{"address":"a@example.com","code":"550","error":""}],"paging":{"next":"\#(next)"}}"#
            await harness.mock.inject(MockFault(kind: .status, method: "GET", status: 200, body: page))
            var entries = store(harness).list(.bounce, pageSize: 1, logger: harness.logger).makeAsyncIterator()
            #expect(try await entries.next()?.address == "a@example.com")
            let refused = await #expect(throws: MailroomError.self) { try await entries.next() }
            #expect(refused?.code == .invalidValue)
            #expect(refused?.field == "paging.next")
            #expect(refused?.message == "Mailgun's next-page URL '\(next)' is not an absolute http(s) URL")
            #expect(harness.metrics.counterTotal(label: "mailroom_mailgun_requests_total", dimensions: [("method", "GET"), ("status", "200")]) == 1)
        }
    }
}
