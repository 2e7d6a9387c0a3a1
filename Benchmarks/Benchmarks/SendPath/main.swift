import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import Mailroom
import MailroomMailgun
import NIOCore
import NIOHTTP1

// The send path's cost next to the HTTP client's own: raw AsyncHTTPClient posting a prepared
// multipart body, and `MailgunMailer.send` producing the same bytes, against one local sink outside
// this process (Benchmarks/Scripts/nginx-sink), at concurrency 1, 16 and 64. Rounds alternate the
// two, and each reports throughput and this process's CPU time per send; the table gives medians
// and the medians of each round's Mailroom-to-raw ratios. Not an ordo-one benchmark: the figures
// that matter are the ratios of two variants measured side by side in one process, which that
// harness does not report.
//
//   Benchmarks/Scripts/nginx-sink start
//   cd Benchmarks && MAILROOM_SINK_URL=http://127.0.0.1:8099 swift run -c release SendPath [rounds]
//   SENDPATH_SENDS=3000 … SendPath 100     # shorter rounds (sends per round at 16 and 64; a quarter at 1)
//   SENDPATH_PROFILE=mailroom perf record -e cpu-clock -g .build/release/SendPath   # one variant, for profiles
//   SENDPATH_TRACE=1 …                     # runs traced, to split one profile by variant (Scripts/sendpath-split)

guard let sink = ProcessInfo.processInfo.environment["MAILROOM_SINK_URL"], !sink.isEmpty else {
    FileHandle.standardError.write(Data("SendPath: set MAILROOM_SINK_URL (Benchmarks/Scripts/nginx-sink start prints it)\n".utf8))
    exit(2)
}
let rounds = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 5
let key = "key-benchmark"
let client = HTTPClient.shared
let mailer = MailgunMailer(configuration: try MailgunConfiguration(apiKey: key, region: .custom(sink), domain: "acme.test"), httpClient: client)
let email = Email(from: "Acme <hello@acme.test>", to: ["bob@example.com"], subject: "Hello", text: "Hi", html: "<p>Hi</p>")

// The bytes MailgunMailer writes for `email` (its fields in its order, a boundary of the same length).
let boundary = "mailroom-" + (0..<2).map { _ in
    let hex = String(UInt64.random(in: .min ... .max), radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}.joined()
var form = ""
for (name, value) in [("from", "Acme <hello@acme.test>"), ("to", "bob@example.com"), ("subject", "Hello"), ("text", "Hi"), ("html", "<p>Hi</p>")] {
    form += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
}
form += "--\(boundary)--\r\n"
let rawBody = ByteBuffer(string: form)
let rawHeaders: HTTPHeaders = [
    "Authorization": "Basic " + Data("api:\(key)".utf8).base64EncodedString(),
    "User-Agent": "mailroom-benchmark",
    "Accept": "application/json",
    "Content-Type": "multipart/form-data; boundary=\(boundary)",
]

@Sendable func sendRaw() async throws {
    var request = HTTPClientRequest(url: sink + "/v3/acme.test/messages")
    request.method = .POST
    request.headers = rawHeaders
    request.body = .bytes(rawBody)
    let response = try await client.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 20)
    precondition(response.status == .ok && body.readableBytes > 0)
}

@Sendable func sendMailroom() async throws {
    let receipt = try await mailer.send(email)
    precondition(receipt.id != nil)
}

struct Sample {
    var perSecond: Double
    var cpuMicrosecondsPerSend: Double
}

/// SENDPATH_TRACE=1: each run's variant and its start and end on the monotonic clock, on standard
/// error, to split a `perf record -k mono` profile of one process by variant (so raw and Mailroom
/// are compared in the same machine state).
let traceRuns = ProcessInfo.processInfo.environment["SENDPATH_TRACE"] != nil

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func run(_ variant: String, _ sends: Int, concurrency: Int, _ send: @escaping @Sendable () async throws -> Void) async throws -> Sample {
    let traceStart = traceRuns ? monotonicSeconds() : 0
    defer {
        if traceRuns { FileHandle.standardError.write(Data("run \(variant) \(concurrency) \(sends) \(traceStart) \(monotonicSeconds())\n".utf8)) }
    }
    let cpuBefore = processCPUTime()
    let started = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                for _ in stride(from: worker, to: sends, by: concurrency) { try await send() }
            }
        }
        try await group.waitForAll()
    }
    let wall = ContinuousClock.now - started
    let cpu = processCPUTime() - cpuBefore
    func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
    return Sample(perSecond: Double(sends) / seconds(wall), cpuMicrosecondsPerSend: seconds(cpu) * 1e6 / Double(sends))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

