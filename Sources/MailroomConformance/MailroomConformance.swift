import Foundation
import Mailroom

/// The behaviour every implementation of `Mailer`, `SuppressionStore` and
/// `AlertSink` must show, as checks to run on a fresh implementation each.
///
/// The same checks run against the in-memory doubles and against Mailgun over MailgunMock, so the
/// double cannot drift from production: a difference is a bug in one of them.
///
/// ```swift
/// @Test(arguments: MailroomConformance.checks)
/// func inMemory(check: ConformanceCheck) async throws {
///     try await check.run(on: makeInMemoryImplementation())
/// }
/// ```
public enum MailroomConformance {
    /// Every check: sending, MIME sends, batches, suppressions, alerts, and their errors.
    public static let checks: [ConformanceCheck] = mailerChecks + suppressionChecks + alertChecks

    /// The suppression checks alone, for a store tested on its own (any mailer and alert sink).
    public static let suppressionStoreChecks: [ConformanceCheck] = suppressionChecks

    /// What a local store a mirror syncs into must also do (`SuppressionReplica`): resumable
    /// syncs that replace what they page through and remove what the provider no longer lists.
    /// The implementation's suppression store must be a `SuppressionReplica`.
    public static let replicaChecks: [ConformanceCheck] = replicaOnlyChecks

    static func message(_ domain: String, to recipients: [EmailAddress], subject: String = "Hello") -> Email {
        Email(from: EmailAddress(stringLiteral: "Acme <hello@\(domain)>"), to: recipients, subject: subject, text: "Hi there")
    }

    // MARK: Mailer

