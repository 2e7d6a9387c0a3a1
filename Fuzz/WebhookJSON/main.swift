import Foundation
import FuzzerSupport
import Mailroom
import MailroomMailgun

/// One libFuzzer input: any bytes as a JSON webhook body. Decoding either succeeds or throws a
/// `MailroomError` naming a field; a decoded event's suppression is derived without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhookJSON(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let body = Data(bytes: UnsafeRawPointer(start), count: count)
    do {
        let event = try MailgunWebhookEvent(body: body, contentType: "application/json")
        _ = try? MailgunWebhookReceiver.suppression(for: event)
        if let id = event.messageID, !(id.hasPrefix("<") && id.hasSuffix(">")) { preconditionFailure("a Message-ID without brackets: \(id)") }
    } catch let error as MailroomError {
        precondition(error.field != nil, "a decoding error without a field: \(error)")
    } catch {
        preconditionFailure("an error that is not a MailroomError: \(error)")
    }
    return 0
}

exit(FuzzerDriver.run(fuzzWebhookJSON))