// SENDPATH_PROFILE=raw|mailroom runs one variant for `perf record` (at concurrency 16, or
// SENDPATH_CONCURRENCY), and prints nothing.
if let variant = ProcessInfo.processInfo.environment["SENDPATH_PROFILE"] {
    let concurrency = ProcessInfo.processInfo.environment["SENDPATH_CONCURRENCY"].flatMap(Int.init) ?? 16
    _ = try await run(variant, concurrency == 1 ? 15_000 : 60_000, concurrency: concurrency, variant == "raw" ? sendRaw : sendMailroom)
    exit(0)
}

// SENDPATH_MEMORY=FILE: this process's peak resident memory after small sends and then after
// sending FILE as an attachment five times to a sink that reads every byte before it answers;
// prints both and the growth.
if let file = ProcessInfo.processInfo.environment["SENDPATH_MEMORY"] {
    func peakMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1_024
    }
    for _ in 0..<50 { try await sendMailroom() }
    let small = peakMegabytes()
    // To the sink's reading.test location, which reads each body to its end before answering.
    var large = email
    large.options.mailgun.domain = "reading.test"
    large.attachments = [try .file(at: file)]
    let started = ContinuousClock.now
    for _ in 0..<5 {
        let receipt = try await mailer.send(large)
        precondition(receipt.id != nil)
    }
    let milliseconds = (ContinuousClock.now - started) / .milliseconds(1) / 5
    let attached = peakMegabytes()
    print(String(format: "peak resident: %.1f MB after small sends, %.1f MB after five sends of %@ (+%.1f MB), %.0f ms per send", small, attached, file, attached - small, milliseconds))
    exit(0)
}

print("Send path against \(sink): \(rounds) rounds per concurrency; medians, and medians of the rounds' ratios")
print("| Concurrency | Raw AHC sends/s | MailgunMailer sends/s | Throughput ratio | Raw CPU µs/send | MailgunMailer CPU µs/send | CPU ratio |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
let sendsPerRound = ProcessInfo.processInfo.environment["SENDPATH_SENDS"].flatMap(Int.init) ?? 12_000
for concurrency in [1, 16, 64] {
    let sends = concurrency == 1 ? sendsPerRound / 4 : sendsPerRound
    _ = try await run("warm-up", 3_000, concurrency: concurrency, sendRaw)        // warm-up: connections, caches
    _ = try await run("warm-up", 3_000, concurrency: concurrency, sendMailroom)
    var raw: [Sample] = []
    var mailroom: [Sample] = []
    for round in 0..<rounds {
        // Alternate which goes first, so neither always runs on a warmer machine.
        if round % 2 == 0 {
            raw.append(try await run("raw", sends, concurrency: concurrency, sendRaw))
            mailroom.append(try await run("mailroom", sends, concurrency: concurrency, sendMailroom))
        } else {
            mailroom.append(try await run("mailroom", sends, concurrency: concurrency, sendMailroom))
            raw.append(try await run("raw", sends, concurrency: concurrency, sendRaw))
        }
    }
    let rawRate = median(raw.map(\.perSecond)), mailroomRate = median(mailroom.map(\.perSecond))
    let rawCPU = median(raw.map(\.cpuMicrosecondsPerSend)), mailroomCPU = median(mailroom.map(\.cpuMicrosecondsPerSend))
    // The ratios are medians of each round's pair (run back to back), which the machine's drift
    // between rounds moves far less than a ratio of two medians.
    if ProcessInfo.processInfo.environment["SENDPATH_VERBOSE"] != nil {
        let rounds = zip(mailroom, raw).map { String(format: "%.2f/%.2f", $0.perSecond / $1.perSecond, $0.cpuMicrosecondsPerSend / $1.cpuMicrosecondsPerSend) }
        FileHandle.standardError.write(Data("concurrency \(concurrency), each round's throughput/CPU ratio: \(rounds.joined(separator: " "))\n".utf8))
    }
    let rateRatio = median(zip(mailroom, raw).map { $0.perSecond / $1.perSecond })
    let cpuRatio = median(zip(mailroom, raw).map { $0.cpuMicrosecondsPerSend / $1.cpuMicrosecondsPerSend })
    print(String(format: "| %d | %.0f | %.0f | %.2f× | %.1f | %.1f | %.2f× |", concurrency, rawRate, mailroomRate, rateRatio, rawCPU, mailroomCPU, cpuRatio))
}
