import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Mailroom
import MailroomArchive
import MailroomPreview
import MailroomTestSupport
import NIOCore
import Testing

/// The preview's pages and JSON API through HummingbirdTesting, over a real archive on disk.
@Suite struct PreviewControllerTests {
    /// The routes alone (the access guard has tests of its own, over real HTTP).
    static func app(_ fixtures: PreviewFixtures, basePath: String = "") throws -> some ApplicationProtocol {
        let router = Router()
        PreviewController<BasicRequestContext>(store: fixtures.store, configuration: .init(basePath: basePath)).addRoutes(to: router)
        return Application(router: router, logger: Logger(label: "preview-tests", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    static func ids(_ json: [String: Any]) -> [String] {
        (json["messages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func theListIsNewestFirstWithItsCountAndEverythingFromAMessageIsEscaped() async throws {
        let fixtures = try PreviewFixtures()
        let first = try await fixtures.record(try PreviewFixtures.email(subject: "Welcome, Zoë", tags: ["welcome"]))
        let hostile = try await fixtures.record(try PreviewFixtures.email(subject: "<img src=x onerror=alert(1)>", tags: ["<b>bold</b>"]))
        try await Self.app(fixtures).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'; script-src 'self'") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                let page = String(buffer: response.body)
                #expect(page.contains("<span id=\"total\" data-total=\"2\">2</span> messages"))
                #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
                #expect(!page.contains("<img src=x"), "the subject is text, never markup")
                #expect(page.contains("<span class=\"tag\">&lt;b&gt;bold&lt;/b&gt;</span>"))
                #expect(page.contains("Welcome, Zoë"))
                let rows = page.components(separatedBy: "<tr data-id=\"").dropFirst().map { String($0.prefix(28)) }
                #expect(rows == [hostile.id, first.id], "newest first")
                #expect(page.contains("data-live=\"/api/v1/messages\""), "the newest page takes live updates")
            }
        }
    }

    @Test func searchAndFiltersNarrowTheListInThePageAndTheAPI() async throws {
        let fixtures = try PreviewFixtures()
        let invoice = try await fixtures.record(try PreviewFixtures.email(subject: "Invoice for March", to: "bob@example.com", tags: ["billing"]))
        let welcome = try await fixtures.record(try PreviewFixtures.email(subject: "Welcome", text: "Your invoice comes later", tags: ["welcome"]))
        let failed = try await fixtures.record(try PreviewFixtures.email(subject: "Reset your password"), outcome: .failed("refused"))
        try await Self.app(fixtures).test(.router) { client in
            func ids(_ query: String) async throws -> (total: Int, ids: [String]) {
                try await client.execute(uri: "/api/v1/messages?\(query)", method: .get) { response in
                    #expect(response.status == .ok, "\(query)")
                    let json = try Self.json(response.body)
                    return (json["total"] as? Int ?? -1, Self.ids(json))
                }
            }
            #expect(try await ids("q=invoice").ids.sorted() == [invoice.id, welcome.id].sorted(), "subject and body text")
            #expect(try await ids("q=invoice+march") == (1, [invoice.id]), "a form's + is a space; every word must match")
            #expect(try await ids("q=inv*") .total == 2, "a prefix")
            #expect(try await ids("to=BOB%40example.com") == (1, [invoice.id]))
            #expect(try await ids("tag=welcome") == (1, [welcome.id]))
            #expect(try await ids("state=failed") == (1, [failed.id]))
            #expect(try await ids("q=invoice&tag=billing&to=bob@example.com") == (1, [invoice.id]))
            #expect(try await ids("since=2000-01-01&until=2000-01-02").total == 0)
            #expect(try await ids("since=2000-01-01").total == 3)
            #expect(try await ids("q=&to=&tag=").total == 3, "empty fields, as a form sends them, are no condition")

            try await client.execute(uri: "/?q=invoice+march", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("<input type=\"search\" name=\"q\" value=\"invoice march\""), "the form keeps the search")
                #expect(page.contains(invoice.id) && !page.contains(welcome.id))
                #expect(page.contains("data-live=\"/api/v1/messages?q=invoice%20march\""))
            }
        }
    }

    @Test func largeListsPageByCursorAndSearchesByOffset() async throws {
        let fixtures = try PreviewFixtures()
        var recorded: [ArchiveEntry] = []
        for index in 0..<5 { recorded.append(try await fixtures.record(try PreviewFixtures.email(subject: "Invoice \(index)"))) }
        let newestFirst = recorded.reversed().map(\.id)
        try await Self.app(fixtures).test(.router) { client in
            func page(_ uri: String) async throws -> (ids: [String], next: String?) {
                try await client.execute(uri: uri, method: .get) { response in
                    let json = try Self.json(response.body)
                    #expect(json["total"] as? Int == 5)
                    return (Self.ids(json), json["next"] as? String)
                }
            }
            var uri: String? = "/api/v1/messages?limit=2"
            var seen: [String] = []
            while let next = uri {
                let result = try await page(next)
                seen += result.ids
                uri = result.next
            }
            #expect(seen == newestFirst, "three pages by cursor, nothing twice or missed")
            let first = try await page("/api/v1/messages?q=invoice&limit=3")
            #expect(first.next == "/api/v1/messages?q=invoice&offset=3&limit=3")
            let second = try await page(try #require(first.next))
            #expect(Set(first.ids + second.ids) == Set(newestFirst) && second.next == nil)

            try await client.execute(uri: "/?limit=2", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("<a rel=\"next\" href=\"/?before=\(newestFirst[1])&amp;limit=2\">Older</a>"))
                #expect(html.contains("(1–2 shown)"))
            }
            try await client.execute(uri: "/?before=\(newestFirst[1])&limit=2", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains(newestFirst[2]) && html.contains(newestFirst[3]) && !html.contains("data-id=\"\(newestFirst[1])\""))
                #expect(!html.contains("data-live="), "an older page takes no live updates")
            }
        }
    }

    @Test func badParametersAreRefusedNamingTheParameter() async throws {
        let fixtures = try PreviewFixtures()
        try await fixtures.record(try PreviewFixtures.email(subject: "Hello"))
        try await Self.app(fixtures).test(.router) { client in
            let cases: [(String, String)] = [
                ("colour=red", "colour"), ("q=a&q=b", "q"), ("limit=0", "limit"), ("limit=lots", "limit"), ("limit=501", "limit"),
                ("offset=-1", "offset"), ("since=yesterday", "since"), ("until=2026-13-01", "until"), ("state=lost", "state"),
                ("since=2026-12-02&until=2026-12-01", "until"), ("before=../../etc/passwd", "before"),
            ]
            for (query, field) in cases {
                try await client.execute(uri: "/api/v1/messages?\(query)", method: .get) { response in
                    #expect(response.status == .badRequest, "\(query)")
                    let json = try Self.json(response.body)
                    #expect(json["field"] as? String == field, "\(query): \(json)")
                    #expect(json["code"] as? String == "invalidValue")
                }
            }
            try await client.execute(uri: "/?since=%3Cscript%3E", method: .get) { response in
                #expect(response.status == .badRequest)
                let page = String(buffer: response.body)
                #expect(page.contains("<code>since</code>: &#39;&lt;script&gt;&#39; is not a date"))
                #expect(!page.contains("<script>"))
            }
        }
    }

    @Test func aMessageIsShownWithItsHTMLInASandboxedFrameThatLoadsNothingRemote() async throws {
        let fixtures = try PreviewFixtures()
        var email = try PreviewFixtures.email(
            subject: "Your receipt",
            text: "Thanks. See https://acme.test/orders/7 for details.",
            html: #"<meta http-equiv="refresh" content="0;url=https://evil.test/"><LINK rel="prefetch" href="https://evil.test/p"><p onclick="steal()">Thanks</p><img src="cid:logo@acme"><img src="https://evil.test/pixel.gif"><a href="https://acme.test/orders/7?a=1&amp;b=2">order</a><a href="javascript:alert(1)">x</a><script>parent.document.title='owned'</script>"#
        )
        let logo: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        email.attachments = [.inline(.bytes(logo, filename: "logo.png"), contentID: "logo@acme")]
        let entry = try await fixtures.record(email)
        try await Self.app(fixtures).test(.router) { client in
            try await client.execute(uri: "/messages/\(entry.id)", method: .get) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                #expect(page.contains("<iframe id=\"body-frame\" title=\"The message's HTML\" sandbox=\"\" referrerpolicy=\"no-referrer\" src=\"/messages/\(entry.id)/body\"></iframe>"))
                #expect(!page.contains("steal()") && !page.contains("parent.document"), "the HTML is only in the frame's own document")
                #expect(page.contains("<pre class=\"text\">Thanks. See https://acme.test/orders/7 for details.</pre>"))
                #expect(page.contains("<a href=\"https://acme.test/orders/7?a=1&amp;b=2\" rel=\"noopener noreferrer\" target=\"_blank\">"))
                #expect(page.contains("<li><code>javascript:alert(1)</code></li>"), "a javascript: link is shown, never followable")
                #expect(page.contains("<a href=\"/api/v1/messages/\(entry.id)/attachments/0\" download=\"logo.png\">logo.png</a>"))
                #expect(page.contains("<code>cid:logo@acme</code>"))
                #expect(page.contains("href=\"/messages/\(entry.id)?remote=1#html\">Load remote images</a>"))
            }
            try await client.execute(uri: "/messages/\(entry.id)/body", method: .get) { response in
                #expect(response.headers[.contentSecurityPolicy] == "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox")
                let html = String(buffer: response.body)
                #expect(html.contains("<img src=\"data:image/png;base64,\(Data(logo).base64EncodedString())\">"), "the inline image by its Content-ID")
                #expect(html.contains("<meta data-disarmed-http-equiv=\"refresh\""), "no refresh to a remote page")
                #expect(html.contains("<mailroom-disarmed-link rel=\"prefetch\"") && !html.lowercased().contains("<link"), "no prefetch")
                #expect(html.contains("https://evil.test/pixel.gif"), "left in place: the policy blocks it")
            }
            try await client.execute(uri: "/messages/\(entry.id)/body?remote=1", method: .get) { response in
                #expect(response.headers[.contentSecurityPolicy]?.contains("img-src data: http: https:;") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true, "images only: scripts stay blocked")
            }
            try await client.execute(uri: "/messages/\(entry.id)?remote=1", method: .get) { response in
                #expect(String(buffer: response.body).contains("src=\"/messages/\(entry.id)/body?remote=1\""))
            }
            try await client.execute(uri: "/api/v1/messages/\(entry.id)", method: .get) { response in
                let json = try Self.json(response.body)
                #expect((json["entry"] as? [String: Any])?["id"] as? String == entry.id)
                #expect(json["links"] as? [String] == ["https://acme.test/orders/7?a=1&b=2", "javascript:alert(1)", "https://acme.test/orders/7"])
                let attachment = try #require((json["attachments"] as? [[String: Any]])?.first)
                #expect(attachment["contentID"] as? String == "logo@acme" && attachment["inline"] as? Bool == true && attachment["size"] as? Int == logo.count)
                #expect(json["raw"] as? String == "/api/v1/messages/\(entry.id)/raw")
            }
        }
    }

