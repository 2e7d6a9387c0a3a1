import Foundation
import Hummingbird
import MailroomMailgun
import NIOCore

extension MailgunMockResponder {
    /// `/v3/domains/{domain}/webhooks[/{type}]`: up to three URLs per event type.
    func domainWebhooks(method: String, domain: String, type: String?, body: ByteBuffer, contentType: String?) async throws -> Response {
        guard await state.domain(named: domain) != nil else { return Self.domainNotFound }
        var webhooks = await state.webhooks(domain: domain)
        if let type, !MockWebhookSettings.types.contains(type) {
            return MockResponse.json(["Reason": "invalid webhook type '\(type)'"], status: .badRequest)
        }
        switch (method, type) {
        case ("GET", nil):
            return MockResponse.json(["webhooks": webhooks.mapValues { ["urls": $0] }])
        case ("POST", nil):
            let form = try parseForm(body, contentType: contentType)
            guard let id = form.first("id"), MockWebhookSettings.types.contains(id) else {
                return MockResponse.json(["Reason": "id must be one of \(MockWebhookSettings.types.joined(separator: ", "))"], status: .badRequest)
            }
            let urls = try Self.webhookURLs(form.all("url"))
            guard webhooks[id] == nil else { return MockResponse.json(["Description": "Webhook already exists"], status: .conflict) }
            webhooks[id] = urls
            await state.setWebhooks(domain: domain, webhooks)
            return MockResponse.json(["message": "Webhook has been created", "webhook": ["urls": urls]])
        case ("GET", let type?):
            guard let urls = webhooks[type] else { return MockResponse.json(["Description": "Webhook not found"], status: .notFound) }
            return MockResponse.json(["webhook": ["urls": urls]])
        case ("PUT", let type?):
            let urls = try Self.webhookURLs(try parseForm(body, contentType: contentType).all("url"))
            guard webhooks[type] != nil else { return MockResponse.json(["Description": "Webhook not found"], status: .notFound) }
            webhooks[type] = urls
            await state.setWebhooks(domain: domain, webhooks)
            return MockResponse.json(["message": "Webhook has been updated", "webhook": ["urls": urls]])
        case ("DELETE", let type?):
            guard let urls = webhooks.removeValue(forKey: type) else { return MockResponse.json(["Description": "Webhook not found"], status: .notFound) }
            await state.setWebhooks(domain: domain, webhooks)
            return MockResponse.json(["message": "Webhook has been deleted", "webhook": ["urls": urls]])
        default:
            return MockResponse.message("Method Not Allowed", status: .methodNotAllowed)
        }
    }

    /// `/v4/domains/{domain}/webhooks`: `POST`/`PUT` one URL for several event types, `DELETE ?url=a,b`.
    func domainWebhooksByURL(method: String, domain: String, query: FormData, body: ByteBuffer, contentType: String?) async throws -> Response {
        guard await state.domain(named: domain) != nil else { return Self.domainNotFound }
        var webhooks = await state.webhooks(domain: domain)
        switch method {
        case "POST", "PUT":
            let form = try parseForm(body, contentType: contentType)
            guard let url = try Self.webhookURLs(form.all("url"), limit: 1).first else { return MockResponse.json(["Reason": "url is required"], status: .badRequest) }
            let types = form.all("event_types")
            guard !types.isEmpty else { return MockResponse.json(["Reason": "event_types is required"], status: .badRequest) }
            for type in types where !MockWebhookSettings.types.contains(type) {
                return MockResponse.json(["Reason": "invalid event type '\(type)'"], status: .badRequest)
            }
            let present = webhooks.values.contains { $0.contains(url) }
            if method == "PUT" && !present { return MockResponse.json(["Description": "Webhook not found"], status: .notFound) }
            if method == "PUT" { for key in webhooks.keys { webhooks[key]?.removeAll { $0 == url } } }
            for type in types where !(webhooks[type] ?? []).contains(url) {
                guard (webhooks[type] ?? []).count < 3 else { return MockResponse.json(["Reason": "\(type) already has 3 URLs"], status: .badRequest) }
                webhooks[type, default: []].append(url)
            }
        case "DELETE":
            let urls = (query.first("url") ?? "").split(separator: ",").map(String.init)
            guard !urls.isEmpty else { return MockResponse.json(["Reason": "url is required"], status: .badRequest) }
            for key in webhooks.keys { webhooks[key]?.removeAll { urls.contains($0) } }
        default:
            return MockResponse.message("Method Not Allowed", status: .methodNotAllowed)
        }
        await state.setWebhooks(domain: domain, webhooks)
        return MockResponse.json(["webhooks": await state.webhooks(domain: domain).mapValues { ["urls": $0] }])
    }

