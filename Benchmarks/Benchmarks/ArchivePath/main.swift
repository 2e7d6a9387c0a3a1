import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import Logging
import Mailroom
import MailroomArchive
import MailroomMailgun
import MailroomPostgres
import NIOPosix
import PostgresNIO

// The archive's cost on the send path and its queries at scale, each measured side by side in one
// process run:
//
//   sends [rounds]     MailgunMailer unarchived, archived with durability .full, and archived with
//                      .processCrash, at concurrency 1 and 16, against one local sink outside this
//                      process (Benchmarks/Scripts/nginx-sink); rounds alternate the variants, the
//                      table gives medians of sends per second and the ratios to unarchived.
//   fsyncs N C         N archived sends at concurrency C and nothing else, for
//                      Benchmarks/Scripts/archive-fsyncs, which counts the flushes with strace.
//   postgres [rounds]  unarchived, FileArchiveStore (.full) and PostgresArchiveStore on the server
//                      MAILROOM_POSTGRES_URL names (.ci/postgres-start), at concurrency 1 and 16.
//   floor [N]          the least any archive that keeps one durable file per message adds to a
//                      send: N unarchived sends, then N bare durable files (created, written,
//                      synced, renamed into place, a folder flush per 16) on the store's thread
//                      pool, both at concurrency 16; CPU per operation, and the archived-to-
//                      unarchived throughput such an archive could reach at most when sends are
//                      bound by CPU (as they are at concurrency 16 on two cores).
//   queries N          an archive of N messages (recorded with .processCrash to build it
//                      quickly), reopened, then the time to open it, query by recipient, search,
//                      count and page: medians of 25 runs each.
//
// Not an ordo-one benchmark: the figures that matter are ratios of variants measured in one run.
//
//   Benchmarks/Scripts/nginx-sink start
//   cd Benchmarks && swift build -c release --product ArchivePath
//   MAILROOM_SINK_URL=http://127.0.0.1:8099 .build/release/ArchivePath sends 5
//   .build/release/ArchivePath queries 100000
//   MAILROOM_SINK_URL=http://127.0.0.1:8099 .build/release/ArchivePath floor 8000
//   eval "$(../.ci/postgres-start)" && MAILROOM_SINK_URL=http://127.0.0.1:8099 .build/release/ArchivePath postgres 5

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first ?? "sends"
let logger = Logger(label: "archive-path", factory: { _ in SwiftLogNoOpLogHandler() })
let email = Email(
    from: "Acme <hello@acme.test>",
    to: ["bob@example.com"],
    subject: "Your receipt",
    text: String(repeating: "Thank you for your order. Your receipt is attached. ", count: 10),
    html: "<p>" + String(repeating: "Thank you for your order. Your receipt is attached. ", count: 10) + "</p>"
)

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// A fresh store directory under `ARCHIVEPATH_DIR`, default `.build/archive-path` in the working
/// directory. Not the system's temporary folder: on ext4 a folder where many files were created
/// and deleted (as `/tmp` on a test machine) makes each new file cost up to 15 times more to create
/// (the inode allocator skips recently deleted inodes), which would measure the machine's `/tmp`
/// rather than the archive.
func temporaryDirectory() -> String {
    let base = ProcessInfo.processInfo.environment["ARCHIVEPATH_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? ".build/archive-path"
    return URL(fileURLWithPath: base).appendingPathComponent("run-\(UUID().uuidString)").standardizedFileURL.path
}

/// Sends `count` messages through `mailer` from `concurrency` tasks; returns sends per second.
func sendRate(_ count: Int, concurrency: Int, through mailer: some Mailer) async throws -> Double {
    let started = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                for _ in stride(from: worker, to: count, by: concurrency) {
                    let receipt = try await mailer.send(email, logger: logger)
                    require(receipt.id != nil)
                }
            }
        }
        try await group.waitForAll()
    }
    return Double(count) / seconds(ContinuousClock.now - started)
}

func sink() -> String {
    guard let sink = ProcessInfo.processInfo.environment["MAILROOM_SINK_URL"], !sink.isEmpty else {
        FileHandle.standardError.write(Data("ArchivePath: set MAILROOM_SINK_URL (Benchmarks/Scripts/nginx-sink start prints it)\n".utf8))
        exit(2)
    }
    return sink
}

func mailgun() throws -> MailgunMailer {
    MailgunMailer(configuration: try MailgunConfiguration(apiKey: "key-benchmark", region: .custom(sink()), domain: "acme.test"), httpClient: .shared)
}

