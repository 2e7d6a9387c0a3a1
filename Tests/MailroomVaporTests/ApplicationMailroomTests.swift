import Foundation
import InMemoryLogging
import Logging
import MailgunMock
import Mailroom
@testable import MailroomMailgun
import MailroomSQLite
import MailroomTestSupport
import MailroomTesting
@testable import MailroomVapor
import Testing
import Vapor
import VaporTesting

/// `app.mailroom`: providers swapped without touching the routes, request-bound logging, boot and shutdown.
@Suite struct ApplicationMailroomTests {
    static let key = "key-vapor-SECRET"

    @Test func theMemoryProviderRecordsWhatRoutesSend() async throws {
        try await withMailroomApp(configure: { app in
            app.mailroom.use(.memory)
            addSendingRoutes(to: app)
        }) { app in
            try await app.testing().test(.POST, "welcome?to=zoe@example.com") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.hasSuffix(#"["zoe@example.com"] []"#))
            }
            try await app.testing().test(.POST, "welcome?to=bob") { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains(#""field":"to""#))
            }
            #expect(app.mailroom.memory.sent.count == 1)
            #expect(app.mailroom.memory.sent.first?.email?.subject == "Welcome")
            #expect(app.mailroom.memory.sent.first?.email?.to.map(\.mailbox) == ["zoe@example.com"])
        }
    }

    @Test func theMailgunProviderSendsOverTheApplicationsHTTPClient() async throws {
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock in
            let configuration = try MailgunConfiguration(apiKey: Self.key, region: .custom(mock.baseURL), domain: "acme.test")
            try await withMailroomApp(configure: { app in
                app.mailroom.use(.mailgun(configuration))
                addSendingRoutes(to: app)
            }) { app in
                try await app.testing().test(.POST, "welcome?to=zoe@example.com") { response in
                    #expect(response.status == .ok)
                }
                let messages = await mock.messages()
                #expect(messages.map(\.recipients) == [["zoe@example.com"]])
                #expect(app.mailroom.memory.sent.isEmpty, "the memory double is not in use")
                let stack = try await app.mailroom.stack()
                #expect(stack.mailgun?.httpClient === app.http.client.shared, "borrowed, not created: the application shuts it down")
            }
        }
    }

