import ArgumentParser
import Foundation
import Mailroom
import MailroomTestSupport
import Testing

@testable import mailroom  // the `mailroom` executable target (Sources/MailroomCLI)

@Suite struct RenderCommandTests {
    @Test func flagsBuildTheEmail() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = directory.appendingPathComponent("body.html")
        try Data("<p>Hi</p>".utf8).write(to: html)
        let logo = directory.appendingPathComponent("logo.png")
        try Data([1, 2, 3]).write(to: logo)

        let options = try MessageOptions.parse([
            "--from", "Acme <hello@acme.test>",
            "--to", "a@example.com, \"Doe, Jane\" <j@example.com>", "--to", "b@example.com",
            "--cc", "c@example.com", "--bcc", "d@example.com", "--reply-to", "help@acme.test",
            "--subject", "Hello", "--text", "plain", "--html-file", html.path,
            "--inline", logo.path, "--header", "X-Campaign: spring", "--header", "X-Empty:",
            "--tag", "welcome", "--var", "user=42", "--var", "eq=a=b",
        ])
        let email = try options.makeEmail()
        #expect(email.from == "Acme <hello@acme.test>")
        #expect(email.to.map(\.mailbox) == ["a@example.com", "j@example.com", "b@example.com"])
        #expect(email.to[1].displayName == "Doe, Jane")
        #expect(email.cc == ["c@example.com"])
        #expect(email.bcc == ["d@example.com"])
        #expect(email.replyTo == ["help@acme.test"])
        #expect(email.html == "<p>Hi</p>")
        #expect(email.attachments.first?.disposition == .inline)
        #expect(email.attachments.first?.contentID == "logo.png")
        #expect(email.headers == [EmailHeader("X-Campaign", "spring"), EmailHeader("X-Empty", "")])
        #expect(email.options.tags == ["welcome"])
        #expect(email.options.variables == ["user": "42", "eq": "a=b"])
    }

    @Test(arguments: [
        (["--to", "a@example.com", "--subject", "s", "--text", "t"], "from: a sender is required"),
        (["--from", "a@acme.test", "--subject", "s", "--text", "t"], "to: at least one recipient"),
        (["--from", "a@acme.test", "--to", "a@example.com", "--text", "t"], "subject: a subject is required"),
        (["--from", "a@acme.test", "--to", "a@example.com", "--subject", "s"], "text: need at least one of"),
        (["--from", "a@acme.test", "--to", "a@example.com, bad", "--subject", "s", "--text", "t"], "to[1]: missing '@'"),
        (["--from", "a@acme.test", "--to", "a@example.com", "--subject", "s", "--text", "t", "--header", "NoColon"], "header[0]: expected 'Name: value'"),
        (["--from", "a@acme.test", "--to", "a@example.com", "--subject", "s", "--text", "t", "--var", "novalue"], "var[0]: expected 'key=value'"),
        (["--from", "a@acme.test", "--to", "a@example.com", "--subject", "s", "--text", "t", "--text-file", "x"], "text: give --text or --text-file, not both"),
        (["--from", "a@acme.test", "--to", "a@example.com", "--subject", "s", "--text-file", "/nonexistent/body.txt"], "text-file: cannot read"),
        (["--from", "a@acme.test", "--to", "a@example.com", "--subject", "s", "--text", "t", "--attach", "/nonexistent/a.pdf"], "attachment[a.pdf]: no readable file"),
    ])
    func badInputNamesTheField(arguments: [String], message: String) {
        #expect {
            try MessageOptions.parse(arguments).makeEmail()
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    @Test func datesAreRFC3339OrRFC2822() throws {
        let expected: [(String, Double)] = [
            ("2026-11-21T10:00:00Z", 1_795_255_200), ("2026-11-21T12:00:00+02:00", 1_795_255_200), ("2026-11-21T10:00:00.250Z", 1_795_255_200.25),
            ("Sat, 21 Nov 2026 10:00:00 +0000", 1_795_255_200), ("Sat, 21 Nov 2026 05:00:00 -0500", 1_795_255_200),
            ("21 Nov 2026 10:00:00 GMT", 1_795_255_200), ("Sat, 21 Nov 2026 10:00 +0000", 1_795_255_200),
            ("Fri, 14 Oct 2033 12:00:00 +0000", 2_012_904_000),
        ]
        for (text, seconds) in expected {
            #expect(try CommandDate.parse(text, field: "date").timeIntervalSince1970 == seconds, "\(text)")
        }
        for bad in ["yesterday", "2026-13-01T00:00:00Z", "2026-11-21", "Sat, 32 Nov 2026 10:00:00 +0000", "Sat, 21 Nov 2026 25:00:00 +0000"] {
            #expect(throws: MailroomError.invalidValue(field: "deliver-at", "'\(bad)' is neither an RFC 3339 date such as 2026-11-21T10:00:00Z nor an RFC 2822 date such as Fri, 14 Oct 2033 12:00:00 +0000")) {
                try CommandDate.parse(bad, field: "deliver-at")
            }
        }
    }

    @Test func renderWritesMIMEThatPythonParses() async throws {
        let result = try await MailroomExecutable.run([
            "render", "--from", "Zoë <zoe@acme.test>", "--to", "bob@example.com", "--bcc", "hidden@example.com",
            "--subject", "Grüße", "--text", "Hallo", "--html", "<p>Hallo</p>", "--header", "X-Campaign: spring",
            "--date", "2026-11-21T10:00:00Z", "--message-id", "cli-1@acme.test",
        ])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.hasPrefix("Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <cli-1@acme.test>\r\n"))
        #expect(!text.contains("hidden@example.com"))
        let parsed = try await ParsedMessage.parse(result.stdout)
        #expect(parsed.header("Subject") == "Grüße")
        #expect(parsed.addresses["From"] == [["Zoë", "zoe@acme.test"]])
        #expect(parsed.structure == "multipart/alternative(text/plain,text/html)")
        #expect(parsed.header("X-Campaign") == "spring")
        #expect(parsed.defects.isEmpty)
    }

    @Test(arguments: [
        (["render", "--from", "a@acme.test", "--to", "bob@example.com", "--subject", "Hi\r\nBcc: victim@example.com", "--text", "t"], "subject"),
        (["render", "--from", "a@acme.test", "--to", "bob", "--subject", "s", "--text", "t"], "to[0]"),
        (["render", "--from", "a@acme.test", "--to", "b@example.com", "--subject", "s", "--text", "t", "--tag", "x\ny"], "tags[0]"),
        (["render", "--from", "a@acme.test", "--to", "b@example.com", "--subject", "s", "--text", "t", "--date", "yesterday"], "date"),
    ])
    func badInputExitsNonZeroWithOneLineAndNoOutput(arguments: [String], field: String) async throws {
        let result = try await MailroomExecutable.run(arguments)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty, "nothing on stdout")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("mailroom: error: \(field): ") == true, "\(result.stderr)")
    }
}
