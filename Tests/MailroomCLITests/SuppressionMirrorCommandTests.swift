import AsyncHTTPClient
import Foundation
import Logging
import MailgunMock
import Mailroom
import MailroomMailgun
import MailroomSQLite
import MailroomTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `mailroom suppressions sync`, `send --suppressions-db` and `webhook receive`, run as processes.
@Suite struct SuppressionMirrorCommandTests {
    static let key = "key-cli-mirror-SECRET"
    static let signingKey = "whsec-cli-mirror"
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func withMailgun(bounces: Int, _ body: (MailgunMock, [String: String]) async throws -> Void) async throws {
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock in
            let store = MailgunSuppressionStore(client: MailgunClient(configuration: try MailgunConfiguration(apiKey: Self.key, region: .custom(mock.baseURL), domain: "acme.test")))
            try await store.add(contentsOf: (0..<bounces).map { .bounce(EmailAddress(stringLiteral: "b\(String(10_000 + $0).dropFirst())@example.com")) }, logger: Self.logger)
            try await store.add(.unsubscribe("news@example.com", tags: ["news"]), logger: Self.logger)
            try await body(mock, ["MAILGUN_API_KEY": Self.key, "MAILGUN_BASE_URL": mock.baseURL, "MAILGUN_DOMAIN": "acme.test"])
        }
    }

    static func count(_ path: String, _ sql: String) async throws -> Int {
        Int(try await Executable.run("python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])", path, sql])
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func syncFillsTheMirrorAndPrintsASummary() async throws {
        let directory = try TemporaryDirectory()
        try await Self.withMailgun(bounces: 1_200) { _, environment in
            let result = try await MailroomExecutable.run(["suppressions", "sync", "--json", "--page-size", "500"], environment: environment, directory: directory.path)
            #expect(result.status == 0, "\(result.stderr)")
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
            #expect(summary["database"] as? String == SQLiteSuppressionStore.defaultPath)
            let lists = summary["lists"] as? [[String: Any]] ?? []
            #expect(lists.map { "\($0["list"] ?? "") \($0["entries"] ?? "") \($0["requests"] ?? "")" } == ["unsubscribes 1 1", "bounces 1200 3", "complaints 0 1"], "a page shorter than its limit ends a list")
            #expect(result.stderr.contains("mailroom: bounces: 500 entries\n"))
            #expect(result.stderr.contains("mailroom: bounces synced: 1200 entries, 0 removed, 3 requests\n"))
            #expect(!result.stderr.contains(Self.key))
            let file = directory.path + "/.mailroom/suppressions.sqlite"
            #expect(try await Self.count(file, "select count(*) from suppressions where kind = 'bounces'") == 1_200)
            let bad = try await MailroomExecutable.run(["suppressions", "sync", "--page-size", "0"], environment: environment, directory: directory.path)
            #expect(bad.status != 0 && bad.stdout.isEmpty)
            #expect(bad.stderr == "mailroom: error: page-size: must be between 1 and 1000, got 0\n")
            let notPostgres = try await MailroomExecutable.run(["suppressions", "sync", "--postgres", "mysql://u:hunter2@h/d"], environment: environment, directory: directory.path)
            #expect(notPostgres.status != 0 && notPostgres.stdout.isEmpty)
            #expect(notPostgres.stderr.hasPrefix("mailroom: error: postgres: must be a postgres:// URL") && !notPostgres.stderr.contains("hunter2"))
        }
    }

    @Test("a sync killed with SIGKILL leaves a consistent database that the next sync completes")
    func syncSurvivesSIGKILL() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path + "/mirror.sqlite"
        try await Self.withMailgun(bounces: 2_500) { mock, environment in
            // Every bounces page after the first two takes a while, so the process is mid-sync when killed.
            await mock.inject(MockFault(kind: .delay, count: 100, method: "GET", path: "/v3/acme.test/bounces", delayMilliseconds: 400, skip: 2))
            let process = try MailroomExecutable.makeProcess(["suppressions", "sync", "--db", database, "--page-size", "250"], environment: environment, directory: directory.path)
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            _ = await errors.fileHandleForReading.read(until: "bounces: 500 entries")
            kill(process.processIdentifier, SIGKILL)
            await process.waitForExit()
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(try await Executable.run("python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('pragma integrity_check').fetchone()[0])", database]).hasPrefix("ok"))
            let stored = try await Self.count(database, "select count(*) from suppressions where kind = 'bounces'")
            let cursor = try await Self.count(database, "select entries_applied from sync_progress where kind = 'bounces'")
            #expect(stored == cursor, "the checkpoint counts exactly the stored pages")
            #expect(stored >= 500 && stored < 2_500 && stored % 250 == 0)

            await mock.reset()
            let store = MailgunSuppressionStore(client: MailgunClient(configuration: try MailgunConfiguration(apiKey: Self.key, region: .custom(mock.baseURL), domain: "acme.test")))
            try await store.add(contentsOf: (0..<2_500).map { .bounce(EmailAddress(stringLiteral: "b\(String(10_000 + $0).dropFirst())@example.com")) }, logger: Self.logger)
            let resumed = try await MailroomExecutable.run(["suppressions", "sync", "--db", database, "--json"], environment: environment, directory: directory.path)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let lists = (try JSONSerialization.jsonObject(with: Data(resumed.stdout)) as? [String: Any])?["lists"] as? [[String: Any]] ?? []
            #expect(lists.first { $0["list"] as? String == "bounces" }?["resumed"] as? Bool == true)
            #expect(lists.first { $0["list"] as? String == "bounces" }?["entries"] as? Int == 2_500)
            #expect(try await Self.count(database, "select count(*) from suppressions where kind = 'bounces'") == 2_500)
            #expect(try await Self.count(database, "select count(*) from sync_progress") == 0)
            #expect(try await Self.count(database, "select count(*) from suppressions where kind = 'unsubscribes'") == 0, "Mailgun no longer lists the unsubscribe after the reset")
        }
    }

    @Test func sendSkipsWhatTheMirrorListsAndSaysWhich() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path + "/mirror.sqlite"
        try await SQLiteSuppressionStore.withStore(path: database) { store in
            try await store.add(.bounce("gone@example.com"), logger: Self.logger)
            try await store.add(.unsubscribe("news@example.com", tags: ["news"]), logger: Self.logger)
        }
        let arguments = ["send", "--from", "hello@acme.test", "--to", "ok@example.com", "--to", "gone@example.com", "--cc", "news@example.com",
                         "--subject", "Hi", "--text", "Hello", "--tag", "news", "--json"]
        let result = try await MailroomExecutable.run(arguments, environment: ["MAILROOM_SUPPRESSIONS_DB": database], directory: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        #expect(receipt["accepted"] as? [String] == ["ok@example.com"])
        #expect(receipt["suppressed"] as? [String] == ["gone@example.com", "news@example.com"])
        #expect(result.stderr.hasPrefix("mailroom: skipped 2 suppressed recipients: gone@example.com, news@example.com\n"))
        // Every recipient suppressed: nothing is stored in the outbox, and no outbox notice.
        let none = try await MailroomExecutable.run(["send", "--from", "hello@acme.test", "--to", "gone@example.com", "--subject", "Hi", "--text", "x", "--suppressions-db", database],
                                                   directory: directory.path)
        #expect(none.status == 0)
        #expect(String(decoding: none.stdout, as: UTF8.self) == "Every recipient is suppressed; nothing was sent. id: none, 0 recipients\n")
        #expect(none.stderr == "mailroom: skipped 1 suppressed recipient: gone@example.com\n")
    }

    @Test func webhookReceiveAppliesACapturedDeliveryAndRefusesForgeries() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path + "/mirror.sqlite"
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let bounce = try directory.write(Array(try await WebhookFixtures.signedJSON("failed-permanent-bounce", key: Self.signingKey, timestamp: timestamp)), named: "bounce.json")
        let environment = ["MAILGUN_WEBHOOK_SIGNING_KEY": Self.signingKey, "MAILROOM_SUPPRESSIONS_DB": database]
        let result = try await MailroomExecutable.run(["webhook", "receive", bounce], environment: environment, directory: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "200 handled failed\nsuppression: bounces gone@example.com code 550\n")
        let form = try directory.write(Array(try await WebhookFixtures.signedForm("legacy-unsubscribed", key: Self.signingKey, timestamp: timestamp)), named: "legacy.form")
        let legacy = try await MailroomExecutable.run(["webhook", "receive", form, "--json"], environment: environment, directory: directory.path)
        let outcome = try #require(try JSONSerialization.jsonObject(with: Data(legacy.stdout)) as? [String: Any])
        #expect(outcome["suppression"] as? String == "unsubscribes legacy-leaver@example.com tags newsletter")
        #expect(outcome["message-id"] as? String == "<20261201120000.10.ABCDEF012345@acme.test>")
        #expect(try await Self.count(database, "select count(*) from suppressions") == 2)

        let forged = try directory.write(Array(try await WebhookFixtures.signedJSON("complained", key: "key-the-api-key", timestamp: timestamp)), named: "forged.json")
        let refused = try await MailroomExecutable.run(["webhook", "receive", forged], environment: environment, directory: directory.path)
        #expect(refused.status != 0 && refused.stdout.isEmpty)
        #expect(refused.stderr.hasPrefix("mailroom: error: 406 rejected: signature: the signature does not match"))
        #expect(!refused.stderr.contains(Self.signingKey))
        let noKey = try await MailroomExecutable.run(["webhook", "receive", bounce], environment: ["MAILROOM_SUPPRESSIONS_DB": database], directory: directory.path)
        #expect(noKey.stderr == "mailroom: error: MAILGUN_WEBHOOK_SIGNING_KEY: is not set; export the webhook signing key\n")
        #expect(try await Self.count(database, "select count(*) from suppressions") == 2)
    }

    @Test func processesApplyingEventsToOneDatabaseLoseNothing() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path + "/mirror.sqlite"
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var files: [String] = []
        for index in 0..<12 {
            let data = #"{"event":"complained","recipient":"p\#(index)@example.com","tags":[]}"#
            let token = WebhookFixtures.randomToken()
            let signature = try await WebhookFixtures.pythonSignature(key: Self.signingKey, timestamp: timestamp, token: token)
            let body = #"{"signature":{"timestamp":"\#(timestamp)","token":"\#(token)","signature":"\#(signature)"},"event-data":\#(data)}"#
            files.append(try directory.write(Array(body.utf8), named: "e\(index).json"))
        }
        let results = try await withThrowingTaskGroup(of: MailroomExecutable.Result.self) { group in
            for file in files {
                group.addTask {
                    try await MailroomExecutable.run(["webhook", "receive", file, "--db", database], environment: ["MAILGUN_WEBHOOK_SIGNING_KEY": Self.signingKey], directory: directory.path)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        #expect(try await Self.count(database, "select count(*) from suppressions where kind = 'complaints'") == 12)
    }
}

/// `mailroom webhook serve` as a subprocess receiving signed events over loopback.
@Suite struct WebhookServeCommandTests {
    @Test func servesTheControllerAndAppliesEventsToTheMirror() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.path + "/mirror.sqlite"
        let key = "whsec-serve"
        let process = try MailroomExecutable.makeProcess(
            ["webhook", "serve", "--port", "0", "--path", "/hooks", "--db", database],
            environment: ["MAILGUN_WEBHOOK_SIGNING_KEY": key], directory: directory.path
        )
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // The first stdout line is the URL to configure: http://127.0.0.1:PORT/hooks -> DB
        let line = await output.fileHandleForReading.firstLine()
        let url = try #require(line.split(separator: " ").first.map(String.init))
        #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/hooks"))

        let timestamp = String(Int(Date().timeIntervalSince1970))
        for fixture in ["complained", "unsubscribed"] {
            #expect(try await Self.post(try await WebhookFixtures.signedJSON(fixture, key: key, timestamp: timestamp), to: url) == 200)
        }
        #expect(try await Self.post(try await WebhookFixtures.signedJSON("complained", key: "wrong", timestamp: timestamp), to: url) == 406)

        process.terminate()
        await process.waitForExit()
        let log = String(decoding: await errors.fileHandleForReading.readAll(), as: UTF8.self)
        #expect(log.components(separatedBy: "webhook handled").count - 1 == 2, "one log line per event: \(log)")
        #expect(log.contains("webhook refused"))
        #expect(!log.contains(key))
        #expect(try await SuppressionMirrorCommandTests.count(database, "select count(*) from suppressions") == 2)
    }

    static func post(_ body: Data, to url: String) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
    }
}