    static let mailerChecks: [ConformanceCheck] = [
        ConformanceCheck(name: "send accepts a valid message and reports every envelope recipient") { implementation, context in
            var email = message(implementation.domain, to: ["bob@example.com"])
            email.cc = ["cat@example.com"]
            email.bcc = ["dan@example.com"]
            email.options.tags = ["welcome"]
            let receipt = try await implementation.mailer.send(email)
            try context.expect(receipt.id?.isEmpty == false, "a receipt has the provider's id")
            try context.expectEqual(receipt.accepted.map(\.mailbox), ["bob@example.com", "cat@example.com", "dan@example.com"], "accepted")
            try context.expectEqual(receipt.suppressed, [], "suppressed")
            try context.expectEqual(await implementation.delivered(), [["bob@example.com", "cat@example.com", "dan@example.com"]], "delivered")
        },
        ConformanceCheck(name: "send rejects header injection before anything is sent") { implementation, context in
            let email = message(implementation.domain, to: ["bob@example.com"], subject: "Hi\r\nBcc: victim@example.com")
            try await context.expectError(.headerInjection, field: "subject", "injected subject") { _ = try await implementation.mailer.send(email) }
            try context.expectEqual(await implementation.delivered(), [], "delivered")
        },
        ConformanceCheck(name: "send rejects messages without recipients, sender, subject or body") { implementation, context in
            try await context.expectError(.missingField, field: "to", "no recipients") {
                _ = try await implementation.mailer.send(message(implementation.domain, to: []))
            }
            var noSender = message(implementation.domain, to: ["bob@example.com"])
            noSender.from = ""
            try await context.expectError(.missingField, field: "from", "no sender") { _ = try await implementation.mailer.send(noSender) }
            var noBody = message(implementation.domain, to: ["bob@example.com"])
            noBody.text = nil
            try await context.expectError(.missingField, field: "text", "no body") { _ = try await implementation.mailer.send(noBody) }
            try await context.expectError(.invalidAddress, field: "to[1]", "bad address") {
                _ = try await implementation.mailer.send(message(implementation.domain, to: ["bob@example.com", "nope"]))
            }
            let many = (0...1_000).map { EmailAddress(stringLiteral: "r\($0)@example.com") }
            try await context.expectError(.tooManyRecipients, field: "to", "1,001 recipients") {
                _ = try await implementation.mailer.send(message(implementation.domain, to: many))
            }
            try context.expectEqual(await implementation.delivered(), [], "delivered")
        },
        ConformanceCheck(name: "sendMIME delivers to the envelope, not the headers") { implementation, context in
            let email = message(implementation.domain, to: ["bob@example.com"])
            let receipt = try await implementation.mailer.sendMIME(try email.renderMIME(), envelope: Envelope(recipients: ["bob@example.com", "hidden@example.com"]))
            try context.expect(receipt.id?.isEmpty == false, "a receipt has the provider's id")
            try context.expectEqual(receipt.accepted.map(\.mailbox), ["bob@example.com", "hidden@example.com"], "accepted")
            try context.expectEqual(await implementation.delivered(), [["bob@example.com", "hidden@example.com"]], "delivered")
            try await context.expectError(.missingField, field: "recipients", "empty envelope") {
                _ = try await implementation.mailer.sendMIME(try email.renderMIME(), envelope: Envelope(recipients: []))
            }
        },
        ConformanceCheck(name: "sendBatch splits 2,500 recipients into requests of 1,000") { implementation, context in
            let recipients = (0..<2_500).map { BatchEmail.Recipient(EmailAddress(stringLiteral: "r\($0)@example.com"), variables: ["n": "\($0)"]) }
            let receipts = try await implementation.mailer.sendBatch(BatchEmail(email: message(implementation.domain, to: []), recipients: recipients))
            try context.expectEqual(receipts.map(\.accepted.count), [1_000, 1_000, 500], "receipts")
            try context.expectEqual(await implementation.delivered().map(\.count), [1_000, 1_000, 500], "delivered")
            var withCC = message(implementation.domain, to: [])
            withCC.cc = ["cc@example.com"]
            try await context.expectError(.invalidValue, field: "cc", "a batch message with its own cc") {
                _ = try await implementation.mailer.sendBatch(BatchEmail(email: withCC, recipients: [.init("a@example.com")]))
            }
        },
        ConformanceCheck(name: "SuppressingMailer drops suppressed recipients and sends nothing when all are") { implementation, context in
            let store = AnySuppressionStore(implementation.suppressions)
            try await store.add(.unsubscribe("bob@example.com", tags: ["news"]), logger: context.logger)
            try await store.add(.bounce("cat@example.com", code: "550", error: "gone"), logger: context.logger)
            let mailer = SuppressingMailer(wrapping: implementation.mailer, store: store)
            var email = message(implementation.domain, to: ["bob@example.com", "cat@example.com", "zoe@example.com"])
            email.options.tags = ["news"]
            let receipt = try await mailer.send(email)
            try context.expectEqual(receipt.suppressed.map(\.mailbox), ["bob@example.com", "cat@example.com"], "suppressed")
            try context.expectEqual(receipt.accepted.map(\.mailbox), ["zoe@example.com"], "accepted")
            var untagged = message(implementation.domain, to: ["bob@example.com"])
            untagged.options.tags = ["receipts"]
            try context.expectEqual(try await mailer.send(untagged).accepted.map(\.mailbox), ["bob@example.com"], "an unsubscribe from news does not stop receipts")
            let nothing = try await mailer.send(message(implementation.domain, to: ["cat@example.com"]))
            try context.expect(nothing.id == nil && !nothing.wasSent, "nothing is sent when every recipient is suppressed")
            try context.expectEqual(await implementation.delivered(), [["zoe@example.com"], ["bob@example.com"]], "delivered")
        },
    ]

    // MARK: SuppressionStore

