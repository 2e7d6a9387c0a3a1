import Foundation
import Hummingbird
import MailroomMailgun

extension MailgunMockResponder {
    /// `/v5/users[/{id}|/me]`: the seeded owner and one user per role.
    func users(method: String, id: String?, query: FormData, isWebKey: Bool) -> Response {
        guard method == "GET" else { return MockResponse.message("Method Not Allowed", status: .methodNotAllowed) }
        let users = MockUsers.all
        switch id {
        case nil:
            var listed = users
            if let role = query.first("role") {
                guard ["basic", "billing", "support", "developer", "admin"].contains(role) else {
                    return MockResponse.message("invalid role '\(role)'", status: .badRequest)
                }
                listed = listed.filter { $0["role"] as? String == role }
            }
            // `limit=0`, which the official Python SDK's examples send, means the default.
            let limit = query.first("limit").map { Int($0) ?? -1 }.map { $0 == 0 ? 100 : $0 } ?? 100
            let skip = Int(query.first("skip") ?? "0") ?? -1
            guard (1...1_000).contains(limit), skip >= 0 else { return MockResponse.message("limit must be 1 to 1000 and skip at least 0", status: .badRequest) }
            return MockResponse.json(["users": Array(listed.dropFirst(skip).prefix(limit)), "total": listed.count])
        case "me":
            guard isWebKey else { return MockResponse.message("Incompatible key for this endpoint", status: .forbidden) }
            return MockResponse.json(users.first { $0["id"] as? String == MockUsers.ownerID } ?? [:])
        case let id?:
            guard let user = users.first(where: { $0["id"] as? String == id }) else { return MockResponse.message("No such user exists", status: .notFound) }
            return MockResponse.json(user)
        }
    }
}
