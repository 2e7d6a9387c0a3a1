import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Mailroom
import MailroomArchive
@testable import MailroomPreview
import NIOCore
import Testing

/// Messages the app did not render itself (`send-mime`, other tools): odd encodings are decoded
/// for reading, and the live-update stream reports what other writers add.
@Suite struct PreviewDecodingTests {
    static let oddlyEncoded = """
        From: =?ISO-8859-1?Q?Ren=E9e?= <renee@acme.test>
        To: =?UTF-8?B?Wm/Dqw==?= <zoe@example.com>
        Subject: =?UTF-8?Q?Caf=C3=A9_=E2=98=95?= and =?ISO-8859-1?Q?cr=E8me?=
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"

        --outer
        Content-Type: multipart/alternative; boundary="inner"

        --inner
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable

        Cr=E8me br=FBl=E9e, soft=
         break. https://acme.test/menu
        --inner
        Content-Type: text/html; charset=utf-8
        Content-Transfer-Encoding: base64

        PHA+Q3LDqG1lIDxhIGhyZWY9Imh0dHBzOi8vYWNtZS50ZXN0L2h0bWwiPm1lbnU8L2E+PC9wPg==
        --inner--
        --outer
        Content-Type: application/pdf; name="=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?="
        Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf
        Content-Transfer-Encoding: base64

        JVBERi0xLjQKJcfsj6IK
        --outer--

        """

    @Test func oddEncodingsAreDecodedForReading() async throws {
        let fixtures = try PreviewFixtures()
        let entry = try await fixtures.record(raw: Self.oddlyEncoded)
        let router = Router()
        PreviewController<BasicRequestContext>(store: fixtures.store).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/api/v1/messages/\(entry.id)", method: .get) { response in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let headers = (json["headers"] as? [[String: String]] ?? []).map { ($0["name"] ?? "", $0["value"] ?? "") }
                #expect(headers.first { $0.0 == "Subject" }?.1 == "Café ☕ and crème")
                #expect(headers.first { $0.0 == "From" }?.1 == "Renée <renee@acme.test>")
                #expect(headers.first { $0.0 == "To" }?.1 == "Zoë <zoe@example.com>")
                #expect(json["text"] as? String == "Crème brûlée, soft break. https://acme.test/menu")
                #expect(json["html"] as? String == "<p>Crème <a href=\"https://acme.test/html\">menu</a></p>")
                #expect(json["links"] as? [String] == ["https://acme.test/html", "https://acme.test/menu"])
                let attachment = try #require((json["attachments"] as? [[String: Any]])?.first)
                #expect(attachment["filename"] as? String == "résumé.pdf")
                #expect(attachment["contentType"] as? String == "application/pdf")
            }
            try await client.execute(uri: "/api/v1/messages/\(entry.id)/attachments/0", method: .get) { response in
                #expect(String(buffer: response.body).hasPrefix("%PDF-1.4"))
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(String(buffer: response.body).contains(">Café ☕ and crème</a>"), "the list decodes the subject too")
            }
        }
    }

    @Test func theLiveStreamReportsEachNewEntryOnceOldestFirst() async throws {
        let fixtures = try PreviewFixtures()
        try await fixtures.record(try PreviewFixtures.email(subject: "Before the page opened"))
        let events = try await PreviewEvents.start(store: fixtures.store, configuration: PreviewConfiguration())
        let (none, newest) = try await events.poll(after: events.newestID)
        #expect(none.isEmpty && newest == events.newestID)

        let first = try await fixtures.record(try PreviewFixtures.email(subject: "First <new>"))
        let second = try await fixtures.record(try PreviewFixtures.email(subject: "Second"))
        let (stream, latest) = try await events.poll(after: newest)
        #expect(latest == second.id)
        let chunks = stream.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(chunks.count == 2)
        #expect(chunks[0].hasPrefix("event: message\nid: \(first.id)\ndata: {"))
        #expect(chunks[1].hasPrefix("event: message\nid: \(second.id)\ndata: {"))
        let data = try #require(chunks[0].split(separator: "\n").last?.dropFirst("data: ".count))
        let entry = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
        #expect(entry["subject"] as? String == "First <new>")
        #expect(try await events.poll(after: latest).events.isEmpty, "reported once")
    }
}
