import Foundation
import Hummingbird
import MailroomMailgun
import NIOCore

extension MailgunMockResponder {
    /// `/v4/domains[/{name}[/verify]]`, `DELETE /v3/domains/{name}`, and the v3 forms older
    /// clients still call (`GET`/`POST /v3/domains`, `GET`/`PUT /v3/domains/{name}`, `PUT …/verify`).
    func domains(method: String, version: String, name: String?, verify: Bool, query: FormData, body: ByteBuffer, contentType: String?) async throws -> Response {
        switch (method, name, verify) {
        case ("GET", nil, false):
            return try await listDomains(query: query)
        case ("POST", nil, false):
            return try await createDomain(try parseForm(body, contentType: contentType))
        case ("GET", let name?, false):
            guard let domain = await state.domain(named: name) else { return Self.domainNotFound }
            return MockResponse.json(domain.answer())
        case ("PUT", let name?, false):
            return try await updateDomain(name, form: try parseForm(body, contentType: contentType))
        case ("PUT", let name?, true):
            guard let domain = await state.updateDomain(named: name, { $0.verify() }) else { return Self.domainNotFound }
            return MockResponse.json(domain.answer(message: "Domain DNS records have been updated"))
        case ("DELETE", let name?, false) where version == "v3":
            guard await state.deleteDomain(named: name) else { return Self.domainNotFound }
            return MockResponse.message("Domain will be deleted in the background")
        default:
            return MockResponse.message("Method Not Allowed", status: .methodNotAllowed)
        }
    }

    static var domainNotFound: Response { MockResponse.message("Domain not found", status: .notFound) }

    private func listDomains(query: FormData) async throws -> Response {
        let limit = Int(query.first("limit") ?? "100") ?? -1
        guard (1...1_000).contains(limit) else { return MockResponse.message("limit must be a number between 1 and 1000", status: .badRequest) }
        let skip = Int(query.first("skip") ?? "0") ?? -1
        guard skip >= 0 else { return MockResponse.message("skip must be a number of at least 0", status: .badRequest) }
        var domains = await state.domains
        if let wanted = query.first("state") {
            guard ["active", "unverified", "disabled"].contains(wanted) else {
                return MockResponse.json(["Field": "state", "Value": wanted], status: .badRequest)
            }
            domains = domains.filter { $0.state == wanted }
        }
        if let search = query.first("search")?.lowercased(), !search.isEmpty { domains = domains.filter { $0.name.contains(search) } }
        switch query.first("sort") {
        case nil: domains.sort { $0.id > $1.id }  // Mailgun: newest first when no sort is given; ids grow with creation
        case "name", "name:asc": break
        case "name:desc": domains.reverse()
        case let other?: return MockResponse.json(["Field": "sort", "Value": other], status: .badRequest)
        }
        let page = domains.dropFirst(skip).prefix(limit)
        return MockResponse.json(["total_count": domains.count, "items": page.map { $0.json() }])
    }

    private func createDomain(_ form: FormData) async throws -> Response {
        guard let name = form.first("name"), !name.isEmpty else { return MockResponse.message("name is required", status: .badRequest) }
        guard Self.isDomainName(name) else { return MockResponse.message("'\(name)' is not a valid domain name", status: .badRequest) }
        let settings = try Self.settings(form, allowed: MockDomain.createFields.subtracting(["name"]), ignoring: ["name"])
        guard let domain = await state.createDomain(named: name, settings: settings) else {
            return MockResponse.message("This domain name is already taken", status: .badRequest)
        }
        return MockResponse.json(domain.answer(message: "Domain DNS records have been created"))
    }

    private func updateDomain(_ name: String, form: FormData) async throws -> Response {
        guard await state.domain(named: name) != nil else { return Self.domainNotFound }
        // The official Python SDK's update sends the domain's `name` too; Mailgun ignores it.
        let settings = try Self.settings(form, allowed: MockDomain.updateFields, ignoring: ["name"])
        guard !settings.isEmpty else { return MockResponse.message("at least one field must be updated", status: .badRequest) }
        guard let domain = await state.updateDomain(named: name, { $0.settings.merge(settings) { _, new in new } }) else { return Self.domainNotFound }
        return MockResponse.json(domain.answer(message: "Domain has been updated"))
    }

    /// The settings in `form`, checked as Mailgun checks them; a 400 naming the field otherwise.
    private static func settings(_ form: FormData, allowed: Set<String>, ignoring: Set<String>) throws(ResponseError) -> [String: String] {
        var settings: [String: String] = [:]
        for (name, value) in form.fields where !ignoring.contains(name) {
            guard allowed.contains(name) else { throw ResponseError(MockResponse.json(["Field": name, "Value": "unknown parameter"], status: .badRequest)) }
            func invalid(_ reason: String) -> ResponseError { ResponseError(MockResponse.json(["Field": name, "Value": reason], status: .badRequest)) }
            if MockDomain.booleanFields.contains(name), !["true", "false"].contains(value) { throw invalid("must be true or false") }
            switch name {
            case "spam_action" where !["disabled", "block", "tag"].contains(value): throw invalid("must be disabled, block or tag")
            case "web_scheme" where !["http", "https"].contains(value): throw invalid("must be http or https")
            case "dkim_key_size" where !["1024", "2048"].contains(value): throw invalid("must be 1024 or 2048")
            case "message_ttl" where (Int(value) ?? 0) <= 0: throw invalid("must be a positive number of seconds")
            case "web_prefix" where value.isEmpty || !value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }): throw invalid("must be a valid atom")
            case "mailfrom_host" where !isDomainName(value) || value != value.lowercased(): throw invalid("must be a host name in lower case")
            case "archive_to" where !value.isEmpty && !(value.hasPrefix("http://") || value.hasPrefix("https://")): throw invalid("must be an http(s) URL")
            default: break
            }
            settings[name] = value
        }
        return settings
    }

    static func isDomainName(_ text: String) -> Bool {
        (1...253).contains(text.utf8.count) && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-" && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
