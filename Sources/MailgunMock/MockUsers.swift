import Foundation

/// The account's people the mock starts with: the owner, and one user per role.
enum MockUsers {
    /// The owner's id; `/v5/users/me` answers it for the keys configured as web keys.
    static let ownerID = "5f3c9e2a1b0d4c7e8f9a0b1c"

    /// `User` objects, dates ISO 8601 without a zone and with six fractional digits, as Mailgun's.
    static var all: [[String: Any]] {
        let people: [(id: String, name: String, role: String, owner: Bool)] = [
            (ownerID, "Olivia Owner", "admin", true),
            ("5f3c9e2a1b0d4c7e8f9a0b2d", "Bashir Basic", "basic", false),
            ("5f3c9e2a1b0d4c7e8f9a0b3e", "Bea Billing", "billing", false),
            ("5f3c9e2a1b0d4c7e8f9a0b4f", "Sam Support", "support", false),
            ("5f3c9e2a1b0d4c7e8f9a0b5a", "Dev Developer", "developer", false),
            ("5f3c9e2a1b0d4c7e8f9a0b6b", "Ada Admin", "admin", false),
        ]
        return people.map { person in
            let local = person.name.split(separator: " ")[0].lowercased()
            return [
                "id": person.id, "name": person.name, "email": "\(local)@acme.test", "role": person.role,
                "account_id": "mailgun-mock", "activated": true, "is_disabled": false, "is_master": person.owner,
                "opened_ip": "127.0.0.1", "metadata": [String: String](), "tfa_enabled": person.owner, "tfa_active": person.owner,
                "tfa_created_at": NSNull(), "password_updated_at": "2022-12-20T16:52:01.892000",
                "preferences": ["time_zone": "UTC", "time_format": "24h", "programming_language": "swift"],
                "email_details": ["address": "\(local)@acme.test", "is_valid": true, "reason": "",
                                  "parts": ["local_part": local, "domain": "acme.test", "display_name": person.name]],
                "auth": ["method": "password", "prior_method": "", "prior_details": [String: String]()],
                "github_user_id": NSNull(), "salesforce_user_id": NSNull(), "migration_status": "",
            ]
        }
    }
}