    @Test func mailroomsLinesCarryTheRequestsLoggerMetadata() async throws {
        let logs = InMemoryLogHandler()
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock in
            let configuration = try MailgunConfiguration(apiKey: Self.key, region: .custom(mock.baseURL), domain: "acme.test")
            try await withMailroomApp(logs: logs, configure: { app in
                app.mailroom.use(.mailgun(configuration))
                addSendingRoutes(to: app)
            }) { app in
                try await app.testing().test(.POST, "welcome?to=zoe@example.com", headers: ["X-Request-Id": "req-42"]) { response in
                    #expect(response.status == .ok)
                }
            }
        }
        let request = try #require(logs.entries.first { $0.message.description == "Mailgun request" })
        #expect(request.metadata["request-id"] == "req-42", "logged through req.logger")
        #expect(!logs.entries.map { "\($0.message) \($0.metadata)" }.joined().contains(Self.key))
    }

    @Test func fromEnvironmentChoosesTheOutboxWithOneWarningWithoutAKey() async throws {
        let directory = try TemporaryDirectory()
        let logs = InMemoryLogHandler()
        try await withMailroomApp(logs: logs, configure: { app in
            app.mailroom.use(.fromEnvironment(["MAILROOM_OUTBOX": directory.path + "/outbox"]))
            addSendingRoutes(to: app)
        }) { app in
            try await app.testing().test(.POST, "welcome?to=zoe@example.com") { response in
                #expect(response.status == .ok)
            }
            try await app.testing().test(.POST, "welcome?to=ann@example.com") { response in
                #expect(response.status == .ok)
            }
        }
        let warnings = logs.entries.filter { $0.level == .warning }.map(\.message.description)
        #expect(warnings == ["MAILGUN_API_KEY is not set: messages go to the local outbox and are not delivered"])
        let files = FileManager.default.enumerator(atPath: directory.path + "/outbox")?.compactMap { $0 as? String }.filter { $0.hasSuffix(".eml.gz") } ?? []
        #expect(files.count == 2)
    }

    @Test func fromEnvironmentChoosesMailgunWhenAKeyIsSet() async throws {
        try await MailgunMock.withRunning(.init(apiKeys: [Self.key], domains: ["acme.test"])) { mock in
            let environment = ["MAILGUN_API_KEY": Self.key, "MAILGUN_BASE_URL": mock.baseURL, "MAILGUN_DOMAIN": "acme.test"]
            try await withMailroomApp(configure: { app in
                app.mailroom.use(.fromEnvironment(environment))
                addSendingRoutes(to: app)
            }) { app in
                try await app.testing().test(.POST, "welcome?to=zoe@example.com") { response in
                    #expect(response.status == .ok)
                }
            }
            #expect(await mock.messages().count == 1)
        }
    }

    @Test func withoutAProviderTheOutboxIsUsedAndSaysSo() async throws {
        let directory = try TemporaryDirectory()
        let logs = InMemoryLogHandler()
        try await withMailroomApp(logs: logs, configure: { app in
            app.directory.workingDirectory = directory.path + "/"
            addSendingRoutes(to: app)
        }) { app in
            _ = try await app.mailroom.mailer.send(Email(from: "hello@acme.test", to: ["zoe@example.com"], subject: "Hi", text: "x"))
        }
        #expect(logs.entries.contains { $0.level == .warning && $0.message.description.hasPrefix("no Mailroom provider is configured") })
        // The relative default is taken from the app's working directory, not the process's.
        let stored = FileManager.default.enumerator(atPath: directory.path + "/.mailroom/outbox")?.compactMap { $0 as? String }.filter { $0.hasSuffix(".eml.gz") } ?? []
        #expect(stored.count == 1)
    }

    @Test func decoratorsApplyInTheDocumentedOrder() async throws {
        let directory = try TemporaryDirectory()
        let suppressions = InMemorySuppressionStore()
        try await suppressions.add(.complaint("angry@example.com"), logger: Logger(label: "test"))
        try await withMailroomApp(configure: { app in
            app.mailroom.use(.memory)
            app.mailroom.suppressions.use(.store(suppressions))
            app.mailroom.archive.use(.directory(directory.path + "/archive"))
            addSendingRoutes(to: app)
        }) { app in
            try await app.testing().test(.POST, "welcome?to=angry@example.com") { response in
                #expect(response.body.string == #"- [] ["angry@example.com"]"#)
            }
            try await app.testing().test(.POST, "welcome?to=zoe@example.com") { response in
                #expect(response.status == .ok)
            }
        }
        // Suppressions first: the suppressed message reached neither the archive nor the provider.
        let archived = FileManager.default.enumerator(atPath: directory.path + "/archive")?.compactMap { $0 as? String }.filter { $0.hasSuffix(".eml.gz") } ?? []
        #expect(archived.count == 1)
    }

    @Test func configurationAfterBootIsRefusedWithAWarning() async throws {
        let logs = InMemoryLogHandler()
        try await withMailroomApp(logs: logs, configure: { app in
            app.mailroom.use(.memory)
        }) { app in
            app.mailroom.use(.outbox(directory: "/nonexistent"))
            _ = try await app.mailroom.mailer.send(Email(from: "hello@acme.test", to: ["zoe@example.com"], subject: "Hi", text: "x"))
            #expect(app.mailroom.memory.sent.count == 1, "still the memory provider")
        }
        #expect(logs.entries.contains { $0.level == .warning && $0.message.description.hasPrefix("app.mailroom was configured after it started") })
    }

    @Test func aSynchronousBootOpensOnFirstUse() async throws {
        try await withMailroomApp(configure: { app in
            app.mailroom.use(.memory)
            addSendingRoutes(to: app)
        }, boot: false) { app in
            // VaporTesting's `testing()` boots synchronously, which runs no async lifecycle handler.
            try await app.testing().test(.POST, "welcome?to=zoe@example.com") { response in
                #expect(response.status == .ok)
            }
            #expect(app.mailroom.memory.sent.count == 1)
        }
    }
}