/// One decimal place, without `String(format:)`.
func fixed(_ value: Double, _ places: Int = 2) -> String {
    let scale = places == 1 ? 10.0 : 100.0
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < places { text += String(repeating: "0", count: places - decimals) }
    }
    return text
}

switch mode {
case "sends":
    let rounds = arguments.dropFirst().first.flatMap(Int.init) ?? 5
    let unarchived = try mailgun()
    // Removed at the end, not between rounds: on ext4, files created right after thousands were
    // deleted cost several times more (the allocator skips inodes deleted in the last seconds).
    var directories: [String] = []
    defer { for directory in directories { try? FileManager.default.removeItem(atPath: directory) } }
    print("Archived sends against \(sink()): \(rounds) rounds per concurrency, medians of sends per second")
    print("| Concurrency | Unarchived | Archived, .full | Ratio | Archived, .processCrash | Ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for concurrency in [1, 16] {
        let count = concurrency == 1 ? 1_000 : 4_000
        func archived(_ durability: ArchiveDurability) throws -> (ArchivingMailer<MailgunMailer, FileArchiveStore>, String) {
            let directory = temporaryDirectory()
            let store = try FileArchiveStore(directory: directory, configuration: .init(durability: durability))
            return (ArchivingMailer(wrapping: unarchived, store: store), directory)
        }
        // Warm-up: connections, caches, the first open of a store.
        _ = try await sendRate(count / 4, concurrency: concurrency, through: unarchived)
        let (warm, warmDirectory) = try archived(.full)
        _ = try await sendRate(count / 4, concurrency: concurrency, through: warm)
        try await warm.store.close()
        directories.append(warmDirectory)

        var plain: [Double] = [], full: [Double] = [], crash: [Double] = []
        for round in 0..<rounds {
            // Rotate which goes first, so that none always runs on a warmer machine.
            for variant in (0..<3).map({ ($0 + round) % 3 }) {
                switch variant {
                case 0: plain.append(try await sendRate(count, concurrency: concurrency, through: unarchived))
                default:
                    let (mailer, directory) = try archived(variant == 1 ? .full : .processCrash)
                    let rate = try await sendRate(count, concurrency: concurrency, through: mailer)
                    require(try await mailer.store.count(matching: ArchiveQuery(state: .sent)) == count)
                    try await mailer.store.close()
                    directories.append(directory)
                    (variant == 1 ? { full.append(rate) } : { crash.append(rate) })()
                }
            }
        }
        let base = median(plain)
        print("| \(concurrency) | \(Int(base)) | \(Int(median(full))) | \(fixed(median(full) / base))× | \(Int(median(crash))) | \(fixed(median(crash) / base))× |")
    }

case "fsyncs":
    let count = arguments.dropFirst().first.flatMap(Int.init) ?? 500
    let concurrency = arguments.dropFirst(2).first.flatMap(Int.init) ?? 1
    let directory = temporaryDirectory()
    // ARCHIVEPATH_DURABILITY=process-crash profiles the path without flushes.
    let durability = try ArchiveDurability.named(ProcessInfo.processInfo.environment["ARCHIVEPATH_DURABILITY"] ?? "full")
    let store = try FileArchiveStore(directory: directory, configuration: .init(durability: durability))
    let mailer = ArchivingMailer(wrapping: try mailgun(), store: store)
    _ = try await sendRate(count, concurrency: concurrency, through: mailer)
    try await store.close()
    // ARCHIVEPATH_KEEP=1 leaves the store: a series of runs then deletes nothing between them,
    // so that ext4's cost of creating files after deletions (see temporaryDirectory) stays out.
    if ProcessInfo.processInfo.environment["ARCHIVEPATH_KEEP"] == nil { try? FileManager.default.removeItem(atPath: directory) }

case "floor":
    let count = arguments.dropFirst().first.flatMap(Int.init) ?? 8_000
    let concurrency = 16
    let mailer = try mailgun()
    _ = try await sendRate(count / 4, concurrency: concurrency, through: mailer)  // warm-up: connections
    let sendStart = processCPUTime()
    let sendsPerSecond = try await sendRate(count, concurrency: concurrency, through: mailer)
    let sendCPU = seconds(processCPUTime() - sendStart) / Double(count)

    // The same bytes as an archived message of the benchmark's email, compressed: about 400.
    let bytes = [UInt8](repeating: 0x2a, count: 400)
    let folder = temporaryDirectory()
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { if ProcessInfo.processInfo.environment["ARCHIVEPATH_KEEP"] == nil { try? FileManager.default.removeItem(atPath: folder) } }
    let fileStart = processCPUTime()
    let started = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                for index in stride(from: worker, to: count, by: concurrency) {
                    try await NIOThreadPool.singleton.runIfActive {
                        let temporary = "\(folder)/.tmp-\(index)", final = "\(folder)/\(index).eml.gz"
                        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                        require(descriptor >= 0)
                        require(bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count)
                        require(fsync(descriptor) == 0)
                        close(descriptor)
                        require(rename(temporary, final) == 0)
                        if index % concurrency == 0 {  // a folder flush shared by a group of 16
                            let directory = open(folder, O_RDONLY | O_CLOEXEC)
                            require(directory >= 0 && fsync(directory) == 0)
                            close(directory)
                        }
                    }
                }
            }
        }
        try await group.waitForAll()
    }
    let filesPerSecond = Double(count) / seconds(ContinuousClock.now - started)
    let fileCPU = seconds(processCPUTime() - fileStart) / Double(count)
    print("Concurrency \(concurrency), \(count) of each; CPU time of this process per operation")
    print("| Operation | Per second | CPU µs each |")
    print("| --- | ---: | ---: |")
    print("| Unarchived send | \(Int(sendsPerSecond)) | \(fixed(sendCPU * 1e6, 1)) |")
    print("| Durable file (create, write, fsync, rename; a folder fsync per 16) | \(Int(filesPerSecond)) | \(fixed(fileCPU * 1e6, 1)) |")
    print("At most \(fixed(sendCPU / (sendCPU + fileCPU)))× the unarchived rate when sends are bound by CPU, before any index, compression or rendering")

