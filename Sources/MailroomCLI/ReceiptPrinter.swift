import Foundation
import Mailroom

/// Prints receipts for people, or as JSON for scripts.
enum ReceiptPrinter {
    static func print(_ receipts: [SendReceipt], json: Bool) throws {
        guard json else {
            for receipt in receipts {
                let who = receipt.accepted.count == 1 ? "1 recipient" : "\(receipt.accepted.count) recipients"
                CommandOutput.say("\(receipt.message) id: \(receipt.id ?? "none"), \(who)")
            }
            return
        }
        let objects: [[String: Any]] = receipts.map { receipt in
            [
                "id": receipt.id ?? NSNull(),
                "message": receipt.message,
                "accepted": receipt.accepted.map(\.mailbox),
                "suppressed": receipt.suppressed.map(\.mailbox),
            ]
        }
        try CommandOutput.json(objects.count == 1 ? objects[0] : objects)
    }
}
