import Foundation
import MailroomTestSupport
import NIOHTTP1
import Testing

/// The `mailgun-mock` executable: prints its base URL, serves, and stops cleanly on SIGTERM and SIGINT.
@Suite struct MailgunMockExecutableTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func printsItsURLServesAndStopsOnSignal(signal: Int32) async throws {
        let executable = try #require(Executable.besideTests("mailgun-mock"), "build the package first")
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--port", "0", "--api-key", "key-cli", "--domain", "cli.test"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let line = await output.fileHandleForReading.firstLine().trimmingCharacters(in: .newlines)
        #expect(line.range(of: #"^http://127\.0\.0\.1:\d+$"#, options: .regularExpression) != nil, "\(line)")
        let client = MockClient(baseURL: line, apiKey: "key-cli")
        let reply = try await client.request(.POST, "/v3/cli.test/messages", .form([
            ("from", "a@cli.test"), ("to", "b@example.com"), ("subject", "s"), ("text", "t"),
        ]))
        #expect(reply.status == 200)

        kill(process.processIdentifier, signal)
        await process.waitForExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test func refusesToStartWithoutKeysOrDomains() async throws {
        let executable = try #require(Executable.besideTests("mailgun-mock"))
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--domain", "cli.test"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        await process.waitForExit()
        #expect(process.terminationStatus != 0)
        #expect(String(decoding: await errors.fileHandleForReading.readAll(), as: UTF8.self).contains("--api-key"))
    }
}
