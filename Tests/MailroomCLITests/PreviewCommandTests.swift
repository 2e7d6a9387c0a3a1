import AsyncHTTPClient
import Foundation
import MailroomTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// `mailroom preview` as a user runs it: over an outbox filled by `mailroom send`, with new mail
/// reaching an open page's event stream, and refusing to serve beyond loopback unguarded.
@Suite struct PreviewCommandTests {
    @Test func servesTheOutboxAndStreamsMessagesSentWhileItRuns() async throws {
        let directory = try TemporaryDirectory()
        let environment = ["MAILROOM_OUTBOX": directory.path + "/outbox"]
        let sent = try await MailroomExecutable.run(
            ["send", "--from", "hello@acme.test", "--to", "zoe@example.com", "--subject", "Before <the> preview", "--text", "Hi"],
            environment: environment
        )
        #expect(sent.status == 0, "\(sent.stderr)")

        let process = try MailroomExecutable.makeProcess(["preview", "--port", "0", "--poll-interval", "50"], environment: environment, directory: directory.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let line = await output.fileHandleForReading.firstLine()
        #expect(line.hasPrefix("Mailroom preview of \(directory.path)/outbox: http://127.0.0.1:"))
        let url = try #require(line.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })

        let page = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        #expect(page.status == .ok)
        let html = String(buffer: try await page.body.collect(upTo: 1 << 20))
        #expect(html.contains("Before &lt;the&gt; preview"))

        // The page's event stream, then a message sent by another process.
        let events = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "api/v1/events"), timeout: .seconds(10))
        #expect(events.headers.first(name: "Content-Type") == "text/event-stream")
        var stream = events.body.makeAsyncIterator()
        let opening = try #require(try await stream.next())
        #expect(String(buffer: opening).hasPrefix("retry: 1000"))
        let later = try await MailroomExecutable.run(
            ["send", "--from", "hello@acme.test", "--to", "bob@example.com", "--subject", "Sent while open", "--text", "Hi"],
            environment: environment
        )
        #expect(later.status == 0)
        var received = ""
        while !received.contains("\n\n"), let chunk = try await stream.next() {
            received += String(buffer: chunk)
        }
        #expect(received.hasPrefix("event: message\nid: "))
        #expect(received.contains("\"subject\":\"Sent while open\""))
        #expect(!received.contains("Before <the> preview"), "only what was recorded after the stream opened")

        // SIGINT stops the server although a stream is open.
        process.interrupt()
        let stopped = ContinuousClock.now
        await process.waitForExit()
        #expect(process.terminationStatus == 0)
        #expect(ContinuousClock.now - stopped < .seconds(20))
    }

    @Test func anAddressBeyondLoopbackNeedsAllowRemoteAndAToken() async throws {
        let cases: [([String], [String: String], String)] = [
            (["--host", "0.0.0.0"], [:], "host"),
            (["--host", "192.0.2.10", "--token", "tok-0123456789abcdef"], [:], "host"),
            (["--host", "0.0.0.0", "--allow-remote"], [:], "token"),
            (["--host", "0.0.0.0", "--allow-remote", "--token", "short"], [:], "token"),
            (["--host", "0.0.0.0", "--allow-remote"], ["MAILROOM_PREVIEW_TOKEN": "short"], "token"),
            (["--port", "70000"], [:], "port"),
            (["--poll-interval", "0"], [:], "poll-interval"),
        ]
        for (arguments, environment, field) in cases {
            let result = try await MailroomExecutable.run(["preview", "--port", "0"] + arguments, environment: environment)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.hasPrefix("mailroom: error: \(field):"), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("tok-0123456789abcdef"), "the token is never echoed")
        }
    }
}