    static let suppressionChecks: [ConformanceCheck] = [
        ConformanceCheck(name: "suppressions round-trip each kind, and a missing address is nil") { implementation, context in
            let store = implementation.suppressions
            try await store.add(.unsubscribe("a+b@example.com", tags: ["news"]), logger: context.logger)
            try await store.add(.bounce("bounced@example.com", code: "551", error: "User unknown"), logger: context.logger)
            try await store.add(.complaint("angry@example.com"), logger: context.logger)
            let unsubscribe = try await store.get(.unsubscribe, address: "a+b@example.com", logger: context.logger)
            try context.expectEqual(unsubscribe?.tags, ["news"], "unsubscribe tags")
            let bounce = try await store.get(.bounce, address: "bounced@example.com", logger: context.logger)
            try context.expectEqual(bounce?.code, "551", "bounce code")
            try context.expectEqual(bounce?.error, "User unknown", "bounce error")
            try context.expect(try await store.get(.complaint, address: "angry@example.com", logger: context.logger)?.createdAt != nil, "complaints are dated")
            try context.expect(try await store.get(.bounce, address: "nobody@example.com", logger: context.logger) == nil, "missing is nil")
        },
        ConformanceCheck(name: "unsubscribe tags gather, come off one by one, and follow Mailgun's rules") { implementation, context in
            let store = implementation.suppressions
            try await store.add(.unsubscribe("ann@example.com", tags: ["news"]), logger: context.logger)
            try await store.add(.unsubscribe("ann@example.com", tags: ["promo"]), logger: context.logger)
            try await store.add(.unsubscribe("all@example.com"), logger: context.logger)
            try context.expectEqual(try await store.get(.unsubscribe, address: "ann@example.com", logger: context.logger)?.tags, ["news", "promo"], "tags")
            try context.expect(try await store.isSuppressed("ann@example.com", taggedWith: ["news"], logger: context.logger), "news is suppressed")
            try context.expect(try await !store.isSuppressed("ann@example.com", taggedWith: ["receipts"], logger: context.logger), "receipts are not")
            try context.expect(try await store.isSuppressed("all@example.com", taggedWith: ["any"], logger: context.logger), "* covers every tag")
            try await store.remove(.unsubscribe, address: "ann@example.com", tag: "news", logger: context.logger)
            try context.expectEqual(try await store.get(.unsubscribe, address: "ann@example.com", logger: context.logger)?.tags, ["promo"], "tags after removing news")
            try await context.expectError(.notFound, "removing a tag that is not there") {
                try await store.remove(.unsubscribe, address: "ann@example.com", tag: "other", logger: context.logger)
            }
            try await context.expectError(.invalidValue, field: "tag", "a tag on a bounce") {
                try await store.remove(.bounce, address: "ann@example.com", tag: "x", logger: context.logger)
            }
            try await context.expectError(.notFound, "removing an address that is not there") {
                try await store.remove(.bounce, address: "nobody@example.com", tag: nil, logger: context.logger)
            }
        },
        ConformanceCheck(name: "batches of 2,500 are listed to the end in address order; mixed batches are refused") { implementation, context in
            let store = implementation.suppressions
            let entries = (0..<2_500).map { Suppression.bounce(EmailAddress(stringLiteral: "b\(String(10_000 + $0).dropFirst())@example.com")) }
            try await store.add(contentsOf: entries.reversed(), logger: context.logger)
            let listed = try await store.list(.bounce, pageSize: 300, logger: context.logger).collect()
            try context.expectEqual(listed.map(\.address.mailbox), entries.map(\.address.mailbox), "listed")
            try await context.expectError(.invalidValue, field: "suppressions[1]", "a mixed batch") {
                try await store.add(contentsOf: [.bounce("x@example.com"), .complaint("y@example.com")], logger: context.logger)
            }
            try await context.expectError(.headerInjection, "an injected tag") {
                try await store.add(.unsubscribe("x@example.com", tags: ["a\nb"]), logger: context.logger)
            }
            try await store.removeAll(.bounce, logger: context.logger)
            try context.expectEqual(try await store.list(.bounce).collect().count, 0, "after removeAll")
        },
        ConformanceCheck(name: "the batch look-up answers every address in order, by Mailgun's rules") { implementation, context in
            let store = implementation.suppressions
            try await store.add(.unsubscribe("News@Example.com", tags: ["news"]), logger: context.logger)
            try await store.add(.bounce("gone@example.com", code: "550", error: "no such user"), logger: context.logger)
            try await store.add(.unsubscribe("gone@example.com", tags: ["news"]), logger: context.logger)
            try await store.add(.complaint("angry@example.com"), logger: context.logger)
            let addresses: [EmailAddress] = ["ok@example.com", "news@example.com", "Zoë <gone@example.com>", "angry@example.com", "news@example.com"]
            let news = try await store.suppressions(for: addresses, taggedWith: ["news"], logger: context.logger)
            try context.expectEqual(news.map { $0?.kind.description ?? "-" }, ["-", "unsubscribes", "bounces", "complaints", "unsubscribes"], "verdicts for news")
            let receipts = try await store.suppressions(for: addresses, taggedWith: ["receipts"], logger: context.logger)
            try context.expectEqual(receipts.map { $0?.kind.description ?? "-" }, ["-", "-", "bounces", "complaints", "-"], "verdicts for receipts")
            try context.expectEqual(try await store.suppressions(for: [], taggedWith: [], logger: context.logger).count, 0, "no addresses")
            try await context.expectError(.invalidAddress, field: "addresses[1]", "an invalid address") {
                _ = try await store.suppressions(for: ["ok@example.com", "nope"], taggedWith: [], logger: context.logger)
            }
        },
    ]

