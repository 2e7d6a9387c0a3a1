import Foundation
import Mailroom
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("jane@example.com", nil, "jane@example.com"),
        ("  jane@example.com  ", nil, "jane@example.com"),
        ("Jane Doe <jane@example.com>", "Jane Doe", "jane@example.com"),
        ("<jane@example.com>", nil, "jane@example.com"),
        ("\"Doe, Jane\" <j@x.io>", "Doe, Jane", "j@x.io"),
        ("\"Say \\\"hi\\\"\" <j@x.io>", "Say \"hi\"", "j@x.io"),
        ("Zoë Ålander <zoe@acme.test>", "Zoë Ålander", "zoe@acme.test"),
        ("李小龍 <li@example.com>", "李小龍", "li@example.com"),
        ("first.last+tag@sub.example.co.uk", nil, "first.last+tag@sub.example.co.uk"),
        ("o'brien@example.ie", nil, "o'brien@example.ie"),
        ("\"john smith\"@example.com", nil, "\"john smith\"@example.com"),
        ("user@[192.0.2.1]", nil, "user@[192.0.2.1]"),
        ("user@[IPv6:2001:db8::1]", nil, "user@[IPv6:2001:db8::1]"),
        ("x@xn--bcher-kva.example", nil, "x@xn--bcher-kva.example"),
        ("Name With <Angle> Inside <a@b.co>", nil, nil),
    ] as [(String, String?, String?)])
    func parses(input: String, displayName: String?, mailbox: String?) throws {
        guard let mailbox else {
            #expect(throws: MailroomError.self) { try EmailAddress(input) }
            return
        }
        let address = try EmailAddress(input)
        #expect(address.displayName == displayName)
        #expect(address.mailbox == mailbox)
    }

    @Test(arguments: [
        ("", "the address is empty"),
        ("plainaddress", "missing '@'"),
        ("@example.com", "the local part before '@' is empty"),
        ("jane@", "the domain after '@' is empty"),
        (".jane@example.com", "starts or ends with '.'"),
        ("jane.@example.com", "starts or ends with '.'"),
        ("ja..ne@example.com", "contains '..'"),
        ("ja ne@example.com", "not allowed unquoted"),
        ("jane@localhost", "the domain needs a dot"),
        ("jane@-example.com", "starts or ends with '-'"),
        ("jane@exa_mple.com", "the domain contains '_'"),
        ("jane@example..com", "the domain has an empty label"),
        ("jane@example.123", "the top-level domain is numeric"),
        ("jané@example.com", "SMTPUTF8"),
        ("jane@exämple.com", "punycode"),
        ("Jane <jane@example.com", "'<' is not closed"),
        ("Jane <jane@example.com> extra", "unexpected text after '>'"),
        ("\"Jane <jane@example.com>", "not closed"),
        ("user@[300.1.1.1]", "not an IPv4"),
    ])
    func rejects(input: String, reason: String) {
        let error = #expect(throws: MailroomError.self) { try EmailAddress(input, field: "to[0]") }
        #expect(error?.code == .invalidAddress)
        #expect(error?.field == "to[0]")
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "") should say \(reason)")
    }

    @Test func lengthLimits() throws {
        let local64 = String(repeating: "a", count: 64)
        #expect(try EmailAddress("\(local64)@example.com").localPart == local64)
        let tooLongLocal = #expect(throws: MailroomError.self) { try EmailAddress("\(local64)a@example.com") }
        #expect(tooLongLocal?.message.contains("longer than 64 octets") == true)

        let label = String(repeating: "d", count: 63)
        let domain245 = [label, label, label, String(repeating: "d", count: 53)].joined(separator: ".")
        #expect(try EmailAddress("abcdefgh@\(domain245)").mailbox.utf8.count == 254)
        let tooLong = #expect(throws: MailroomError.self) { try EmailAddress("abcdefghi@\(domain245)") }
        #expect(tooLong?.message.contains("longer than 254 octets") == true)

        let longLabel = #expect(throws: MailroomError.self) { try EmailAddress("a@\(String(repeating: "d", count: 64)).com") }
        #expect(longLabel?.message.contains("longer than 63 octets") == true)
    }

    @Test func lineBreaksAreHeaderInjection() {
        for input in ["jane@example.com\r\nBcc: x@y.z", "Jane\n <jane@example.com>", "\"Ja\rne\" <jane@example.com>"] {
            let error = #expect(throws: MailroomError.self) { try EmailAddress(input, field: "from") }
            #expect(error?.code == .headerInjection)
            #expect(error?.field == "from")
        }
        let named = #expect(throws: MailroomError.self) { try EmailAddress(mailbox: "jane@example.com", displayName: "Jane\r\nBcc: x@y.z") }
        #expect(named?.code == .headerInjection)
    }

    @Test func listsSplitOutsideQuotesAndBrackets() throws {
        let list = try EmailAddress.list(#"a@x.io, "Doe, Jane" <j@x.io>,Bob <b@x.io>, "q\"uote, here" <q@x.io>"#, field: "to")
        #expect(list.map(\.mailbox) == ["a@x.io", "j@x.io", "b@x.io", "q@x.io"])
        #expect(list.map(\.displayName) == [nil, "Doe, Jane", "Bob", "q\"uote, here"])

        let error = #expect(throws: MailroomError.self) { try EmailAddress.list("a@x.io, , b@x.io", field: "cc") }
        #expect(error?.field == "cc[1]")
        #expect(error?.message == "the address is empty")
    }

    @Test func literalsThatDoNotParseAreReportedByValidation() {
        let address: EmailAddress = "not an address"
        let error = #expect(throws: MailroomError.self) { try address.validate(field: "to[3]") }
        #expect(error?.field == "to[3]")
        #expect(error?.code == .invalidAddress)
    }

    @Test func descriptionQuotesWhenNeededAndCodableRoundTrips() throws {
        let jane = try EmailAddress(mailbox: "j@x.io", displayName: "Doe, Jane")
        #expect(jane.description == "\"Doe, Jane\" <j@x.io>")
        #expect(try EmailAddress(jane.description) == jane)
        #expect(EmailAddress("zoe@acme.test").description == "zoe@acme.test")
        #expect(jane.verbatimDisplayName == nil, "quoted: no verbatim name")
        #expect(EmailAddress("zoe@acme.test").verbatimDisplayName == nil)
        let data = try JSONEncoder().encode([jane])
        #expect(try JSONDecoder().decode([EmailAddress].self, from: data) == [jane])
        #expect(throws: MailroomError.self) { try JSONDecoder().decode([EmailAddress].self, from: Data(#"["nope"]"#.utf8)) }
    }

    /// The address fuzzer's finding: a display name ending in a tab printed unquoted, so parsing
    /// the printed form trimmed the tab away.
    @Test(arguments: ["Doe\u{FFFD} \u{FFFD}\t", " Leading", "Trailing ", "Plain Name"])
    func displayNamesWithEdgeWhitespaceRoundTrip(name: String) throws {
        let address = try EmailAddress(mailbox: "zae+news@example.com", displayName: name)
        let again = try EmailAddress(address.description)
        #expect(again.displayName == name)
        #expect(again.mailbox == address.mailbox)
        #expect(address.description.hasPrefix("\"") == (name != "Plain Name"))
        // A name shown as it is is given to writers in pieces that make the same text.
        #expect(address.verbatimDisplayName.map { "\($0) <\(address.mailbox)>" } == (name == "Plain Name" ? address.description : nil))
    }

    /// The address fuzzer's second finding: a combining mark right after the opening quote merged
    /// with it into one Character, so the quoted name no longer looked quoted.
    @Test func aCombiningMarkAfterTheQuoteStillParses() throws {
        let name = "\u{031C}7??\\x]"
        let address = try EmailAddress(mailbox: "zoe@example.com", displayName: name)
        #expect(address.description.unicodeScalars.first == "\"")
        let again = try EmailAddress(address.description)
        #expect(again.displayName == name)
        #expect(try EmailAddress("\"\u{0301}Zoë\" <zoe@example.com>", field: "to").displayName == "\u{0301}Zoë")
    }

    /// The address fuzzer's third finding: a backslash followed by a combining mark is one
    /// Character, so escaping Character by Character left it unescaped and the parser, which reads
    /// scalars, took it for an escape.
    @Test(arguments: ["a\\\u{0489}b", "say \"\u{0301}hi\"", "=?xpao\u{FFFD}\\\u{0489}(x[\u{FFFD}"])
    func backslashesAndQuotesBeforeCombiningMarksRoundTrip(name: String) throws {
        let address = try EmailAddress(mailbox: "o@example.com", displayName: name)
        let again = try EmailAddress(address.description, field: "to")
        #expect(Array(again.displayName?.unicodeScalars ?? "".unicodeScalars) == Array(name.unicodeScalars))
        #expect(again.mailbox == "o@example.com")
    }

    /// A line break in a mailbox is header injection even when a combining mark follows it and
    /// the two make one Character.
    @Test func aLineBreakBeforeACombiningMarkIsHeaderInjection() {
        let address = EmailAddress(stringLiteral: "zoe\n\u{0301}@example.com")
        let error = #expect(throws: MailroomError.self) { try address.validate(field: "to[0]") }
        #expect(error?.code == .headerInjection)
        #expect(error?.field == "to[0]")
    }
}