case "queries":
    let count = arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let builder = try FileArchiveStore(directory: directory, configuration: .init(durability: .processCrash))
    let started = ContinuousClock.now
    let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<16 {
            group.addTask {
                for index in stride(from: worker, to: count, by: 16) {
                    var message = email
                    message.to = [try EmailAddress(mailbox: "customer\(index % 1_000)@example.com")]
                    message.subject = "Invoice \(index) for \(months[index % 12])"
                    message.text = "Your invoice \(index) for \(months[index % 12]) is attached. Order \(index * 7 % 100_003)."
                    message.options.tags = ["invoice", "batch-\(index % 50)"]
                    _ = try await builder.record(try message.renderMIME(), details: ArchiveDetails(message), outcome: .sent(providerID: "<\(index)@acme.test>"), logger: logger)
                }
            }
        }
        try await group.waitForAll()
    }
    try await builder.close()
    print("Built an archive of \(count) messages in \(fixed(seconds(ContinuousClock.now - started), 1)) s")

    func milliseconds(_ body: () async throws -> Void) async rethrows -> Double {
        var samples: [Double] = []
        for _ in 0..<25 {
            let start = ContinuousClock.now
            try await body()
            samples.append(seconds(ContinuousClock.now - start) * 1_000)
        }
        return median(samples)
    }
    let openTime = try await milliseconds {
        let store = try FileArchiveStore(directory: directory)
        require(try await store.entries(matching: ArchiveQuery(limit: 1)).count == 1)
        try await store.close()
    }
    let store = try FileArchiveStore(directory: directory)
    var cursor: String?
    let rows: [(String, Double)] = [
        ("Open the store and read the newest entry", openTime),
        ("Newest 50 to one recipient (of \(count / 1_000))", try await milliseconds {
            require(try await store.entries(matching: ArchiveQuery(recipient: "customer417@example.com", limit: 50)).count == min(50, count / 1_000))
        }),
        ("Every message to one recipient (\(count / 1_000))", try await milliseconds {
            require(try await store.entries(matching: ArchiveQuery(recipient: "customer417@example.com")).count == count / 1_000)
        }),
        ("Search \"invoice march\" (a word in every message), best 50", try await milliseconds {
            require(try await store.entries(matching: ArchiveQuery(text: "invoice march", limit: 50)).count == min(50, (count + 9) / 12))
        }),
        ("Search a customer and a month (\"customer417 june\"), best 50", try await milliseconds {
            blackHole(try await store.entries(matching: ArchiveQuery(text: "customer417 june", limit: 50)))
        }),
        ("Search one order number, with a tag filter", try await milliseconds {
            blackHole(try await store.entries(matching: ArchiveQuery(tag: "batch-7", text: "order 49")))
        }),
        ("Count \"invoice march\" matches", try await milliseconds {
            require(try await store.count(matching: ArchiveQuery(text: "invoice march")) == (count + 9) / 12)
        }),
        ("Newest 100, then the next page by cursor", try await milliseconds {
            let page = try await store.entries(matching: ArchiveQuery(before: cursor, limit: 100))
            cursor = page.count == 100 ? page.last?.id : nil
        }),
        ("One message by provider id", try await milliseconds {
            require(try await store.entries(matching: ArchiveQuery(providerID: "<\(count / 2)@acme.test>")).count == 1)
        }),
    ]
    try await store.close()
    print("| Over \(count) archived messages | Median of 25 |")
    print("| --- | ---: |")
    for (name, value) in rows { print("| \(name) | \(fixed(value)) ms |") }