    // MARK: SuppressionReplica

    static func replica(_ implementation: MailroomImplementation, _ context: ConformanceCheck.Context) throws -> any SuppressionReplica {
        guard let replica = implementation.suppressions as? any SuppressionReplica else {
            throw ConformanceFailure(check: context.check, implementation: implementation.name, message: "the suppression store is not a SuppressionReplica")
        }
        return replica
    }

    static let replicaOnlyChecks: [ConformanceCheck] = [
        ConformanceCheck(name: "a sync replaces what it pages through and removes what the provider dropped") { implementation, context in
            let store = try replica(implementation, context)
            let before = Date(timeIntervalSince1970: 1_700_000_000)
            try await store.add(.unsubscribe("kept@example.com", tags: ["local"]), logger: context.logger)
            try await store.add(.unsubscribe("dropped@example.com"), logger: context.logger)
            let started = Date()
            var checkpoint = try await store.beginSync(.unsubscribe, startedAt: started, logger: context.logger)
            try context.expect(checkpoint.cursor == nil && checkpoint.entriesApplied == 0, "a new sync starts at the first page")
            checkpoint = try await store.applySyncPage([.unsubscribe("kept@example.com", tags: ["news"], createdAt: before)], of: .unsubscribe, next: "page-2", logger: context.logger)
            try context.expectEqual(checkpoint.cursor, "page-2", "cursor after the first page")
            // A webhook that arrives during the sync survives it even though the provider's pages lack it.
            try await store.add(.unsubscribe("arrived@example.com"), logger: context.logger)
            let resumed = try await store.beginSync(.unsubscribe, startedAt: Date(), logger: context.logger)
            try context.expectEqual(resumed.cursor, "page-2", "beginSync returns the unfinished sync's cursor")
            try context.expectEqual(resumed.entriesApplied, 1, "beginSync returns the unfinished sync's count")
            try context.expect(abs(resumed.startedAt.timeIntervalSince(started)) < 0.001, "beginSync returns the unfinished sync's start")
            checkpoint = try await store.applySyncPage([.unsubscribe("new@example.com", tags: ["promo"])], of: .unsubscribe, next: nil, logger: context.logger)
            try context.expectEqual(checkpoint.entriesApplied, 2, "entries applied")
            let removed = try await store.finishSync(.unsubscribe, logger: context.logger)
            try context.expectEqual(removed, 1, "entries removed")
            let listed = try await store.list(.unsubscribe).collect()
            try context.expectEqual(listed.map(\.address.mailbox), ["arrived@example.com", "kept@example.com", "new@example.com"], "after the sync")
            try context.expectEqual(listed.first { $0.address.mailbox == "kept@example.com" }?.tags, ["news"], "the provider's tags replace the local ones")
            try context.expectEqual(listed.first { $0.address.mailbox == "kept@example.com" }?.createdAt, before, "the provider's date is kept")
            let fresh = try await store.beginSync(.unsubscribe, startedAt: Date(), logger: context.logger)
            try context.expect(fresh.cursor == nil && fresh.entriesApplied == 0, "after finishSync the next sync starts anew")
            _ = try await store.finishSync(.unsubscribe, logger: context.logger)
        },
        ConformanceCheck(name: "sync calls refuse a page without a sync, of another kind, or with invalid entries") { implementation, context in
            let store = try replica(implementation, context)
            try await context.expectError(.invalidValue, field: "kind", "a page without beginSync") {
                _ = try await store.applySyncPage([.bounce("a@example.com")], of: .bounce, next: nil, logger: context.logger)
            }
            try await context.expectError(.invalidValue, field: "kind", "finish without beginSync") {
                _ = try await store.finishSync(.bounce, logger: context.logger)
            }
            _ = try await store.beginSync(.bounce, startedAt: Date(), logger: context.logger)
            try await context.expectError(.invalidValue, field: "page[1]", "a complaint in a page of bounces") {
                _ = try await store.applySyncPage([.bounce("a@example.com"), .complaint("b@example.com")], of: .bounce, next: nil, logger: context.logger)
            }
            try await context.expectError(.invalidAddress, "an invalid address") {
                _ = try await store.applySyncPage([.bounce("not-an-address")], of: .bounce, next: nil, logger: context.logger)
            }
            try context.expectEqual(try await store.list(.bounce).collect().count, 0, "nothing was stored by the refused pages")
        },
    ]

