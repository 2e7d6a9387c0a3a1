import Foundation
import Logging
import MailgunMock
import Mailroom
import MailroomArchive
import MailroomTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("mailroom archive and the local outbox")
struct ArchiveCommandTests {
    static let message = ["--from", "Acme <hello@acme.test>", "--to", "Zoë <zoe@example.com>", "--subject", "Welcome, Zoë", "--text", "Hello from Mailroom.", "--tag", "welcome"]

    static func stdout(_ result: MailroomExecutable.Result) -> String { String(decoding: result.stdout, as: UTF8.self) }

    @Test("send without MAILGUN_API_KEY keeps the message in ./.mailroom/outbox, says so in one line, and archive list finds it")
    func outboxRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        let sent = try await MailroomExecutable.run(["send"] + Self.message + ["--json"], directory: directory.path)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stderr == "mailroom: MAILGUN_API_KEY is not set: kept in the local outbox at .mailroom/outbox, not delivered (see `mailroom archive list`).\n")
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(sent.stdout)) as? [String: Any])
        let id = try #require(receipt["id"] as? String)
        #expect(receipt["message"] as? String == "Stored in the local outbox; not delivered.")
        #expect(receipt["accepted"] as? [String] == ["zoe@example.com"])

        let list = try await MailroomExecutable.run(["archive", "list"], directory: directory.path)
        #expect(list.status == 0)
        let line = Self.stdout(list)
        #expect(line.hasPrefix("\(id)  "))
        #expect(line.contains("  outbox      zoe@example.com  Welcome, Zoë\n"))

        let json = try await MailroomExecutable.run(["archive", "list", "--json", "--state", "outbox", "--tag", "welcome", "--to", "ZOE@example.com", "--since", "2020-01-01"], directory: directory.path)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [[String: Any]])
        #expect(entries.map { $0["id"] as? String } == [id])
        #expect(entries.first?["subject"] as? String == "Welcome, Zoë")
        for filter in [["--state", "sent"], ["--tag", "receipt"], ["--to", "bob@example.com"], ["--since", "2100-01-01"]] {
            let none = try await MailroomExecutable.run(["archive", "list", "--json"] + filter, directory: directory.path)
            #expect(Self.stdout(none) == "[]\n", "\(filter)")
        }

        // The file opens with gzip and is the message `show --raw` and `export` give back.
        let raw = try await MailroomExecutable.run(["archive", "show", id, "--raw"], directory: directory.path)
        #expect(raw.status == 0)
        let file = ArchiveFiles.messagePath(id: id, in: "\(directory.path)/.mailroom/outbox")
        #expect(try await ArchiveFiles.gunzip(file) == raw.stdout)
        let parsed = try await ParsedMessage.parse(raw.stdout)
        #expect(parsed.header("Subject") == "Welcome, Zoë")
        #expect(parsed.defects.isEmpty)
        let export = try await MailroomExecutable.run(["archive", "export", id, "--out", "welcome.eml"], directory: directory.path)
        #expect(export.status == 0)
        #expect(Self.stdout(export) == "Exported \(id) to welcome.eml (\(raw.stdout.count) bytes).\n")
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory.path)/welcome.eml"))) == raw.stdout)

        let show = Self.stdout(try await MailroomExecutable.run(["archive", "show", id], directory: directory.path))
        #expect(show.contains("state       outbox\n"))
        #expect(show.contains("recipients  zoe@example.com\n"))
        #expect(show.contains("(verified)\n"))

        let verify = try await MailroomExecutable.run(["archive", "verify"], directory: directory.path)
        #expect(verify.status == 0)
        #expect(Self.stdout(verify) == "Verified 1 message in .mailroom/outbox: intact.\n")

        let keep = try await MailroomExecutable.run(["archive", "prune", "--older-than", "30d"], directory: directory.path)
        #expect(Self.stdout(keep).hasPrefix("Pruned 0 messages recorded before "))
        let store = "\(directory.path)/store"
        let elsewhere = try await MailroomExecutable.run(["send"] + Self.message, environment: ["MAILROOM_OUTBOX": store], directory: directory.path)
        #expect(elsewhere.stderr.contains("local outbox at \(store),"))
        let listed = try await MailroomExecutable.run(["archive", "list", "--dir", store, "--json"], directory: directory.path)
        #expect((try JSONSerialization.jsonObject(with: Data(listed.stdout)) as? [Any])?.count == 1)
    }

    @Test("send with MAILGUN_API_KEY and MAILROOM_ARCHIVE_DIR archives what it sends: sent with Mailgun's id, or failed")
    func archiveDirectory() async throws {
        let directory = try TemporaryDirectory()
        let archive = "\(directory.path)/archive"
        let key = "key-archive-SECRET"
        try await MailgunMock.withRunning(.init(apiKeys: [key], domains: ["acme.test"])) { mock in
            let environment = ["MAILGUN_API_KEY": key, "MAILGUN_DOMAIN": "acme.test", "MAILGUN_BASE_URL": mock.baseURL, "MAILROOM_ARCHIVE_DIR": archive]
            let sent = try await MailroomExecutable.run(["send"] + Self.message + ["--json"], environment: environment, directory: directory.path)
            #expect(sent.status == 0, "\(sent.stderr)")
            #expect(sent.stderr.isEmpty)
            let receipt = try #require(try JSONSerialization.jsonObject(with: Data(sent.stdout)) as? [String: Any])
            await mock.inject(.status(402, message: "Payment required"))
            let refused = try await MailroomExecutable.run(["send"] + Self.message, environment: environment, directory: directory.path)
            #expect(refused.status != 0)

            let list = try await MailroomExecutable.run(["archive", "list", "--json"], environment: ["MAILROOM_ARCHIVE_DIR": archive], directory: directory.path)
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout)) as? [[String: Any]])
            #expect(entries.compactMap { $0["state"] as? String }.sorted() == ["failed", "sent"])
            #expect(entries.first { $0["state"] as? String == "sent" }?["providerID"] as? String == receipt["id"] as? String)
            #expect((entries.first { $0["state"] as? String == "failed" }?["failure"] as? String)?.contains("HTTP 402") == true)
            #expect(!String(decoding: list.stdout, as: UTF8.self).contains(key))
            #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/.mailroom"))
        }
    }

    @Test(arguments: [
        (["archive", "list", "--state", "sometimes"], "state: 'sometimes' is not a state; use one of pending, sent, failed, suppressed, outbox"),
        (["archive", "list", "--since", "yesterday"], "since: 'yesterday' is not a date such as 2026-11-21"),
        (["archive", "list", "--to", "bob"], "to: "),
        (["archive", "prune", "--older-than", "30x"], "older-than: '30x' is not an age such as 30d"),
        (["archive", "prune"], "older-than: give the age to keep"),
        (["archive", "show", "../../etc/passwd"], "id: '../../etc/passwd' is not an archive id"),
        (["archive", "show", "20261121-093000-4f1c2a9e7b3d"], "id: no archived message '20261121-093000-4f1c2a9e7b3d'"),
        (["archive", "export", "20261121-093000-4f1c2a9e7b3d"], "out: give the file to write"),
    ])
    func badInputIsOneLine(arguments: [String], message: String) async throws {
        let directory = try TemporaryDirectory()
        let result = try await MailroomExecutable.run(arguments, directory: directory.path)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.hasPrefix("mailroom: error: \(message)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/.mailroom"))
    }

    @Test("verify exits 1 and names a corrupted message")
    func verifyFindsCorruption() async throws {
        let directory = try TemporaryDirectory()
        let sent = try await MailroomExecutable.run(["send"] + Self.message, directory: directory.path)
        let id = try #require(Self.stdout(sent).components(separatedBy: "id: ").last?.components(separatedBy: ",").first)
        let file = ArchiveFiles.messagePath(id: id, in: "\(directory.path)/.mailroom/outbox")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: file))

        let verify = try await MailroomExecutable.run(["archive", "verify"], directory: directory.path)
        #expect(verify.status == 1)
        #expect(Self.stdout(verify).hasPrefix("corrupt \(id): "))
        #expect(verify.stderr == "mailroom: error: archive: 1 damaged of 1 messages in .mailroom/outbox\n")
    }

    @Test("sends killed with SIGKILL mid-burst lose nothing that was acknowledged and corrupt nothing")
    func killedDuringBurst() async throws {
        let directory = try TemporaryDirectory()
        // A large attachment (random 64 KiB blocks, which gzip cannot shrink) keeps half of the
        // processes compressing long enough to be killed mid-write.
        var random = SystemRandomNumberGenerator()
        let block = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &random) }
        let attachment = try directory.write(Array((0..<300).map { _ in block }.joined()), named: "big.bin")
        let outbox = "\(directory.path)/outbox"
        let processes = try (0..<10).map { index in
            let process = try MailroomExecutable.makeProcess(
                ["send"] + Self.message + ["--subject", "Burst \(index)"] + (index.isMultiple(of: 2) ? ["--attach", attachment] : []),
                environment: ["MAILROOM_OUTBOX": outbox],
                directory: directory.path
            )
            process.standardOutput = Pipe()
            process.standardError = FileHandle.nullDevice
            return process
        }
        try await OwnThread.run {
            for process in processes { try process.run() }
            // Kill the rest once at least one large message is being written or a few have finished.
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let finished = processes.filter { !$0.isRunning }.count
                let writing = (FileManager.default.enumerator(atPath: outbox)?.allObjects as? [String] ?? []).contains { $0.contains("/.tmp-") && $0.hasSuffix(".eml.gz") }
                if finished >= 3 && writing || finished == processes.count { break }
                usleep(2_000)
            }
            for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
            for process in processes { process.waitUntilExit() }
        }
        #expect(processes.contains { $0.terminationReason == .uncaughtSignal && $0.terminationStatus == SIGKILL })
        // Every send that printed its receipt is in the archive.
        var acknowledged: [String] = []
        for process in processes where process.terminationReason == .exit && process.terminationStatus == 0 {
            let output = await (process.standardOutput as? Pipe)?.fileHandleForReading.readAll() ?? Data()
            if let id = String(decoding: output, as: UTF8.self).components(separatedBy: "id: ").last?.components(separatedBy: ",").first {
                acknowledged.append(id)
            }
        }
        #expect(!acknowledged.isEmpty)
        let list = try await MailroomExecutable.run(["archive", "list", "--json", "--dir", outbox], directory: directory.path)
        let listed = Set((try JSONSerialization.jsonObject(with: Data(list.stdout)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        #expect(Set(acknowledged).isSubset(of: listed))

        let verify = try await MailroomExecutable.run(["archive", "verify", "--dir", outbox], directory: directory.path)
        #expect(verify.status == 0, "\(Self.stdout(verify)) \(verify.stderr)")
        #expect(Self.stdout(verify).contains("Verified \(listed.count) message"))
        #expect(!Self.stdout(verify).contains("corrupt"))
        #expect(!Self.stdout(verify).contains("missing"))
    }

    @Test("processes share one archive: a long-running store and a dozen `mailroom send`s record at once and each sees the others' entries")
    func processesShareOneArchive() async throws {
        let directory = try TemporaryDirectory()
        let outbox = "\(directory.path)/outbox"
        let store = try FileArchiveStore(directory: outbox)
        let logger = Logger(label: "cli-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        let email = Email(from: "Acme <hello@acme.test>", to: ["in-process@example.com"], subject: "From the app", text: "Recorded in the test's process.")
        let first = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger)

        let processes = try (0..<12).map { index in
            let process = try MailroomExecutable.makeProcess(
                ["send"] + Self.message + ["--subject", "From process \(index)"], environment: ["MAILROOM_OUTBOX": outbox], directory: directory.path
            )
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            return process
        }
        try await OwnThread.run { for process in processes { try process.run() } }
        // The app keeps recording while the processes do.
        for _ in 0..<40 { _ = try await store.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .outbox, logger: logger) }
        try await OwnThread.run { for process in processes { process.waitUntilExit() } }
        #expect(processes.allSatisfy { $0.terminationReason == .exit && $0.terminationStatus == 0 })

        // The long-running store sees the processes' entries without reopening, and they see its.
        #expect(try await store.count(matching: ArchiveQuery()) == 53)
        #expect(try await store.count(matching: ArchiveQuery(recipient: "zoe@example.com")) == 12)
        #expect(try await store.entries(matching: ArchiveQuery(text: "process 7")).map(\.subject) == ["From process 7"])
        let list = try await MailroomExecutable.run(["archive", "list", "--json", "--dir", outbox, "--to", "in-process@example.com"], directory: directory.path)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout)) as? [[String: Any]])
        #expect(listed.count == 41)
        #expect(listed.last?["id"] as? String == first.id)
        let verify = try await MailroomExecutable.run(["archive", "verify", "--dir", outbox], directory: directory.path)
        #expect(Self.stdout(verify) == "Verified 53 messages in \(outbox): intact.\n", "\(verify.stderr)")
        try await store.close()
    }

    @Test("search, list paging and counts, and reindex from the files after the index is lost")
    func searchPagingReindex() async throws {
        let directory = try TemporaryDirectory()
        for (subject, text) in [("Invoice March", "Your March invoice is attached."), ("Welcome", "Hello and welcome."), ("Invoice April", "Due soon.")] {
            let sent = try await MailroomExecutable.run(["send"] + Self.message + ["--subject", subject, "--text", text], directory: directory.path)
            #expect(sent.status == 0, "\(sent.stderr)")
        }
        let search = try await MailroomExecutable.run(["archive", "search", "invoice march", "--json"], directory: directory.path)
        #expect(search.status == 0, "\(search.stderr)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(search.stdout)) as? [[String: Any]])
        #expect(found.map { $0["subject"] as? String } == ["Invoice March"])
        let lines = Self.stdout(try await MailroomExecutable.run(["archive", "search", "invoice"], directory: directory.path))
        #expect(lines.split(separator: "\n").count == 2)
        #expect(Self.stdout(try await MailroomExecutable.run(["archive", "search", "nothing-like-it"], directory: directory.path)) == "No archived messages in .mailroom/outbox match.\n")
        let bad = try await MailroomExecutable.run(["archive", "search", "*"], directory: directory.path)
        #expect(bad.status != 0)
        #expect(bad.stderr == "mailroom: error: text: '*' has no word to search for\n")

        // Newest first, a page at a time: the hint names the cursor of the next page.
        let page = try await MailroomExecutable.run(["archive", "list", "--limit", "2"], directory: directory.path)
        let pageLines = Self.stdout(page).split(separator: "\n")
        #expect(pageLines.count == 2)
        #expect(pageLines.first?.hasSuffix("Invoice April") == true)
        let cursor = try #require(page.stderr.components(separatedBy: "--before ").last?.components(separatedBy: " ").first)
        let next = try await MailroomExecutable.run(["archive", "list", "--limit", "2", "--before", cursor], directory: directory.path)
        #expect(Self.stdout(next).split(separator: "\n").map { $0.hasSuffix("Invoice March") } == [true])
        #expect(next.stderr.isEmpty)
        #expect(Self.stdout(try await MailroomExecutable.run(["archive", "list", "--count", "--to", "zoe@example.com"], directory: directory.path)) == "3\n")

        // The index lost: opening rebuilds it from the files, and reindex finds nothing more to add.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: "\(directory.path)/.mailroom/outbox/archive.sqlite\(suffix)") }
        let reindex = try await MailroomExecutable.run(["archive", "reindex"], directory: directory.path)
        #expect(reindex.status == 0, "\(reindex.stderr)")
        #expect(Self.stdout(reindex) == "Reindexed .mailroom/outbox: 0 messages added from their files, 3 in the index.\n")
        let states = Self.stdout(try await MailroomExecutable.run(["archive", "list", "--json"], directory: directory.path))
        #expect(states.components(separatedBy: "\"state\":\"pending\"").count - 1 == 3)
        #expect(Self.stdout(try await MailroomExecutable.run(["archive", "search", "march invoice", "--count"], directory: directory.path)) == "1\n")
    }
}
