import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomPostgres
import MailroomTestSupport
import PostgresNIO
import Testing

/// Senders as separate processes (`archive-load`) on one PostgreSQL archive: two at once, one
/// killed with SIGKILL mid-burst, and the server restarted under a burst as a crash would.
@Suite(.enabled(if: PostgresTestServer.enabled, PostgresTestServer.skipNote))
struct PostgresArchiveProcessTests {
    static let logger = PostgresTestServer.logger

    static func arguments(url: String, schema: String, prefix: String, count: Int, concurrency: Int = 16, policy: String = "fail-closed", delay: Int = 0) -> [String] {
        [
            "--url", url, "--schema", schema, "--prefix", prefix, "--count", "\(count)", "--concurrency", "\(concurrency)", "--policy", policy,
            "--send-delay-ms", "\(delay)", "--query-timeout-ms", "3000",
        ]
    }

    static func open(_ client: PostgresClient, _ schema: String) async throws -> PostgresArchiveStore {
        try await PostgresArchiveStore.open(client: client, configuration: .init(schema: schema, openTimeout: PostgresTestServer.openTimeout), logger: logger)
    }

    @Test func twoProcessesArchivingAThousandEachAtOnceLeaveEveryMessageThereOnce() async throws {
        let url = try #require(PostgresTestServer.url)
        try await PostgresTestServer.withSchema { client, schema in
            // Both start against an empty schema: they race to apply the migrations too.
            let first = try LoadProcess(Self.arguments(url: url, schema: schema, prefix: "a", count: 1_000))
            let second = try LoadProcess(Self.arguments(url: url, schema: schema, prefix: "b", count: 1_000))
            async let finishedFirst: Void = first.finish()
            async let finishedSecond: Void = second.finish()
            _ = try await (finishedFirst, finishedSecond)
            for (process, prefix) in [(first, "a"), (second, "b")] {
                #expect(process.terminationStatus == 0)
                #expect(process.subjects("sent").count == 1_000, "\(prefix): \(process.lines.suffix(3))")
                #expect(process.lines.last == "delivered 1000")
            }

            let store = try await Self.open(client, schema)
            let entries = try await store.entries(matching: ArchiveQuery())
            #expect(entries.count == 2_000)
            #expect(Set(entries.map(\.subject)) == Set((0..<1_000).flatMap { ["a-\($0)", "b-\($0)"] }), "every message there, once")
            #expect(entries.allSatisfy { $0.state == .sent && $0.revision == 2 })
            let verification = try await store.verify()
            #expect(verification.checked == 2_000)
            #expect(verification.findings.isEmpty)
            var migrations: [(String, Int32)] = []
            for try await row in try await client.query(
                "SELECT component, version FROM \(unescaped: schema).mailroom_migrations", logger: Self.logger
            ).decode((String, Int32).self) {
                migrations.append(row)
            }
            #expect(migrations.count == 1 && migrations.first?.0 == "archive" && migrations.first?.1 == 1, "applied once: \(migrations)")
        }
    }

    @Test func aSenderKilledMidBurstLosesNothingItAcknowledgedAndLeavesItsInFlightMessagesPending() async throws {
        let url = try #require(PostgresTestServer.url)
        try await PostgresTestServer.withSchema { client, schema in
            let sender = try LoadProcess(Self.arguments(url: url, schema: schema, prefix: "k", count: 5_000, concurrency: 8, delay: 5))
            try await sender.read { lines in lines.filter { $0.hasPrefix("sent ") }.count >= 200 }
            sender.kill()
            try await sender.finish()
            #expect(sender.terminationReason == .uncaughtSignal)

            let store = try await Self.open(client, schema)
            let entries = try await store.entries(matching: ArchiveQuery())
            let bySubject = Dictionary(entries.map { ($0.subject, $0) }) { first, _ in first }
            let acknowledged = sender.subjects("sent")
            #expect(acknowledged.count >= 200 && acknowledged.count < 5_000)
            #expect(acknowledged.allSatisfy { bySubject[$0]?.state == .sent }, "every send the process reported is archived as sent")
            #expect(Set(entries.map(\.subject)).count == entries.count, "none twice")
            // What was in flight when it died, at most one per concurrent send: recorded as pending,
            // or already settled as sent when the kill came before the line was printed.
            let reported = Set(acknowledged)
            let inFlight = entries.filter { !reported.contains($0.subject) }
            #expect(inFlight.count <= 8)
            #expect(inFlight.allSatisfy { $0.state == .pending || $0.state == .sent })
            let pending = entries.filter { $0.state == .pending }

            let verification = try await store.verify()
            #expect(verification.isIntact, "\(verification.damage)")
            #expect(verification.findings.map(\.kind) == Array(repeating: .pending, count: pending.count))
            #expect(Set(verification.findings.compactMap(\.id)) == Set(pending.map(\.id)))
            // As Postgres.md says: an operator settles them once the provider's events tell what happened.
            for entry in pending { _ = try await store.settle(entry.id, outcome: .failed("the sender was killed mid-send"), logger: Self.logger) }
            #expect(try await store.verify().findings.isEmpty)
        }
    }

    /// Sends after a restart, which prove that the pool reconnected. The senders go on until they
    /// have been seen (or a minute has passed), however long the server takes to recover.
    static let sendsAfterRestart = 100

