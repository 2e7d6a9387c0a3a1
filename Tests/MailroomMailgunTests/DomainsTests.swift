import Foundation
import MailgunMock
import NIOHTTP1
import Mailroom
import Testing

@testable import MailroomMailgun

/// `MailgunDomains` against MailgunMock over loopback.
@Suite struct DomainsTests {
    @Test func listsEveryPageAndStopsAfterTheShortOne() async throws {
        try await MailgunHarness.run { harness async throws in
            let domains = MailgunDomains(client: harness.mailer.client)
            for index in 0..<5 { _ = try await domains.create("d\(index).acme.test", logger: harness.logger) }

            let newestFirst = try await domains.page(limit: 3, logger: harness.logger).items
            #expect(newestFirst.map(\.name) == ["d4.acme.test", "d3.acme.test", "d2.acme.test"], "without a sort, newest first")
            let before = await harness.mock.requests().count
            let all = try await domains.list(.init(sort: "name"), pageSize: 2, logger: harness.logger).collect()
            #expect(all.map(\.name) == ["acme.test", "d0.acme.test", "d1.acme.test", "d2.acme.test", "d3.acme.test", "d4.acme.test", "other.test"])
            let listing = await harness.mock.requests().dropFirst(before)
            #expect(listing.count == 4, "7 domains by 2: three full pages and a short one, no empty page")
            #expect(listing.allSatisfy { $0.method == "GET" && $0.path == "/v4/domains" })

            let unverified = try await domains.list(.init(state: .unverified), logger: harness.logger).collect()
            #expect(unverified.count == 5)
            #expect(unverified.allSatisfy { $0.state == .unverified })
            let searched = try await domains.page(.init(sort: "name:desc", search: "other"), logger: harness.logger)
            #expect(searched.items.map(\.name) == ["other.test"])
            #expect(searched.total == 1)
        }
    }

    @Test func getShowsRecordsWithMailgunsQuirks() async throws {
        try await MailgunHarness.run { harness async throws in
            let domain = try await MailgunDomains(client: harness.mailer.client).get("acme.test", logger: harness.logger)
            #expect(domain.state == .active)
            #expect(domain.createdAt != nil, "RFC 1123 dates parse")
            #expect(domain.sendingRecords.map(\.recordType) == ["TXT", "TXT", "CNAME"])
            #expect(domain.sendingRecords.allSatisfy { $0.isValid })
            #expect(domain.missingSendingRecords.isEmpty)
            #expect(domain.receivingRecords.map(\.name) == [nil, nil], "MX records come without a name")
            #expect(domain.receivingRecords.map(\.priority) == ["10", "10"], "priority is a string")
        }
    }

