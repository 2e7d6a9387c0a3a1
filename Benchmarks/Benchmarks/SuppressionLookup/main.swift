import Foundation
import Logging
import Mailroom
import MailroomPostgres
import MailroomSQLite
import PostgresNIO

// The batch look-up a send makes, `suppressions(for:taggedWith:)` over 1,000 recipients, on the
// PostgreSQL mirror and on the SQLite one side by side in one run: each store holds N entries
// (default 100,000: bounces, complaints and tagged unsubscribes), a tenth of the recipients
// looked up are listed; medians and 95th percentiles of 50 look-ups after 5 warm-ups.
//
// Not an ordo-one benchmark: it needs a server, named by MAILROOM_POSTGRES_URL.
//
//   eval "$(.ci/postgres-start)"
//   cd Benchmarks && swift build -c release --product SuppressionLookup && .build/release/SuppressionLookup 100000

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
let logger = Logger(label: "suppression-lookup", factory: { _ in SwiftLogNoOpLogHandler() })
guard let url = ProcessInfo.processInfo.environment[PostgresURL.environmentVariable] else {
    FileHandle.standardError.write(Data("SuppressionLookup: set MAILROOM_POSTGRES_URL (eval \"$(.ci/postgres-start)\")\n".utf8))
    exit(2)
}

func milliseconds(_ duration: Duration) -> Double {
    (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) * 1_000
}

/// The entries: one per address, of every kind, unsubscribes tagged.
let kinds: [Suppression.Kind] = [.bounce, .complaint, .unsubscribe]
func entries(_ kind: Suppression.Kind) throws -> [Suppression] {
    try stride(from: kinds.firstIndex(of: kind) ?? 0, to: count, by: 3).map { index in
        Suppression(kind: kind, address: try EmailAddress(mailbox: "listed\(index)@example.com"), tags: kind == .unsubscribe ? ["newsletter"] : [], code: kind == .bounce ? "550" : nil)
    }
}
/// 1,000 recipients, every tenth one listed.
let recipients = try (0..<1_000).map { index in
    try EmailAddress(mailbox: index % 10 == 0 ? "listed\(index * 37 % count)@example.com" : "customer\(index)@example.com")
}

func measure(_ store: some SuppressionStore) async throws -> (median: Double, p95: Double, found: Int) {
    var samples: [Double] = []
    var found = 0
    for round in 0..<55 {
        let start = ContinuousClock.now
        let result = try await store.suppressions(for: recipients, taggedWith: ["newsletter"], logger: logger)
        if round >= 5 { samples.append(milliseconds(ContinuousClock.now - start)) }
        found = result.compactMap { $0 }.count
    }
    samples.sort()
    return (samples[samples.count / 2], samples[samples.count * 95 / 100], found)
}

let client = PostgresClient(configuration: try PostgresURL(url).clientConfiguration, backgroundLogger: logger)
let schema = "bench_" + UUID().uuidString.prefix(8).lowercased()
try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { await client.run() }
    let postgres = try await PostgresSuppressionStore.open(client: client, configuration: .init(schema: schema), logger: logger)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suppression-lookup-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let sqlite = try await SQLiteSuppressionStore.open(path: directory + "/suppressions.sqlite")
    for kind in kinds {
        let all = try entries(kind)
        for start in stride(from: 0, to: all.count, by: 5_000) {
            let batch = Array(all[start..<min(start + 5_000, all.count)])
            try await postgres.add(contentsOf: batch, logger: logger)
            try await sqlite.add(contentsOf: batch, logger: logger)
        }
    }
    let onPostgres = try await measure(postgres)
    let onSQLite = try await measure(sqlite)
    guard onPostgres.found == onSQLite.found, onPostgres.found > 0 else {
        FileHandle.standardError.write(Data("SuppressionLookup: the stores disagree (\(onPostgres.found) vs \(onSQLite.found))\n".utf8))
        exit(1)
    }
    print("| 1,000 recipients looked up over \(count) entries (\(onPostgres.found) suppressed) | Median | p95 |")
    print("| --- | ---: | ---: |")
    print("| PostgresSuppressionStore (loopback server) | \(String(format: "%.2f", onPostgres.median)) ms | \(String(format: "%.2f", onPostgres.p95)) ms |")
    print("| SQLiteSuppressionStore | \(String(format: "%.2f", onSQLite.median)) ms | \(String(format: "%.2f", onSQLite.p95)) ms |")
    try await sqlite.close()
    try await client.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
    group.cancelAll()
}
