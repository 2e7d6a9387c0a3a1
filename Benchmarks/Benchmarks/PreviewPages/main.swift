import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import Mailroom
import MailroomArchive
import MailroomPreview

// The preview's pages over a large archive: an archive of N messages (default 10,000; recorded
// with .processCrash to build it quickly), served by the preview's routes on loopback in this
// process, and each page requested 50 times over one keep-alive connection: the table gives the
// median and the 95th percentile of the time from sending the request to having the whole answer
// (so it includes the client and loopback, which the server time is less than).
//
// Not an ordo-one benchmark: the figure that matters is a time per page at one archive size.
//
//   cd Benchmarks && swift build -c release --product PreviewPages
//   .build/release/PreviewPages 10000

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
let logger = Logger(label: "preview-pages", factory: { _ in SwiftLogNoOpLogHandler() })

func milliseconds(_ duration: Duration) -> Double {
    (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) * 1_000
}

func fixed(_ value: Double) -> String { String(format: "%.2f", value) }

/// Stops the run when a page is not what the benchmark set up.
func require(_ condition: Bool, _ what: String) {
    if !condition {
        FileHandle.standardError.write(Data("PreviewPages: unexpected result: \(what)\n".utf8))
        exit(1)
    }
}

// Not the system's temporary folder, for the reason Benchmarks/ArchivePath gives.
let base = ProcessInfo.processInfo.environment["ARCHIVEPATH_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? ".build/archive-path"
let directory = URL(fileURLWithPath: base).appendingPathComponent("preview-\(UUID().uuidString)").standardizedFileURL.path
defer { try? FileManager.default.removeItem(atPath: directory) }

let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
let builder = try FileArchiveStore(directory: directory, configuration: .init(durability: .processCrash))
let started = ContinuousClock.now
try await withThrowingTaskGroup(of: Void.self) { group in
    for worker in 0..<16 {
        group.addTask {
            for index in stride(from: worker, to: count, by: 16) {
                var email = Email(from: "Acme <hello@acme.test>", to: [try EmailAddress(mailbox: "customer\(index % 1_000)@example.com")], subject: "Invoice \(index) for \(months[index % 12])")
                email.text = "Your invoice \(index) for \(months[index % 12]) is attached. Order \(index * 7 % 100_003)."
                email.html = "<p>Your invoice <b>\(index)</b> for \(months[index % 12]) is attached.</p>"
                email.options.tags = ["invoice", "batch-\(index % 50)"]
                _ = try await builder.record(try email.renderMIME(), details: ArchiveDetails(email), outcome: .sent(providerID: "<\(index)@acme.test>"), logger: logger)
            }
        }
    }
    try await group.waitForAll()
}
try await builder.close()
print("Built an archive of \(count) messages in \(fixed(milliseconds(ContinuousClock.now - started) / 1_000)) s")

let store = try FileArchiveStore(directory: directory)
let newest = try await store.entries(matching: ArchiveQuery(limit: 50))
require(newest.count == 50, "50 newest")
let router = Router()
PreviewController<BasicRequestContext>(store: store).addRoutes(to: router)
let port = 18_000 + Int.random(in: 0..<2_000)
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await app.run() }
    try await Task.sleep(for: .milliseconds(300))
    let pages: [(String, String, String)] = [
        ("The list: newest 50 and the count", "/", "data-total=\"\(count)\""),
        ("The second page (by cursor)", "/?before=\(newest[49].id)", "(1–50 shown)"),
        ("Search \"invoice march\" (a word in every message), best 50, with the count", "/?q=invoice+march", "data-total=\"\((count + 9) / 12)\""),
        ("Search a customer and a month (\"customer417 june\")", "/?q=customer417+june", "messages"),
        ("Filter by recipient (of \(count / 1_000)) and tag", "/?to=customer417%40example.com&tag=invoice", "data-total=\"\(count / 1_000)\""),
        ("One message's page", "/messages/\(newest[7].id)", newest[7].subject),
        ("The list as JSON", "/api/v1/messages", "\"total\":\(count)"),
    ]
    print("| Over \(count) archived messages | Median | p95 |")
    print("| --- | ---: | ---: |")
    for (name, path, expected) in pages {
        var samples: [Double] = []
        for round in 0..<55 {
            let start = ContinuousClock.now
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 16 << 20)
            let elapsed = milliseconds(ContinuousClock.now - start)
            require(response.status == .ok && String(buffer: body).contains(expected), "\(path) holds \(expected)")
            if round >= 5 { samples.append(elapsed) }  // the first few warm the caches
        }
        samples.sort()
        print("| \(name) | \(fixed(samples[samples.count / 2])) ms | \(fixed(samples[samples.count * 95 / 100])) ms |")
    }
    group.cancelAll()
}
try await store.close()