/// A bad configuration stops the boot with an error naming the setting, and what was opened is closed.
@Suite struct MailroomBootTests {
    static func bootError(_ configure: (Application) throws -> Void) async throws -> MailroomError {
        let app = try await Application.make(.testing, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        do {
            try configure(app)
            try await app.asyncBoot()
            try await app.asyncShutdown()
            Issue.record("the boot succeeded")
            throw CancellationError()
        } catch let error as MailroomError {
            try await app.asyncShutdown()
            return error
        }
    }

    @Test func aPlainHTTPBaseURLForAnotherHost() async throws {
        let error = try await Self.bootError { app in
            app.mailroom.use(.fromEnvironment(["MAILGUN_API_KEY": "key-x", "MAILGUN_BASE_URL": "http://mail.example.com"]))
        }
        #expect(error.code == .configuration || error.code == .invalidValue)
        #expect(error.field == "MAILGUN_BASE_URL")
        #expect(!"\(error)".contains("key-x"))
    }

    @Test func aMalformedArchiveLevel() async throws {
        let directory = try TemporaryDirectory()
        let error = try await Self.bootError { app in
            app.mailroom.use(.memory)
            app.mailroom.archive.use(.fromEnvironment(["MAILROOM_ARCHIVE_DIR": directory.path, "MAILROOM_ARCHIVE_LEVEL": "11"]))
        }
        #expect(error.field == "MAILROOM_ARCHIVE_LEVEL")
    }

    @Test func anUnopenableSuppressionDatabase() async throws {
        let directory = try TemporaryDirectory()
        let blocker = directory.path + "/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let error = try await Self.bootError { app in
            app.mailroom.use(.memory)
            app.mailroom.suppressions.use(.sqlite(path: blocker + "/suppressions.sqlite"))
        }
        #expect(error.message == "cannot create the folder \(blocker) for the database suppressions.sqlite", "\(error)")
    }

    @Test func anEmptySigningKeyClosesTheDatabaseOpenedBeforeIt() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/suppressions.sqlite"
        let error = try await Self.bootError { app in
            app.mailroom.use(.memory)
            app.mailroom.suppressions.use(.sqlite(path: path))
            app.mailroom.webhooks.use(.signingKey(""))
        }
        #expect(error.field == "signingKey")
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "closed: SQLite removes the WAL when the last connection closes")
    }
}

/// Shutdown stops the mirror's sync and closes the database; nothing Mailroom opened outlives the app.
@Suite struct MailroomShutdownTests {
    @Test func theMirrorIsSyncedAtBootAndClosedAtShutdown() async throws {
        let key = "key-vapor-sync"
        let directory = try TemporaryDirectory()
        let path = directory.path + "/suppressions.sqlite"
        try await MailgunMock.withRunning(.init(apiKeys: [key], domains: ["acme.test"])) { mock in
            let configuration = try MailgunConfiguration(apiKey: key, region: .custom(mock.baseURL), domain: "acme.test")
            try await MailgunSuppressionStore(client: MailgunClient(configuration: configuration)).add(.bounce("gone@example.com"), logger: Logger(label: "test"))
            try await withMailroomApp(configure: { app in
                app.mailroom.use(.mailgun(configuration))
                app.mailroom.suppressions.use(.sqlite(path: path), sync: .init(interval: .seconds(3_600)))
                addSendingRoutes(to: app)
            }) { app in
                #expect(FileManager.default.fileExists(atPath: path + "-wal"), "open while the app runs")
                // The start-up sync runs in the background: wait until its page is committed, read
                // through a connection of the test's own (the last request's answer comes before it).
                let reader = try await SQLiteSuppressionStore.open(path: path)
                let logger = Logger(label: "test")
                let deadline = ContinuousClock.now + .seconds(60)
                while try await reader.get(.bounce, address: "gone@example.com", logger: logger) == nil, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await reader.close()
                try await app.testing().test(.POST, "welcome?to=gone@example.com") { response in
                    #expect(response.body.string == #"- [] ["gone@example.com"]"#, "synced from Mailgun at boot")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "closed at shutdown")
            #expect(await mock.messages().isEmpty)
        }
    }
}
