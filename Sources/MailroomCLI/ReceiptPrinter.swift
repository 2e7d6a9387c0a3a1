import Foundation
import Mailroom

/// Prints receipts for people, or as JSON for scripts.
enum ReceiptPrinter {
    static func print(_ receipts: [SendReceipt], json: Bool) {
        let text: String
        if json {
            let objects: [[String: Any]] = receipts.map { receipt in
                [
                    "id": receipt.id ?? NSNull(),
                    "message": receipt.message,
                    "accepted": receipt.accepted.map(\.mailbox),
                    "suppressed": receipt.suppressed.map(\.mailbox),
                ]
            }
            let value: Any = objects.count == 1 ? objects[0] : objects
            let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = receipts.map { receipt in
                let who = receipt.accepted.count == 1 ? "1 recipient" : "\(receipt.accepted.count) recipients"
                return "\(receipt.message) id: \(receipt.id ?? "none"), \(who)"
            }.joined(separator: "\n")
        }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
