import Foundation
import MailgunMock
import Mailroom
import MailroomTestSupport
import Testing

/// `mailroom unsubscribes|bounces|complaints`, `alerts` and `webhook verify`, run as a user would.
@Suite struct SuppressionAndAlertCommandTests {
    static let key = "key-cli-SECRET"

    func withMock(_ body: ([String: String]) async throws -> Void) async throws {
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock async throws in
            try await body(["MAILGUN_API_KEY": Self.key, "MAILGUN_BASE_URL": mock.baseURL, "MAILGUN_DOMAIN": "acme.test"])
        }
    }

    func json(_ result: MailroomExecutable.Result) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(result.stdout))
    }

    @Test func unsubscribesAddGetRemoveListClear() async throws {
        try await withMock { environment in
            let added = try await MailroomExecutable.run(["unsubscribes", "add", "a+b@example.com", "--tag", "news", "--tag", "promo"], environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            #expect(String(decoding: added.stdout, as: UTF8.self) == "added a+b@example.com to unsubscribes\n")
            let fetched = try await MailroomExecutable.run(["unsubscribes", "get", "a+b@example.com", "--json"], environment: environment)
            #expect((try json(fetched) as? [String: Any])?["tags"] as? [String] == ["news", "promo"])

            _ = try await MailroomExecutable.run(["unsubscribes", "remove", "a+b@example.com", "--tag", "news"], environment: environment)
            let after = try await MailroomExecutable.run(["unsubscribes", "get", "a+b@example.com", "--json"], environment: environment)
            #expect((try json(after) as? [String: Any])?["tags"] as? [String] == ["promo"])

            _ = try await MailroomExecutable.run(["bounces", "add", "gone@example.com", "--code", "551", "--error", "User unknown"], environment: environment)
            let bounces = try await MailroomExecutable.run(["bounces", "list"], environment: environment)
            #expect(String(decoding: bounces.stdout, as: UTF8.self).hasPrefix("gone@example.com\tcode=551\terror=User unknown\t"))

            _ = try await MailroomExecutable.run(["unsubscribes", "clear"], environment: environment)
            let missing = try await MailroomExecutable.run(["unsubscribes", "get", "a+b@example.com"], environment: environment)
            #expect(missing.status != 0)
            #expect(missing.stderr == "mailroom: error: address: a+b@example.com is not in unsubscribes\n")

            let wrongFlag = try await MailroomExecutable.run(["bounces", "add", "x@example.com", "--tag", "news"], environment: environment)
            #expect(wrongFlag.stderr == "mailroom: error: tag: only unsubscribes have tags\n")
        }
    }

    @Test func importsJSONAndCSVThenListsEverything() async throws {
        try await withMock { environment in
            let directory = try TemporaryDirectory()
            let items = (0..<2_500).map { #"{"address":"u\#(String(10_000 + $0).dropFirst())@example.com","tags":["news"]}"# }
            let jsonFile = try directory.write(Array("[\(items.joined(separator: ","))]".utf8), named: "unsubscribes.json")
            let imported = try await MailroomExecutable.run(["unsubscribes", "import", jsonFile], environment: environment)
            #expect(String(decoding: imported.stdout, as: UTF8.self) == "imported 2500 addresses into unsubscribes\n", "\(imported.stderr)")
            let all = try await MailroomExecutable.run(["unsubscribes", "list", "--all", "--limit", "1000", "--json"], environment: environment)
            #expect((try json(all) as? [[String: Any]])?.count == 2_500)
            let page = try await MailroomExecutable.run(["unsubscribes", "list", "--limit", "10", "--json"], environment: environment)
            #expect((try json(page) as? [[String: Any]])?.count == 10)

            let csv = "address,code,error,created_at\r\nb1@example.com,550,\"Mailbox full, try later\",2026-11-01T10:00:00Z\r\n\"b2@example.com\",554,,\r\n"
            let csvFile = try directory.write(Array(csv.utf8), named: "bounces.csv")
            let csvImport = try await MailroomExecutable.run(["bounces", "import", csvFile], environment: environment)
            #expect(csvImport.status == 0, "\(csvImport.stderr)")
            let bounce = try await MailroomExecutable.run(["bounces", "get", "b1@example.com", "--json"], environment: environment)
            let record = try #require(try json(bounce) as? [String: Any])
            #expect(record["error"] as? String == "Mailbox full, try later")
            #expect(record["created_at"] as? String == "2026-11-01T10:00:00Z")

            let broken = try directory.write(Array("address\nnot-an-address\n".utf8), named: "broken.csv")
            let rejected = try await MailroomExecutable.run(["complaints", "import", broken], environment: environment)
            #expect(rejected.stderr.hasPrefix("mailroom: error: file[0].address: missing '@'"))
        }
    }

    @Test func alertsCreateListGetUpdateDelete() async throws {
        try await withMock { environment in
            let created = try await MailroomExecutable.run([
                "alerts", "create", "--name", "hard bounce rate", "--metric", "hard_bounce_rate", "--comparator", ">", "--limit", ".05",
                "--dimension", "domain", "--channel", "email", "--channel", "slack", "--period", "1h",
                "--filter", "domain not contains test.acme.test,staging.acme.test",
            ], environment: environment)
            #expect(created.status == 0, "\(created.stderr)")
            let alert = try #require(try json(created) as? [String: Any])
            #expect(alert["alert_channels"] as? [String] == ["email", "slack"])
            let filters = try #require(alert["filters"] as? [[String: Any]])
            #expect(filters.first?["comparator"] as? String == "not contains")
            #expect(filters.first?["values"] as? [String] == ["test.acme.test", "staging.acme.test"])

            let list = try await MailroomExecutable.run(["alerts", "list"], environment: environment)
            #expect(String(decoding: list.stdout, as: UTF8.self) == "hard bounce rate\thard_bounce_rate > .05 by domain\temail,slack\n")

            let updated = try await MailroomExecutable.run([
                "alerts", "update", "hard bounce rate", "--metric", "complained_rate", "--comparator", ">=", "--limit", ".01", "--dimension", "subaccount",
            ], environment: environment)
            #expect(updated.status == 0, "\(updated.stderr)")
            let fetched = try await MailroomExecutable.run(["alerts", "get", "hard bounce rate"], environment: environment)
            let after = try #require(try json(fetched) as? [String: Any])
            #expect(after["metric"] as? String == "complained_rate")
            #expect(after["alert_channels"] as? [String] == [])

            #expect(try await MailroomExecutable.run(["alerts", "delete", "hard bounce rate"], environment: environment).status == 0)
            let gone = try await MailroomExecutable.run(["alerts", "get", "hard bounce rate"], environment: environment)
            #expect(gone.stderr.hasPrefix("mailroom: error: Mailgun found no such resource (HTTP 404)"))

            let invalid = try await MailroomExecutable.run([
                "alerts", "create", "--name", "x", "--metric", "open_rate", "--comparator", ">", "--limit", "1", "--dimension", "domain",
            ], environment: environment)
            #expect(invalid.stderr == "mailroom: error: metric: 'open_rate' is not one of: hard_bounce_rate, temporary_fail_rate, delivered_rate, complained_rate\n")
            let incomplete = try await MailroomExecutable.run(["alerts", "create", "--name", "x"], environment: environment)
            #expect(incomplete.stderr == "mailroom: error: metric: --metric is required\n")
        }
    }

    @Test func webhookVerify() async throws {
        let vector = ["--timestamp", "1795255200", "--token", "8f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1",
                      "--signature", "2fd1984b672a658b1362029b6f19f9ce8b78e49308ab88c942658e94ed7be7da"]
        let environment = ["MAILGUN_WEBHOOK_SIGNING_KEY": "whsec-mailroom-test-key"]
        let valid = try await MailroomExecutable.run(["webhook", "verify"] + vector + ["--freshness", "999999999"], environment: environment)
        #expect(String(decoding: valid.stdout, as: UTF8.self) == "valid\n", "\(valid.stderr)")
        let stale = try await MailroomExecutable.run(["webhook", "verify"] + vector, environment: environment)
        #expect(stale.stderr.hasPrefix("mailroom: error: timestamp: the timestamp is"))
        let wrong = try await MailroomExecutable.run(["webhook", "verify"] + vector + ["--freshness", "999999999"], environment: ["MAILGUN_WEBHOOK_SIGNING_KEY": "key-not-it"])
        #expect(wrong.stderr.hasPrefix("mailroom: error: signature: the signature does not match"))
        let noKey = try await MailroomExecutable.run(["webhook", "verify"] + vector, environment: [:])
        #expect(noKey.stderr == "mailroom: error: MAILGUN_WEBHOOK_SIGNING_KEY: is not set; export the webhook signing key\n")
    }
}