    // MARK: AlertSink

    static let sample = SendAlert(
        name: "hard bounce rate", metric: .hardBounceRate, comparator: .greaterThan, limit: ".05", dimension: .domain,
        channels: [.email], period: "1h", filters: [.init(dimension: .domain, comparator: .notContains, values: ["staging"])]
    )

    static let alertChecks: [ConformanceCheck] = [
        ConformanceCheck(name: "alerts round-trip create, list, get, full-replace update and delete") { implementation, context in
            let sink = implementation.alerts
            let created = try await sink.create(sample, logger: context.logger)
            try context.expect(created.id?.isEmpty == false && created.createdAt != nil, "created alerts have an id and a date")
            try context.expectEqual(created.filters, sample.filters, "filters")
            try context.expectEqual(try await sink.list(logger: context.logger).map(\.name), ["hard bounce rate"], "list")
            try context.expectEqual(try await sink.get(named: "hard bounce rate", logger: context.logger).id, created.id, "get")
            let replacement = SendAlert(name: "hard bounce rate", metric: .complainedRate, comparator: .greaterThanOrEqual, limit: ".01", dimension: .subaccount)
            try await sink.update(named: "hard bounce rate", to: replacement, logger: context.logger)
            let updated = try await sink.get(named: "hard bounce rate", logger: context.logger)
            try context.expectEqual(updated.metric, .complainedRate, "metric after update")
            try context.expect(updated.channels.isEmpty && updated.filters.isEmpty && updated.period == nil, "an update replaces the whole alert")
            try context.expectEqual(updated.id, created.id, "the id survives an update")
            try await sink.delete(named: "hard bounce rate", logger: context.logger)
            try context.expectEqual(try await sink.list(logger: context.logger).count, 0, "after delete")
        },
        ConformanceCheck(name: "alerts refuse duplicates, unknown names and invalid fields") { implementation, context in
            let sink = implementation.alerts
            _ = try await sink.create(sample, logger: context.logger)
            try await context.expectError(.alreadyExists, "a duplicate name") { _ = try await sink.create(sample, logger: context.logger) }
            try await context.expectError(.notFound, "get unknown") { _ = try await sink.get(named: "missing", logger: context.logger) }
            try await context.expectError(.notFound, "update unknown") { try await sink.update(named: "missing", to: sample, logger: context.logger) }
            try await context.expectError(.notFound, "delete unknown") { try await sink.delete(named: "missing", logger: context.logger) }
            var invalid = sample
            invalid.name = "other"
            invalid.limit = "five"
            try await context.expectError(.invalidValue, field: "limit", "an invalid limit") { _ = try await sink.create(invalid, logger: context.logger) }
            try context.expectEqual(try await sink.list(logger: context.logger).count, 1, "nothing was stored by the failures")
        },
        ConformanceCheck(name: "an alert plan applied once makes the sink match; planned again it is empty") { implementation, context in
            let sink = implementation.alerts
            var stale = sample
            stale.name = "stale"
            _ = try await sink.create(stale, logger: context.logger)
            var changed = sample
            changed.name = "changed"
            _ = try await sink.create(changed, logger: context.logger)
            changed.limit = ".1"
            var added = sample
            added.name = "added"
            let plan = try await AlertPlan.make(wanted: [changed, added], sink: sink, prune: true, logger: context.logger)
            try context.expectEqual(plan.changes, [.create(added), .update(changed), .delete("stale")], "the plan")
            try await plan.apply(to: sink, logger: context.logger)
            try context.expectEqual(try await sink.list(logger: context.logger).map(\.name).sorted(), ["added", "changed"], "the alerts after apply")
            try context.expectEqual(try await sink.get(named: "changed", logger: context.logger).limit, ".1", "the updated limit")
            let again = try await AlertPlan.make(wanted: [changed, added], sink: sink, prune: true, logger: context.logger)
            try context.expect(again.isEmpty, "a second plan changes nothing")
            try context.expectEqual(again.unchanged, ["added", "changed"], "unchanged")
        },
    ]
}
