import Foundation
import MailgunMock
import NIOHTTP1
import Testing

@Suite struct SuppressionsEndpointTests {
    @Test(arguments: ["unsubscribes", "bounces", "complaints"])
    func addGetRemoveOne(table: String) async throws {
        try await withMock { _, client async throws in
            let added = try await client.request(.POST, "/v3/acme.test/\(table)", .form([("address", "a+b@example.com")]))
            #expect(added.status == 200)
            #expect(added.message == "Address has been added to the \(table) table")

            let fetched = try await client.request(.GET, "/v3/acme.test/\(table)/a%2Bb@example.com")
            #expect(fetched.status == 200)
            let record = fetched.json()
            #expect(record["address"] as? String == "a+b@example.com")
            let created = try #require(record["created_at"] as? String)
            #expect(created.range(of: #"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} UTC$"#, options: .regularExpression) != nil)
            switch table {
            case "unsubscribes": #expect(record["tags"] as? [String] == ["*"], "tag defaults to *")
            case "bounces":
                #expect(record["code"] as? String == "550")
                #expect(record["error"] as? String == "")
            default: #expect(record["tags"] == nil)
            }

            let removed = try await client.request(.DELETE, "/v3/acme.test/\(table)/a%2Bb@example.com")
            #expect(removed.status == 200)
            #expect(removed.json()["address"] as? String == "a+b@example.com")
            let gone = try await client.request(.GET, "/v3/acme.test/\(table)/a%2Bb@example.com")
            #expect(gone.status == 404)
            let expected = ["unsubscribes": "Address not found in unsubscribers table", "bounces": "Address not found in bounces table",
                            "complaints": "No spam complaints found for this address"]
            #expect(gone.message == expected[table])
        }
    }

    @Test func unsubscribeTagsAddUpAndComeOffOneByOne() async throws {
        try await withMock { _, client async throws in
            _ = try await client.request(.POST, "/v3/acme.test/unsubscribes", .form([("address", "u@example.com"), ("tag", "news")]))
            _ = try await client.request(.POST, "/v3/acme.test/unsubscribes", .form([("address", "u@example.com"), ("tag", "promo")]))
            #expect(try await client.request(.GET, "/v3/acme.test/unsubscribes/u@example.com").json()["tags"] as? [String] == ["news", "promo"])

            let wrongTag = try await client.request(.DELETE, "/v3/acme.test/unsubscribes/u@example.com?tag=other")
            #expect(wrongTag.status == 404)
            #expect(wrongTag.message == "Unsubscribe event for this tag does not exist")
            _ = try await client.request(.DELETE, "/v3/acme.test/unsubscribes/u@example.com?tag=news")
            #expect(try await client.request(.GET, "/v3/acme.test/unsubscribes/u@example.com").json()["tags"] as? [String] == ["promo"])
            _ = try await client.request(.DELETE, "/v3/acme.test/unsubscribes/u@example.com?tag=promo")
            #expect(try await client.request(.GET, "/v3/acme.test/unsubscribes/u@example.com").status == 404)
        }
    }

    @Test func batchAddsAreCappedAtOneThousand() async throws {
        try await withMock { _, client async throws in
            let tooMany = (0..<1_001).map { #"{"address":"r\#($0)@example.com"}"# }.joined(separator: ",")
            let rejected = try await client.request(.POST, "/v3/acme.test/bounces", .json("[\(tooMany)]"))
            #expect(rejected.status == 400)
            #expect(rejected.message == "Batch size should be less than 1000")

            let items = #"[{"address":"a@example.com","code":"551","error":"gone","created_at":"Thu, 11 Dec 2025 01:49:40 UTC"},{"address":"b@example.com"}]"#
            let added = try await client.request(.POST, "/v3/acme.test/bounces", .json(items))
            #expect(added.message == "2 addresses have been added to the bounces table")
            let record = try await client.request(.GET, "/v3/acme.test/bounces/a@example.com").json()
            #expect(record["code"] as? String == "551")
            #expect(record["created_at"] as? String == "Thu, 11 Dec 2025 01:49:40 UTC")

            let invalid = try await client.request(.POST, "/v3/acme.test/bounces", .json("{not json"))
            #expect(invalid.status == 400)
            let badAddress = try await client.request(.POST, "/v3/acme.test/unsubscribes", .json(#"[{"address":"nope"}]"#))
            #expect(badAddress.status == 400)
            #expect(badAddress.message == "'nope' is not a valid address (item 0)")
        }
    }

    @Test func paging2500EntriesToTheEndInBothDirections() async throws {
        try await withMock { _, client async throws in
            let addresses = (0..<2_500).map { "user\(String(10_000 + $0).dropFirst())@example.com" }
            for start in stride(from: 0, to: addresses.count, by: 1_000) {
                let batch = addresses[start..<min(start + 1_000, addresses.count)].map { #"{"address":"\#($0)","tags":["news"]}"# }
                let reply = try await client.request(.POST, "/v3/acme.test/unsubscribes", .json("[\(batch.joined(separator: ","))]"))
                #expect(reply.status == 200)
            }

            var forward: [String] = []
            var url = "/v3/acme.test/unsubscribes?limit=300"
            var pages = 0
            while true {
                let page = try await client.request(.GET, url).json()
                let items = try #require(page["items"] as? [[String: Any]])
                let paging = try #require(page["paging"] as? [String: String])
                pages += 1
                if items.isEmpty { break }
                forward += items.compactMap { $0["address"] as? String }
                let next = try #require(paging["next"])
                #expect(next.hasPrefix(client.baseURL), "paging URLs are absolute on the mock's own base URL")
                url = next
            }
            #expect(forward == addresses)
            #expect(pages == 10, "nine pages of items and one empty page")

            var backward: [String] = []
            var previous = try #require((try await client.request(.GET, "/v3/acme.test/unsubscribes?limit=1000").json()["paging"] as? [String: String])?["last"])
            while true {
                let page = try await client.request(.GET, previous).json()
                let items = try #require(page["items"] as? [[String: Any]])
                if items.isEmpty { break }
                backward = items.compactMap { $0["address"] as? String } + backward
                previous = try #require((page["paging"] as? [String: String])?["previous"])
            }
            #expect(backward == addresses)

            let filtered = try await client.request(.GET, "/v3/acme.test/unsubscribes?term=user249&limit=100").json()
            #expect((filtered["items"] as? [[String: Any]])?.count == 10)
            let badLimit = try await client.request(.GET, "/v3/acme.test/unsubscribes?limit=1001")
            #expect(badLimit.status == 400)
        }
    }

    @Test func clearingATableLeavesOthers() async throws {
        try await withMock { _, client async throws in
            _ = try await client.request(.POST, "/v3/acme.test/bounces", .form([("address", "a@example.com")]))
            _ = try await client.request(.POST, "/v3/acme.test/complaints", .form([("address", "a@example.com")]))
            _ = try await client.request(.POST, "/v3/other.test/bounces", .form([("address", "a@example.com")]))
            let cleared = try await client.request(.DELETE, "/v3/acme.test/bounces")
            #expect(cleared.message == "Bounced addresses for this domain have been removed")
            #expect(try await client.request(.GET, "/v3/acme.test/bounces/a@example.com").status == 404)
            #expect(try await client.request(.GET, "/v3/acme.test/complaints/a@example.com").status == 200)
            #expect(try await client.request(.GET, "/v3/other.test/bounces/a@example.com").status == 200, "tables are per domain")
        }
    }
}