case "postgres":
    // Unarchived, FileArchiveStore (.full) and PostgresArchiveStore (the server MAILROOM_POSTGRES_URL
    // names), at concurrency 1 and 16, against the same sink, variants rotating within each round.
    guard let raw = ProcessInfo.processInfo.environment["MAILROOM_POSTGRES_URL"], !raw.isEmpty else {
        FileHandle.standardError.write(Data("ArchivePath: set MAILROOM_POSTGRES_URL (eval \"$(.ci/postgres-start)\")\n".utf8))
        exit(2)
    }
    let rounds = arguments.dropFirst().first.flatMap(Int.init) ?? 5
    let unarchived = try mailgun()
    var directories: [String] = []
    defer { for directory in directories { try? FileManager.default.removeItem(atPath: directory) } }
    print("Archived sends against \(sink()), PostgreSQL at \(try PostgresURL(raw)): \(rounds) rounds per concurrency, medians of sends per second")
    print("| Concurrency | Unarchived | FileArchiveStore | Ratio | PostgresArchiveStore | Ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    try await PostgresURL(raw).withClient(logger: logger) { client in
        var schemas = 0
        func postgres() async throws -> (ArchivingMailer<MailgunMailer, PostgresArchiveStore>, String) {
            schemas += 1
            let schema = "archive_path_\(schemas)"
            _ = try await client.query("DROP SCHEMA IF EXISTS \(unescaped: schema) CASCADE", logger: logger)
            let store = try await PostgresArchiveStore.open(client: client, configuration: .init(schema: schema), logger: logger)
            return (ArchivingMailer(wrapping: unarchived, store: store), schema)
        }
        for concurrency in [1, 16] {
            let count = concurrency == 1 ? 1_000 : 4_000
            // Warm-up: connections (the pool opens one per concurrent send), caches, the schema.
            _ = try await sendRate(count / 4, concurrency: concurrency, through: unarchived)
            let (warm, warmSchema) = try await postgres()
            _ = try await sendRate(count / 4, concurrency: concurrency, through: warm)
            _ = try await client.query("DROP SCHEMA \(unescaped: warmSchema) CASCADE", logger: logger)

            var plain: [Double] = [], file: [Double] = [], database: [Double] = []
            for round in 0..<rounds {
                for variant in (0..<3).map({ ($0 + round) % 3 }) {
                    switch variant {
                    case 0:
                        plain.append(try await sendRate(count, concurrency: concurrency, through: unarchived))
                    case 1:
                        let directory = temporaryDirectory()
                        let mailer = ArchivingMailer(wrapping: unarchived, store: try FileArchiveStore(directory: directory))
                        file.append(try await sendRate(count, concurrency: concurrency, through: mailer))
                        require(try await mailer.store.count(matching: ArchiveQuery(state: .sent)) == count)
                        try await mailer.store.close()
                        directories.append(directory)
                    default:
                        let (mailer, schema) = try await postgres()
                        database.append(try await sendRate(count, concurrency: concurrency, through: mailer))
                        require(try await mailer.store.count(matching: ArchiveQuery(state: .sent)) == count)
                        _ = try await client.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
                    }
                }
            }
            let base = median(plain)
            print("| \(concurrency) | \(Int(base)) | \(Int(median(file))) | \(fixed(median(file) / base))× | \(Int(median(database))) | \(fixed(median(database) / base))× |")
        }
    }

default:
    FileHandle.standardError.write(Data("ArchivePath: use sends [rounds], postgres [rounds], fsyncs N C, floor [N] or queries N\n".utf8))
    exit(2)
}

@inline(never) func blackHole<T>(_ value: T) { _ = value }

/// Stops the run when a result is not what the benchmark set up (not an autoclosure, so the
/// condition may await).
func require(_ condition: Bool, line: Int = #line) {
    if !condition {
        FileHandle.standardError.write(Data("ArchivePath: unexpected result at line \(line)\n".utf8))
        exit(1)
    }
}
