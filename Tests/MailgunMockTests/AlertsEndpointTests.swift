import Foundation
import MailgunMock
import NIOHTTP1
import Testing

@Suite struct AlertsEndpointTests {
    let hardBounce = #"{"name":"hard bounce rate","metric":"hard_bounce_rate","comparator":">","limit":".05","dimension":"domain","alert_channels":["email","webhook"],"period":"1h","filters":[{"dimension":"domain","comparator":"not contains","values":["test"]}]}"#

    @Test func createListGetUpdateDelete() async throws {
        try await withMock { _, client async throws in
            let created = try await client.request(.POST, "/v1/thresholds/alerts/send", .json(hardBounce))
            #expect(created.status == 200)
            let item = created.json()
            #expect(item["name"] as? String == "hard bounce rate")
            #expect(item["limit"] as? String == ".05")
            #expect(item["alert_channels"] as? [String] == ["email", "webhook"])
            #expect((item["id"] as? String)?.isEmpty == false)
            for key in ["created_at", "updated_at", "last_checked"] {
                let stamp = try #require(item[key] as? String)
                #expect(stamp.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"#, options: .regularExpression) != nil, "\(stamp)")
            }

            let list = try await client.request(.GET, "/v1/thresholds/alerts/send").json()
            #expect(list["total"] as? Int == 1)
            #expect((list["items"] as? [[String: Any]])?.first?["name"] as? String == "hard bounce rate")

            let fetched = try await client.request(.GET, "/v1/thresholds/alerts/send/hard%20bounce%20rate")
            #expect(fetched.json()["id"] as? String == item["id"] as? String)

            let replacement = #"{"name":"hard bounce rate","metric":"complained_rate","comparator":">=","limit":"0.01","dimension":"subaccount"}"#
            let updated = try await client.request(.PUT, "/v1/thresholds/alerts/send/hard%20bounce%20rate", .json(replacement))
            #expect(updated.status == 200)
            let after = try await client.request(.GET, "/v1/thresholds/alerts/send/hard%20bounce%20rate").json()
            #expect(after["metric"] as? String == "complained_rate")
            #expect(after["alert_channels"] as? [String] == [], "PUT replaces the whole alert")
            #expect(after["filters"] == nil)
            #expect(after["id"] as? String == item["id"] as? String)

            let deleted = try await client.request(.DELETE, "/v1/thresholds/alerts/send/hard%20bounce%20rate")
            #expect(deleted.status == 200)
            #expect(try await client.request(.GET, "/v1/thresholds/alerts/send/hard%20bounce%20rate").status == 404)
            #expect(try await client.request(.DELETE, "/v1/thresholds/alerts/send/hard%20bounce%20rate").status == 404)
            #expect(try await client.request(.PUT, "/v1/thresholds/alerts/send/missing", .json(replacement)).status == 404)
        }
    }

    @Test func namesAreUnique() async throws {
        try await withMock { _, client async throws in
            _ = try await client.request(.POST, "/v1/thresholds/alerts/send", .json(hardBounce))
            let duplicate = try await client.request(.POST, "/v1/thresholds/alerts/send", .json(hardBounce))
            #expect(duplicate.status == 409)
            #expect(duplicate.message == "an alert named 'hard bounce rate' already exists")
        }
    }

    @Test(arguments: [
        (#"{"metric":"hard_bounce_rate","comparator":">","limit":".05","dimension":"domain"}"#, "name is required"),
        (#"{"name":"a","comparator":">","limit":".05","dimension":"domain"}"#, "metric is required"),
        (#"{"name":"a","metric":"hard_bounce_rate","comparator":">","limit":0.05,"dimension":"domain"}"#, "limit must be a string"),
        (#"{"name":"a","metric":"open_rate","comparator":">","limit":".05","dimension":"domain"}"#,
         "metric: 'open_rate' is not one of: hard_bounce_rate, temporary_fail_rate, delivered_rate, complained_rate"),
        (#"{"name":"a","metric":"hard_bounce_rate","comparator":"~","limit":".05","dimension":"domain"}"#,
         "comparator: '~' is not one of: =, !=, <, <=, >, >="),
        (#"{"name":"a","metric":"hard_bounce_rate","comparator":">","limit":".05","dimension":"country"}"#,
         "dimension: 'country' is not one of: domain, ip, ip_pool, recipient_provider, subaccount"),
        (#"{"name":"a","metric":"hard_bounce_rate","comparator":">","limit":".05","dimension":"domain","alert_channels":["pager"]}"#,
         "channels[0]: 'pager' is not one of: email, webhook, slack"),
        (#"not json"#, "the body must be a JSON object"),
    ])
    func invalidAlertsAreRejected(body: String, message: String) async throws {
        try await withMock { _, client async throws in
            let reply = try await client.request(.POST, "/v1/thresholds/alerts/send", .json(body))
            #expect(reply.status == 400)
            #expect(reply.message == message)
            #expect(try await client.request(.GET, "/v1/thresholds/alerts/send").json()["total"] as? Int == 0)
        }
    }
}
