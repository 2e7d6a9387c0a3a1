import Foundation
import FuzzerSupport
import Mailroom
import MailroomMailgun

/// One libFuzzer input: the first byte picks URL-encoded or multipart, the rest is the legacy
/// webhook body. Decoding either succeeds or throws a `MailroomError` naming a field.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhookForm(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: count)
    let contentType = bytes[0] & 1 == 0 ? "application/x-www-form-urlencoded" : "multipart/form-data; boundary=XyZ"
    do {
        let event = try MailgunWebhookEvent(body: Data(bytes.dropFirst()), contentType: contentType)
        _ = try? MailgunWebhookReceiver.suppression(for: event)
        precondition(event.format == .legacyForm)
    } catch let error as MailroomError {
        precondition(error.field != nil, "a decoding error without a field: \(error)")
    } catch {
        preconditionFailure("an error that is not a MailroomError: \(error)")
    }
    return 0
}

exit(FuzzerDriver.run(fuzzWebhookForm))
