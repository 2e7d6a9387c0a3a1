import Foundation
import Hummingbird
import Mailroom
import MailroomMailgun
import NIOCore

extension MailgunMockResponder {
    /// Mailgun's wording per table, for answers that differ by table.
    private struct TableWords {
        let notFound: String
        let removedOne: String
        let removedAll: String

        static func of(_ table: String) -> TableWords {
            switch table {
            case "unsubscribes":
                TableWords(notFound: "Address not found in unsubscribers table", removedOne: "Unsubscribe event has been removed",
                           removedAll: "Unsubscribe addresses for this domain have been removed")
            case "bounces":
                TableWords(notFound: "Address not found in bounces table", removedOne: "Bounced address has been removed",
                           removedAll: "Bounced addresses for this domain have been removed")
            default:
                TableWords(notFound: "No spam complaints found for this address", removedOne: "Spam complaint has been removed",
                           removedAll: "Complaint addresses for this domain have been removed")
            }
        }
    }

    /// `/v3/{domain}/{unsubscribes|bounces|complaints}[/{address}]`.
    func suppressions(method: String, domain: String, table: String, address: String?, query: FormData, body: ByteBuffer, contentType: String?) async throws -> Response {
        guard await state.knows(domain: domain) else { return MockResponse.message("Domain not found: \(domain)", status: .notFound) }
        let words = TableWords.of(table)
        switch (method, address) {
        case ("GET", nil):
            return try await list(domain: domain, table: table, query: query)
        case ("POST", nil):
            return try await add(domain: domain, table: table, body: body, contentType: contentType)
        case ("DELETE", nil):
            await state.removeAll(domain: domain, table: table)
            return MockResponse.message(words.removedAll)
        case ("GET", let address?):
            guard let record = await state.record(domain: domain, table: table, address: address) else {
                return MockResponse.message(words.notFound, status: .notFound)
            }
            return MockResponse.json(record.json(for: table))
        case ("DELETE", let address?):
            let tag = table == "unsubscribes" ? query.first("tag") : nil
            guard await state.remove(domain: domain, table: table, address: address, tag: tag) else {
                let message = tag == nil ? words.notFound : "Unsubscribe event for this tag does not exist"
                return MockResponse.message(message, status: .notFound)
            }
            return MockResponse.message(words.removedOne, extra: ["address": address])
        default:
            return MockResponse.message("Method Not Allowed", status: .methodNotAllowed)
        }
    }

    /// A page in address order: `page` is empty/`first`, `next` or `previous` (after or before
    /// `address`), or `last`; `term` keeps addresses starting with it. Paging URLs are absolute.
    private func list(domain: String, table: String, query: FormData) async throws -> Response {
        let limit = Int(query.first("limit") ?? "100") ?? -1
        guard (1...1_000).contains(limit) else {
            return MockResponse.message("limit must be a number between 1 and 1000", status: .badRequest)
        }
        var records = await state.records(domain: domain, table: table)
        let term = query.first("term").flatMap { $0.isEmpty ? nil : $0.lowercased() }
        if let term { records = records.filter { $0.address.lowercased().hasPrefix(term) } }
        let pivot = query.first("address")?.lowercased() ?? ""
        let page: ArraySlice<SuppressionRecord>
        switch query.first("page") ?? "" {
        case "next": page = records.filter { $0.address.lowercased() > pivot }.prefix(limit)
        case "previous": page = records.filter { $0.address.lowercased() < pivot }.suffix(limit)
        case "last": page = records.suffix(limit)
        case "", "first": page = records.prefix(limit)
        default: return MockResponse.message("page must be first, next, previous or last", status: .badRequest)
        }
        let base = "\(await state.baseURL)/v3/\(domain)/\(table)"
        let termQuery = term.map { "&term=\(MockResponse.queryValue($0))" } ?? ""
        func link(_ page: String, _ address: String?) -> String {
            let divider = address.map { "&address=\(MockResponse.queryValue($0))" } ?? ""
            return "\(base)?page=\(page)\(divider)&limit=\(limit)\(termQuery)"
        }
        let paging: [String: String] = [
            "first": link("first", nil),
            "last": link("last", nil),
            "next": link("next", page.last?.address ?? query.first("address") ?? ""),
            "previous": link("previous", page.first?.address ?? query.first("address") ?? ""),
        ]
        return MockResponse.json(["items": page.map { $0.json(for: table) }, "paging": paging])
    }

    /// One entry from a form, or up to 1,000 from a JSON array.
    private func add(domain: String, table: String, body: ByteBuffer, contentType: String?) async throws -> Response {
        let now = await state.currentDate()
        if HeaderParameters.parse(contentType ?? "").value == "application/json" {
            guard let items = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [[String: Any]] else {
                return MockResponse.message("the body must be a JSON array of objects with an address", status: .badRequest)
            }
            guard items.count <= 1_000 else { return MockResponse.message("Batch size should be less than 1000", status: .badRequest) }
            var records: [SuppressionRecord] = []
            for (index, item) in items.enumerated() {
                let tags = (item["tags"] as? [String]) ?? (item["tag"] as? String).map { [$0] } ?? ["*"]
                let code = (item["code"] as? String) ?? (item["code"] as? Int).map(String.init) ?? "550"
                let created = (item["created_at"] as? String) ?? (item["createdat"] as? String)
                records.append(try record(
                    address: item["address"] as? String, tags: tags, code: code, error: item["error"] as? String ?? "",
                    createdAt: created, now: now, position: "item \(index)"
                ))
            }
            await state.add(records, domain: domain, table: table)
            return MockResponse.message("\(records.count) addresses have been added to the \(table) table")
        }
        let form = try parseForm(body, contentType: contentType)
        let added = try record(
            address: form.first("address"), tags: form.all("tag").isEmpty ? ["*"] : form.all("tag"),
            code: form.first("code") ?? "550", error: form.first("error") ?? "", createdAt: form.first("created_at"), now: now, position: nil
        )
        await state.add([added], domain: domain, table: table)
        return MockResponse.message("Address has been added to the \(table) table", extra: ["address": added.address])
    }

    private func record(address: String?, tags: [String], code: String, error: String, createdAt: String?, now: Date, position: String?) throws(ResponseError) -> SuppressionRecord {
        let whereText = position.map { " (\($0))" } ?? ""
        guard let address, !address.isEmpty else {
            throw ResponseError(MockResponse.message("address parameter is missing\(whereText)", status: .badRequest))
        }
        guard let parsed = try? EmailAddress(address), parsed.displayName == nil else {
            throw ResponseError(MockResponse.message("'\(address)' is not a valid address\(whereText)", status: .badRequest))
        }
        var date = now
        if let createdAt, !createdAt.isEmpty {
            guard let parsedDate = MockDates.parseRFC822(createdAt) else {
                throw ResponseError(MockResponse.message("created_at '\(createdAt)' is not an RFC 2822 date\(whereText)", status: .badRequest))
            }
            date = parsedDate
        }
        return SuppressionRecord(address: parsed.mailbox, tags: tags, code: code, error: error, createdAt: date)
    }
}
