import Foundation
import Mailroom
import MailroomTestSupport
import Testing

/// Renders messages and reads them back with an independent parser (Python's `email` package),
/// checking headers, decoded bodies, attachment bytes and structure, plus the raw-byte rules a
/// lenient parser would forgive (CRLF only, line lengths).
@Suite struct MIMERenderingTests {
    /// Renders, checks the raw invariants every message must meet, and parses.
    func renderAndParse(_ email: Email, options: MIMERenderOptions = RawMIME.fixedOptions) async throws -> ([UInt8], ParsedMessage) {
        let message = try email.renderMIME(options: options)
        let bytes = try await message.collect()
        #expect(bytes.count == message.byteCount, "byteCount is promised before the first byte")
        let (lines, bare) = RawMIME.lines(bytes)
        #expect(bare == 0, "every line ends with CRLF")
        #expect(bytes.suffix(2) == [0x0D, 0x0A])
        let longest = lines.map(\.count).max() ?? 0
        #expect(longest <= 998, "no line over 998 octets")
        for line in RawMIME.headerLines(bytes) where line.utf8.count > 76 {
            // Only a single word too long to break may pass 76 columns (it must still fit in 998).
            let words = line.split(separator: " ")
            #expect(words.count == 1 || (words.count == 2 && line.hasSuffix(":") == false && words[0].hasSuffix(":")),
                    "header line not folded: \(line)")
        }
        let parsed = try await ParsedMessage.parse(bytes)
        #expect(parsed.defects.isEmpty, "parser defects: \(parsed.defects)")
        #expect(!parsed.headerNames.contains { $0.lowercased() == "bcc" })
        return (bytes, parsed)
    }

    @Test func plainText() async throws {
        let email = Email(from: "Acme <hello@acme.test>", to: ["bob@example.com"], subject: "Hello", text: "Hi Bob,\nsee you.\n")
        let (bytes, parsed) = try await renderAndParse(email)
        #expect(parsed.structure == "text/plain")
        #expect(parsed.header("From") == "Acme <hello@acme.test>")
        #expect(parsed.header("To") == "bob@example.com")
        #expect(parsed.header("Subject") == "Hello")
        #expect(parsed.header("Message-ID") == "<fixed-1@acme.test>")
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.header("Date") == "Wed, 18 Nov 2026 11:06:40 +0000")
        #expect(parsed.parts[0].text == "Hi Bob,\nsee you.\n", "a final line break is not doubled")
        #expect(parsed.parts[0].charset == "utf-8")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("\r\n\r\nHi Bob,\r\nsee you.\r\n"), "text line ends are CRLF on the wire")
    }

    @Test func textAndHTML() async throws {
        let email = Email(
            from: "hello@acme.test", to: ["bob@example.com"], subject: "Both",
            text: "Plain words", html: "<p>Rich <b>words</b></p>"
        )
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.structure == "multipart/alternative(text/plain,text/html)")
        #expect(parsed.part("text/plain")?.text == "Plain words\n")
        #expect(parsed.part("text/html")?.text == "<p>Rich <b>words</b></p>\n")
    }

    @Test func ampSitsBetweenTextAndHTML() async throws {
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "AMP", text: "t", html: "<p>h</p>")
        email.ampHTML = "<!doctype html><html ⚡4email><body>amp</body></html>"
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.structure == "multipart/alternative(text/plain,text/x-amp-html,text/html)")
        #expect(parsed.part("text/x-amp-html")?.text == email.ampHTML.map { $0 + "\n" })
    }

    @Test func htmlWithInlineImage() async throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<300).map { UInt8($0 % 256) }
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Logo", text: "logo", html: #"<img src="cid:logo.png">"#)
        email.attachments = [.inline(.bytes(png, filename: "logo.png"))]
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.structure == "multipart/alternative(text/plain,multipart/related(text/html,image/png))")
        let image = try #require(parsed.part("image/png"))
        #expect(image.bytes == png)
        #expect(image.contentID == "<logo.png>")
        #expect(image.disposition == "inline")
        #expect(image.filename == "logo.png")
    }

    @Test func severalAttachmentsIncludingNonASCIIFilenames() async throws {
        let directory = try TemporaryDirectory()
        let pdf = (0..<10_000).map { UInt8(($0 * 7) % 256) }
        let pdfPath = try directory.write(pdf, named: "report.pdf")
        let longName = "Übersicht der Quartalszahlen für das Geschäftsjahr 2026 – endgültige Fassung (freigegeben).xlsx"
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Files", text: "see attached")
        email.attachments = [
            try .file(at: pdfPath),
            .bytes(Array("a,b\n1,2\n".utf8), filename: "Résumé été.csv"),
            .bytes([1, 2, 3], filename: longName),
            .bytes(Array("quote\"and\\slash".utf8), filename: #"we"ird\name.txt"#),
            .bytes([], filename: "empty.bin"),
        ]
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.structure == "multipart/mixed(text/plain,application/pdf,text/csv,\(email.attachments[2].contentType),text/plain,application/octet-stream)")
        #expect(parsed.parts[1].bytes == pdf)
        #expect(parsed.parts[1].filename == "report.pdf")
        #expect(parsed.parts[2].filename == "Résumé été.csv")
        #expect(parsed.parts[2].bytes == Array("a,b\n1,2\n".utf8))
        #expect(parsed.parts[3].filename == longName, "RFC 2231 continuations decode to the full name")
        #expect(parsed.parts[3].bytes == [1, 2, 3])
        #expect(parsed.parts[4].filename == #"we"ird\name.txt"#)
        #expect(parsed.parts[5].bytes.isEmpty)
        #expect(parsed.parts.dropFirst().allSatisfy { $0.disposition == "attachment" })
    }

    @Test func inlineAndRegularAttachmentsNestCorrectly() async throws {
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "All", text: "t", html: "<img src=cid:a>")
        email.attachments = [.inline(.bytes([9], filename: "a.gif"), contentID: "a"), .bytes([8], filename: "b.zip")]
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.structure == "multipart/mixed(multipart/alternative(text/plain,multipart/related(text/html,image/gif)),application/zip)")
        #expect(parsed.part("image/gif")?.contentID == "<a>")
    }

    @Test func nonASCIISubjectAndDisplayNames() async throws {
        var email = Email(
            from: try EmailAddress(mailbox: "zoe@acme.test", displayName: "Zoë Ålander"),
            to: [try EmailAddress(mailbox: "li@example.com", displayName: "李小龍"), "\"Doe, Jane\" <jane@example.com>"],
            cc: [try EmailAddress(mailbox: "emoji@example.com", displayName: "Party 🎉 Time")],
            subject: "Grüße aus Köln — 你好 🎉",
            text: "Unicode body: naïve café, 日本語"
        )
        email.replyTo = [try EmailAddress(mailbox: "support@acme.test", displayName: "Support (Acme)")]
        email.headers = [EmailHeader("X-Greeting", "Señor Müller")]
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.header("Subject") == "Grüße aus Köln — 你好 🎉")
        #expect(parsed.header("From") == "Zoë Ålander <zoe@acme.test>")
        #expect(parsed.header("To") == "李小龍 <li@example.com>, \"Doe, Jane\" <jane@example.com>")
        #expect(parsed.header("Cc") == "Party 🎉 Time <emoji@example.com>")
        #expect(parsed.header("Reply-To") == "\"Support (Acme)\" <support@acme.test>")
        #expect(parsed.header("X-Greeting") == "Señor Müller")
        #expect(parsed.parts[0].text == "Unicode body: naïve café, 日本語\n")
        #expect(parsed.addresses["From"] == [["Zoë Ålander", "zoe@acme.test"]])
        #expect(parsed.addresses["To"] == [["李小龍", "li@example.com"], ["Doe, Jane", "jane@example.com"]])
        #expect(parsed.addresses["Reply-To"] == [["Support (Acme)", "support@acme.test"]])
    }

    @Test func longSubjectIsFolded() async throws {
        let words = (1...60).map { "word\($0)" }.joined(separator: " ")
        let subject = String(words.prefix(300))
        let email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: subject, text: "x")
        let (bytes, parsed) = try await renderAndParse(email)
        #expect(parsed.header("Subject") == subject)
        let subjectLines = RawMIME.headerLines(bytes).drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        #expect(subjectLines.count >= 4, "300 characters fold over several lines")
    }

    @Test func longNonASCIISubjectAndUnbrokenToken() async throws {
        let subject = String(repeating: "Ünïcödé ", count: 40) + String(repeating: "x", count: 1_200)
        let email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: subject, text: "x")
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.header("Subject") == subject)
    }

    @Test func bodyWithA2000CharacterLine() async throws {
        let line = (0..<2_000).map { String(UnicodeScalar(UInt8(97 + $0 % 26))) }.joined()
        let email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Long", text: line + "\nnext line", html: "<p>\(line)</p>")
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.part("text/plain")?.text == line + "\nnext line\n")
        #expect(parsed.part("text/html")?.text == "<p>\(line)</p>\n")
        #expect(parsed.part("text/plain")?.transferEncoding == "quoted-printable")
    }

    @Test func bodiesThatNeedEscapesRoundTrip() async throws {
        let tricky = "-- \nsignature\n--=_test_boundary_0\n.\nFrom here\ntrailing space \ntab\t\n=3D literal\n\0nul\r\nold mac\rline"
        let email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Escapes", text: tricky, html: "<p>ok</p>")
        let (_, parsed) = try await renderAndParse(email)
        let expected = tricky.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") + "\n"
        #expect(parsed.part("text/plain")?.text == expected)
    }

    @Test func transferEncodingFollowsTheContent() async throws {
        func encoding(of text: String) async throws -> String? {
            let email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "E", text: text)
            let (_, parsed) = try await renderAndParse(email)
            #expect(parsed.parts[0].text == text + "\n")
            return parsed.parts[0].transferEncoding
        }
        #expect(try await encoding(of: "Shopping:\n- milk\n- bread") == "7bit")
        #expect(try await encoding(of: "Thanks\n-- \nAcme") == "quoted-printable", "a '--' line could pose as a boundary")
        #expect(try await encoding(of: "café") == "quoted-printable")
        #expect(try await encoding(of: String(repeating: "x", count: 999)) == "quoted-printable")
        #expect(try await encoding(of: String(repeating: "x", count: 998)) == "7bit")
    }

    @Test func mostlyNonASCIITextUsesBase64() async throws {
        let text = String(repeating: "日本語のテキスト。", count: 50)
        let email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "JP", text: text)
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.parts[0].transferEncoding == "base64")
        #expect(parsed.parts[0].text == text + "\n")
    }

    @Test func bccIsNeverRendered() async throws {
        let email = Email(from: "hello@acme.test", to: ["bob@example.com"], bcc: ["hidden@example.com"], subject: "Secret", text: "x")
        let (bytes, parsed) = try await renderAndParse(email)
        #expect(parsed.header("Bcc") == nil)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("hidden@example.com"))
        #expect(email.recipients.contains("hidden@example.com"), "Bcc stays in the envelope")
    }

    @Test func onlyBccHasNoToHeader() async throws {
        let email = Email(from: "hello@acme.test", to: [], bcc: ["hidden@example.com"], subject: "Secret", text: "x")
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.header("To") == nil)
    }

    @Test func customHeadersKeepOrderAndRepeats() async throws {
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Headers", text: "x")
        email.headers = [EmailHeader("X-Tag", "one"), EmailHeader("List-Unsubscribe", "<mailto:u@acme.test>"), EmailHeader("X-Tag", "two")]
        let (_, parsed) = try await renderAndParse(email)
        let custom = parsed.headers.filter { ["X-Tag", "List-Unsubscribe"].contains($0[0]) }
        #expect(custom == [["X-Tag", "one"], ["List-Unsubscribe", "<mailto:u@acme.test>"], ["X-Tag", "two"]])
    }

    @Test func templateOnlyMessageStillRenders() async throws {
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"])
        email.template = EmailTemplate(name: "welcome")
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.structure == "text/plain")
        #expect(parsed.header("Subject") == nil)
    }

    @Test func injectedValuesMakeOutputDeterministic() async throws {
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Same", text: "t", html: "<p>h</p>")
        email.attachments = [.bytes([1, 2, 3], filename: "a.bin")]
        let first = try await RawMIME.render(email)
        let second = try await RawMIME.render(email)
        #expect(first == second)
        let random1 = try await email.renderMIME().collect()
        let random2 = try await email.renderMIME().collect()
        #expect(random1 != random2, "without injection, ids and boundaries are fresh")
    }

    @Test func generatedIDsUseTheSenderDomain() async throws {
        let email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Id", text: "t")
        let message = try email.renderMIME()
        let id = try #require(message.messageID)
        #expect(id.hasPrefix("<") && id.hasSuffix("@acme.test>"))
        let parsed = try await ParsedMessage.parse(try await message.collect())
        #expect(parsed.header("Message-ID") == id)
    }

    @Test func badInjectedBoundaryOrMessageIDIsRejected() throws {
        let email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Id", text: "t", html: "h")
        #expect { try email.renderMIME(options: MIMERenderOptions(boundary: { _ in "bad\u{7F}" })) } throws: {
            ($0 as? MailroomError)?.field == "boundary"
        }
        #expect { try email.renderMIME(options: MIMERenderOptions(messageID: "no-at-sign")) } throws: {
            ($0 as? MailroomError)?.field == "messageID"
        }
        #expect { try email.renderMIME(options: MIMERenderOptions(messageID: "a@b\r\nBcc: x@y.z")) } throws: {
            ($0 as? MailroomError)?.code == .headerInjection
        }
    }

    @Test func messagesOverTheLimitAreRejectedBeforeAnyByte() throws {
        var email = Email(from: "hello@acme.test", to: ["bob@example.com"], subject: "Big", text: "t")
        email.attachments = [.bytes([UInt8](repeating: 7, count: 3_000), filename: "big.bin")]
        let error = try #require(throws: MailroomError.self) { try email.renderMIME(options: MIMERenderOptions(maximumSize: 2_000)) }
        #expect(error.code == .messageTooLarge)
        #expect(error.field == "message")
        #expect(error.message.contains("at most 2000"))
    }

    /// Many generated messages, each read back by the independent parser.
    @Test(arguments: 0..<24) func generatedMessagesRoundTrip(seed: Int) async throws {
        var generator = SeededGenerator(seed: UInt64(seed) &+ 1)
        let pieces = ["hello", "Grüße", "你好", "🎉", "naïve", "=?not?=", "a\"quote", "back\\slash", "x,y", "(c)", "tab\there", "  ", "long-\(String(repeating: "z", count: 90))"]
        func phrase(_ count: Int) -> String {
            (0..<count).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined(separator: " ")
        }
        var email = Email(
            from: try EmailAddress(mailbox: "sender@acme.test", displayName: phrase(2)),
            to: try (0..<Int.random(in: 1...4, using: &generator)).map { try EmailAddress(mailbox: "r\($0)@example.com", displayName: phrase(Int.random(in: 0...3, using: &generator))) },
            subject: phrase(Int.random(in: 1...30, using: &generator)),
            text: phrase(Int.random(in: 0...200, using: &generator))
        )
        if Bool.random(using: &generator) { email.html = "<p>\(phrase(20))</p>" }
        let attachmentBytes = (0..<Int.random(in: 0...5_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        email.attachments = [.bytes(attachmentBytes, filename: phrase(2).replacingOccurrences(of: "\t", with: " ") + ".bin")]
        email.headers = [EmailHeader("X-Generated", phrase(5))]
        let (_, parsed) = try await renderAndParse(email)
        #expect(parsed.header("Subject") == email.subject.trimmingCharacters(in: .whitespaces) || parsed.header("Subject") == email.subject)
        let text = email.text ?? ""
        #expect(parsed.part("text/plain")?.text == (text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"))
        #expect(parsed.parts.last?.bytes == attachmentBytes)
        // Python strips white space around file names; the name itself must survive.
        #expect(parsed.parts.last?.filename == email.attachments[0].filename.trimmingCharacters(in: .whitespaces))
        // In a phrase, a run of white space means one space (RFC 5322 section 3.2.2).
        func phraseForm(_ name: String?) -> String {
            (name ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        }
        let expectedTo = email.to.map { [phraseForm($0.displayName), $0.mailbox] }
        let parsedTo = try #require(parsed.addresses["To"]).map { [phraseForm($0[0]), $0[1]] }
        #expect(parsedTo == expectedTo)
        #expect(parsed.addresses["From"]?.first.map { phraseForm($0[0]) } == phraseForm(email.from.displayName))
    }
}

/// A small deterministic generator (SplitMix64) so generated cases are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