    @Test func aServerRestartedMidBurstIsReconnectedToAndEveryPolicyHolds() async throws {
        try await PrivatePostgres.withCluster { server in
            let client = PostgresClient(configuration: try PostgresURL(server.url).clientConfiguration, backgroundLogger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }

                // Fail-closed: a message whose record failed is not sent.
                let closed = try LoadProcess(Self.arguments(url: server.url, schema: "closed", prefix: "c", count: 1_000_000, concurrency: 8, delay: 2) + ["--until-stdin-closes"])
                let before = try await Self.restart(server, under: closed, marker: "refused ")
                let firstRefusal = closed.lines.firstIndex { $0.hasPrefix("refused ") } ?? before
                try closed.stopSending()
                try await closed.finish()
                #expect(closed.terminationStatus == 0, "\(closed.lines.suffix(3))")
                let sent = closed.subjects("sent")
                let refused = closed.subjects("refused")
                let attempted = try #require(closed.lines.dropLast().last.flatMap { Int($0.dropFirst("attempted ".count)) })
                #expect(sent.count + refused.count == attempted, "every send reported")
                #expect(closed.lines.last == "delivered \(sent.count)", "only archived messages were sent")
                // Sends went on after the restart: the pool reconnected (queries stranded by it fail
                // after the store's query timeout, so refusals can also come after sends).
                #expect(closed.lines[firstRefusal...].filter { $0.hasPrefix("sent ") }.count >= Self.sendsAfterRestart, "sends after the restart")
                let store = try await Self.open(client, "closed")
                let entries = Dictionary(try await store.entries(matching: ArchiveQuery()).map { ($0.subject, $0) }) { first, _ in first }
                let unsettled = Set(closed.lines.filter { $0.hasPrefix("archive-failure settle ") }.map { String($0.split(separator: " ")[2]) })
                for subject in sent {
                    let entry = entries[subject]
                    #expect(entry?.state == .sent || (entry?.state == .pending && unsettled.contains(entry?.id ?? "")), "\(subject): \(String(describing: entry))")
                }
                // A refused record may still have committed (the reply was lost): it stays pending, never sent.
                #expect(refused.allSatisfy { entries[$0] == nil || entries[$0]?.state == .pending })
                #expect(try await store.verify().isIntact)

                // Fail-open: every message is sent; what could not be archived is reported.
                let open = try LoadProcess(Self.arguments(url: server.url, schema: "open", prefix: "o", count: 1_000_000, concurrency: 8, policy: "fail-open", delay: 2) + ["--until-stdin-closes"])
                _ = try await Self.restart(server, under: open, marker: "archive-failure ")
                try open.stopSending()
                try await open.finish()
                #expect(open.terminationStatus == 0, "\(open.lines.suffix(3))")
                let openAttempted = try #require(open.lines.dropLast().last.flatMap { Int($0.dropFirst("attempted ".count)) })
                #expect(open.subjects("sent").count == openAttempted)
                #expect(open.lines.last == "delivered \(openAttempted)")
                let openStore = try await Self.open(client, "open")
                let archived = try await openStore.count(matching: ArchiveQuery())
                let unarchived = open.lines.filter { $0.hasPrefix("archive-failure record ") }.count
                #expect(archived + unarchived == openAttempted, "each message archived or reported: \(archived) + \(unarchived)")
                #expect(try await openStore.verify().isIntact)
            }
        }
    }

    /// Restarts the server once `sender` has sent 300 messages, then reads its output until
    /// ``sendsAfterRestart`` sends followed the first line starting with `marker` (the first sign
    /// of the restart) or, when there was none, the restart's end; gives up after a minute, which
    /// the caller's expectations then report. Returns how many lines were read before the restart.
    static func restart(_ server: PrivatePostgres, under sender: LoadProcess, marker: String) async throws -> Int {
        try await sender.read { lines in lines.filter { $0.hasPrefix("sent ") }.count >= 300 }
        try await server.restart()
        let before = sender.lines.count
        let deadline = ContinuousClock.now + .seconds(60)
        try await sender.read { lines in
            let start = lines.firstIndex { $0.hasPrefix(marker) } ?? before
            return lines[start...].filter { $0.hasPrefix("sent ") }.count >= sendsAfterRestart || ContinuousClock.now > deadline
        }
        return before
    }
}

/// A PostgreSQL cluster of a test's own (`.ci/postgres-start`), for a test that restarts it.
struct PrivatePostgres: Sendable {
    let url: String
    let directory: String

    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".ci").path

    /// Starts a cluster, runs `body`, and removes the cluster, also when `body` throws.
    static func withCluster(_ body: (PrivatePostgres) async throws -> Void) async throws {
        let exports = try await script(["bash", "\(scripts)/postgres-start"])
        func value(_ name: String) -> String? {
            exports.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }
                .map { String($0.dropFirst("export \(name)=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
        }
        guard let url = value("MAILROOM_POSTGRES_URL"), let directory = value("MAILROOM_POSTGRES_DIR") else {
            throw ExecutableFailure(message: "postgres-start printed no URL")
        }
        let server = PrivatePostgres(url: url, directory: directory)
        do {
            try await body(server)
        } catch {
            _ = try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// `pg_ctl restart -m immediate`, as a crash would: no shutdown checkpoint, recovery from the WAL.
    func restart() async throws {
        _ = try await Self.script(["env", "MAILROOM_POSTGRES_DIR=\(directory)", "\(Self.scripts)/postgres-restart"])
    }

    func stop() async throws {
        _ = try await Self.script(["env", "MAILROOM_POSTGRES_DIR=\(directory)", "\(Self.scripts)/postgres-stop"])
    }

    /// Runs a script that starts the server, through Python's `subprocess`, which closes every
    /// other file descriptor in the child: Foundation's `Process` watches a descriptor its child
    /// inherits to learn that it exited, and a server started by the script (which lives on)
    /// would inherit it too, so that the script would never seem to end.
    static func script(_ command: [String]) async throws -> String {
        let runner = "import subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE); sys.stdout.write(r.stdout.decode()); sys.exit(r.returncode)"
        return try await Executable.run("python3", ["-c", runner] + command)
    }
}