    @Test func attachmentsAndTheRawSourceAreByteExact() async throws {
        let fixtures = try PreviewFixtures()
        let binary = (0..<4_096).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var email = try PreviewFixtures.email(subject: "Files")
        email.attachments = [.bytes(binary, filename: "résumé\".bin", contentType: "application/octet-stream"), .bytes(Array("<script>alert(1)</script>".utf8), filename: "page.html")]
        let entry = try await fixtures.record(email)
        let recorded = try await fixtures.store.contents(of: entry.id)
        try await Self.app(fixtures).test(.router) { client in
            try await client.execute(uri: "/api/v1/messages/\(entry.id)/attachments/0", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == binary)
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"r_sum__.bin\"; filename*=UTF-8''r%C3%A9sum%C3%A9%22.bin")
            }
            try await client.execute(uri: "/api/v1/messages/\(entry.id)/attachments/1", method: .get) { response in
                #expect(response.headers[.contentType] == "application/octet-stream", "an HTML attachment never renders in the preview's origin")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(String(buffer: response.body) == "<script>alert(1)</script>")
            }
            for n in ["2", "-1", "x"] {
                try await client.execute(uri: "/api/v1/messages/\(entry.id)/attachments/\(n)", method: .get) { response in
                    #expect(response.status == .notFound)
                    let json = try Self.json(response.body)
                    #expect(json["field"] as? String == "n")
                }
            }
            try await client.execute(uri: "/api/v1/messages/\(entry.id)/raw", method: .get) { response in
                #expect(Array(buffer: response.body) == recorded)
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            }
        }
    }

    @Test func idsAreCheckedAndUnknownMessagesAre404() async throws {
        let fixtures = try PreviewFixtures()
        try await fixtures.record(try PreviewFixtures.email(subject: "Hello"))
        try "TOP-SECRET-CONTENT".write(toFile: fixtures.directory.path + "/secret.txt", atomically: true, encoding: .utf8)
        try await Self.app(fixtures).test(.router) { client in
            for id in ["..", "..%2F..%2Fsecret.txt", "%2e%2e", "20261202-005200-0f69536cd997.eml.gz", String(repeating: "a", count: 300)] {
                for uri in ["/messages/\(id)", "/api/v1/messages/\(id)", "/api/v1/messages/\(id)/raw", "/messages/\(id)/body"] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .badRequest, "\(uri)")
                        #expect(!String(buffer: response.body).contains("TOP-SECRET-CONTENT"))
                    }
                }
            }
            try await client.execute(uri: "/api/v1/messages/20200101-000000-000000000000", method: .get) { response in
                #expect(response.status == .notFound)
                let json = try Self.json(response.body)
                #expect(json["code"] as? String == "notFound")
            }
            try await client.execute(uri: "/messages/20200101-000000-000000000000", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("<h1>404 Not Found</h1>"))
            }
        }
    }

    @Test func readingEveryRouteChangesNothingInTheStore() async throws {
        let fixtures = try PreviewFixtures()
        var email = try PreviewFixtures.email(subject: "Kept", html: "<p>Kept</p>")
        email.attachments = [.bytes(Array("data".utf8), filename: "a.txt")]
        let entry = try await fixtures.record(email)
        try await fixtures.record(try PreviewFixtures.email(subject: "Pending"), outcome: .sent(providerID: "<1@acme.test>"))
        let before = try await fixtures.store.entries(matching: ArchiveQuery())
        let files = try Self.messageFiles(fixtures.directory.path + "/outbox")
        try await Self.app(fixtures).test(.router) { client in
            for uri in ["/", "/?q=kept", "/messages/\(entry.id)", "/messages/\(entry.id)/body", "/api/v1/messages", "/api/v1/messages/\(entry.id)",
                        "/api/v1/messages/\(entry.id)/raw", "/api/v1/messages/\(entry.id)/attachments/0"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
                for method in [HTTPRequest.Method.post, .put, .delete] {
                    try await client.execute(uri: uri, method: method) { #expect($0.status != .ok, "\(method) \(uri)") }
                }
            }
        }
        #expect(try await fixtures.store.entries(matching: ArchiveQuery()) == before)
        #expect(try Self.messageFiles(fixtures.directory.path + "/outbox") == files)
    }

    @Test func mountedUnderABasePathEveryLinkStartsWithIt() async throws {
        let fixtures = try PreviewFixtures()
        let entry = try await fixtures.record(try PreviewFixtures.email(subject: "Mounted"))
        try await Self.app(fixtures, basePath: "/_mailroom/").test(.router) { client in
            try await client.execute(uri: "/_mailroom", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(page.contains("href=\"/_mailroom/messages/\(entry.id)\""))
                #expect(page.contains("<link rel=\"stylesheet\" href=\"/_mailroom/assets/preview.css\">"))
                #expect(page.contains("data-base=\"/_mailroom\""))
            }
            try await client.execute(uri: "/_mailroom/assets/preview.js", method: .get) { response in
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(String(buffer: response.body).contains("new EventSource(base + \"/api/v1/events\")"))
            }
            try await client.execute(uri: "/messages/\(entry.id)", method: .get) { #expect($0.status == .notFound) }
        }
    }

    /// Every message file's name and bytes.
    static func messageFiles(_ root: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root + "/messages")
        while let name = enumerator?.nextObject() as? String {
            if name.hasSuffix(".eml.gz") { files[name] = try Data(contentsOf: URL(fileURLWithPath: root + "/messages/" + name)) }
        }
        return files
    }
}