    /// `/v1/webhooks[/{id}]`: the account's webhooks.
    func accountWebhooks(method: String, id: String?, query: FormData, body: ByteBuffer, contentType: String?) async throws -> Response {
        switch (method, id) {
        case ("GET", nil):
            let ids = query.first("webhook_ids").map { Set($0.split(separator: ",").map(String.init)) }
            let webhooks = await state.accountWebhooks.filter { ids?.contains($0.id) ?? true }
            return MockResponse.json(["webhooks": webhooks.map { $0.json() }])
        case ("POST", nil):
            let (url, types, description) = try Self.accountWebhook(try parseForm(body, contentType: contentType))
            let webhook = await state.addAccountWebhook(url: url, eventTypes: types, description: description)
            return MockResponse.json(["webhook_id": webhook.id])
        case ("DELETE", nil):
            if query.first("all") == "true" {
                _ = await state.removeAccountWebhooks(ids: nil)
            } else {
                let ids = Set((query.first("webhook_ids") ?? "").split(separator: ",").map(String.init))
                guard !ids.isEmpty else { return MockResponse.json(["message": "webhook_ids or all=true is required"], status: .badRequest) }
                _ = await state.removeAccountWebhooks(ids: ids)
            }
            return Response(status: .noContent)
        case ("GET", let id?):
            guard let webhook = await state.accountWebhooks.first(where: { $0.id == id }) else { return MockResponse.message("webhook not found", status: .notFound) }
            return MockResponse.json(webhook.json())
        case ("PUT", let id?):
            let (url, types, description) = try Self.accountWebhook(try parseForm(body, contentType: contentType))
            guard await state.replaceAccountWebhook(id: id, url: url, eventTypes: types, description: description) else {
                return MockResponse.message("webhook not found", status: .notFound)
            }
            return Response(status: .noContent)
        case ("DELETE", let id?):
            guard await state.removeAccountWebhooks(ids: [id]) == 1 else { return MockResponse.message("webhook not found", status: .notFound) }
            return Response(status: .noContent)
        default:
            return MockResponse.message("Method Not Allowed", status: .methodNotAllowed)
        }
    }

    /// `GET`/`POST /v5/accounts/http_signing_key`: the key events are signed with, or a new one.
    func signingKey(method: String) async -> Response {
        switch method {
        case "GET":
            guard let key = await state.webhookSettings.signingKey else { return MockResponse.message("could not get HSK for account", status: .notFound) }
            return MockResponse.json(["http_signing_key": key])
        case "POST":
            return MockResponse.json(["message": "regenerated HTTP signing key for account", "http_signing_key": await state.rotateSigningKey()])
        default:
            return MockResponse.message("Method Not Allowed", status: .methodNotAllowed)
        }
    }

    private static func accountWebhook(_ form: FormData) throws(ResponseError) -> (String, [String], String?) {
        guard let url = try webhookURLs(form.all("url"), limit: 1).first else { throw ResponseError(MockResponse.message("url is required", status: .badRequest)) }
        let types = form.all("event_types")
        guard !types.isEmpty else { throw ResponseError(MockResponse.message("event_types is required", status: .badRequest)) }
        for type in types where !MockWebhookSettings.types.contains(type) {
            throw ResponseError(MockResponse.message("invalid event type '\(type)'", status: .badRequest))
        }
        return (url, types, form.first("description"))
    }

    /// One to `limit` absolute http(s) URLs; a 400 in Mailgun's `Reason` shape otherwise.
    private static func webhookURLs(_ urls: [String], limit: Int = 3) throws(ResponseError) -> [String] {
        guard !urls.isEmpty else { throw ResponseError(MockResponse.json(["Reason": "url is required"], status: .badRequest)) }
        guard urls.count <= limit else { throw ResponseError(MockResponse.json(["Reason": "at most \(limit) urls are allowed"], status: .badRequest)) }
        for url in urls {
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""), components.host?.isEmpty == false else {
                throw ResponseError(MockResponse.json(["Reason": "invalid parameters: \(url) is not a valid url"], status: .badRequest))
            }
        }
        return urls
    }
}