    @Test func createThenVerifyAfterTheRecordsArePublished() async throws {
        try await MailgunHarness.run { harness async throws in
            let domains = MailgunDomains(client: harness.mailer.client)
            var settings = MailgunDomainSettings()
            settings.dkimSelector = "s1"
            settings.smtpPassword = "smtp-SECRET-pass"
            let created = try await domains.create("new.acme.test", settings: settings, logger: harness.logger)
            #expect(created.state == .unverified)
            #expect(created.sendingRecords.map(\.name).contains("s1._domainkey.new.acme.test"))
            #expect(created.sendingRecords.allSatisfy { $0.validity == "unknown" })
            #expect(!harness.loggedText.contains("smtp-SECRET-pass"))

            let stillMissing = try await domains.verify("new.acme.test", logger: harness.logger)
            #expect(stillMissing.state == .unverified)
            #expect(stillMissing.missingSendingRecords.count == 3)
            #expect(stillMissing.sendingRecords.allSatisfy { $0.validity == "invalid" })

            await harness.mock.setDNS(published: true, domain: "new.acme.test", recordType: "TXT")
            let halfway = try await domains.verify("new.acme.test", logger: harness.logger)
            #expect(halfway.state == .unverified)
            #expect(halfway.missingSendingRecords.map(\.recordType) == ["CNAME"])

            await harness.mock.setDNS(published: true, domain: "new.acme.test")
            let verified = try await domains.verify("new.acme.test", logger: harness.logger)
            #expect(verified.state == .active)
            #expect(verified.missingSendingRecords.isEmpty)

            let duplicate = await #expect(throws: MailroomError.self) {
                try await domains.create("new.acme.test", logger: harness.logger)
            }
            #expect(duplicate?.code == .rejected)
            #expect(duplicate?.providerMessage == "This domain name is already taken")
        }
    }

    @Test func updateSendsOnlyTheFieldsSetAndKeepsTheOthers() async throws {
        try await MailgunHarness.run { harness async throws in
            let domains = MailgunDomains(client: harness.mailer.client)
            var initial = MailgunDomainSettings()
            initial.wildcard = true
            initial.spamAction = "tag"
            _ = try await domains.create("upd.acme.test", settings: initial, logger: harness.logger)

            var change = MailgunDomainSettings()
            change.webScheme = "https"
            change.messageTTL = 3_600
            #expect(change.fields.map(\.name) == ["web_scheme", "message_ttl"])
            #expect(change.fields.map(\.value) == ["https", "3600"])
            let updated = try await domains.update("upd.acme.test", settings: change, logger: harness.logger)
            #expect(updated.webScheme == "https")
            #expect(updated.messageTTL == 3_600)
            #expect(updated.wildcard == true, "fields not sent are left as they were")
            #expect(updated.spamAction == "tag")

            let nothing = await #expect(throws: MailroomError.self) {
                try await domains.update("upd.acme.test", settings: MailgunDomainSettings(), logger: harness.logger)
            }
            #expect(nothing?.field == "settings")
        }
    }

    @Test func badSettingsAndNamesAreRefusedBeforeAnythingIsSent() async throws {
        try await MailgunHarness.run { harness async throws in
            let domains = MailgunDomains(client: harness.mailer.client)
            func refusal(_ settings: MailgunDomainSettings, name: String = "acme.test", create: Bool = false) async -> MailroomError? {
                await #expect(throws: MailroomError.self) {
                    if create {
                        _ = try await domains.create(name, settings: settings, logger: harness.logger)
                    } else {
                        _ = try await domains.update(name, settings: settings, logger: harness.logger)
                    }
                }
            }
            var spam = MailgunDomainSettings()
            spam.spamAction = "drop"
            #expect(await refusal(spam)?.field == "spam_action")
            var createOnly = MailgunDomainSettings()
            createOnly.dkimKeySize = 2_048
            let createOnlyError = await refusal(createOnly)
            #expect(createOnlyError?.field == "dkim_key_size")
            #expect(createOnlyError?.message == "can only be set when the domain is created")
            var updateOnly = MailgunDomainSettings()
            updateOnly.mailFromHost = "bounce.new.acme.test"
            #expect(await refusal(updateOnly, name: "new.acme.test", create: true)?.field == "mailfrom_host")
            var injected = MailgunDomainSettings()
            injected.webPrefix = "email\r\nX-Evil: 1"
            #expect(await refusal(injected)?.code == .headerInjection)
            var ips = MailgunDomainSettings()
            ips.ips = ["192.0.2.1", "not-an-ip"]
            #expect(await refusal(ips, name: "ips.acme.test", create: true)?.field == "ips[1]")
            var archive = MailgunDomainSettings()
            archive.archiveTo = "ftp://archive.acme.test"
            #expect(await refusal(archive)?.field == "archive_to")
            var fine = MailgunDomainSettings()
            fine.wildcard = true
            let badName = await refusal(fine, name: "acme.test/../../v3/x")
            #expect(badName?.field == "name")
            #expect(badName?.message == "'acme.test/../../v3/x' is not a domain name")
            #expect(await harness.mock.requests().isEmpty, "nothing was sent")
        }
    }

    @Test func theSMTPPasswordNeverShows() {
        var settings = MailgunDomainSettings()
        settings.smtpPassword = "smtp-SECRET-pass"
        settings.spamAction = "block"
        #expect(settings.description == "MailgunDomainSettings(smtp_password=<redacted>, spam_action=block)")
        #expect(!String(reflecting: settings).contains("SECRET"))
    }

    @Test func deleteThenEveryCallIsNotFound() async throws {
        try await MailgunHarness.run { harness async throws in
            let domains = MailgunDomains(client: harness.mailer.client)
            _ = try await domains.create("gone.acme.test", logger: harness.logger)
            try await domains.delete("gone.acme.test", logger: harness.logger)
            #expect(await harness.mock.requests().last.map { "\($0.method) \($0.path) \($0.status)" } == "DELETE /v3/domains/gone.acme.test 200")
            for call in [
                { _ = try await domains.get("gone.acme.test", logger: harness.logger) },
                { _ = try await domains.verify("gone.acme.test", logger: harness.logger) },
                { try await domains.delete("gone.acme.test", logger: harness.logger) },
            ] as [@Sendable () async throws -> Void] {
                let error = await #expect(throws: MailroomError.self) { try await call() }
                #expect(error?.code == .notFound)
                #expect(error?.status == 404)
                #expect(error?.providerMessage == "Domain not found")
            }
        }
    }

    @Test func theSeveralErrorShapesBecomeOneMessage() {
        func message(_ body: String) -> String? { MailgunResponseError.providerMessage(Array(body.utf8)) }
        #expect(message(#"{"message":"Domain not found"}"#) == "Domain not found")
        #expect(message(#"{"Reason":"invalid webhook type 'x'"}"#) == "invalid webhook type 'x'")
        #expect(message(#"{"Description":"Webhook not found"}"#) == "Webhook not found")
        #expect(message(#"{"Field":"web_scheme","Value":"must be http or https"}"#) == "web_scheme: must be http or https")
        #expect(message("<html>502</html>") == nil)
        let forbidden = MailgunResponseError.error(status: 403, headers: [:], body: Array(#"{"message":"Incompatible key for this endpoint"}"#.utf8))
        #expect(forbidden.code == .unauthorized)
        #expect(forbidden.message == "Mailgun does not allow this key to make the request (HTTP 403): Incompatible key for this endpoint")
    }
}
