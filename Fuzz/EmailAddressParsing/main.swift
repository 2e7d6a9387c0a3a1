import Foundation
import FuzzerSupport
import Mailroom

/// One libFuzzer input: any text as an address and as an address list. What parses must print back
/// to something that parses to the same mailbox and display name.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEmailAddress(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: count), as: UTF8.self)
    if let address = try? EmailAddress(text) {
        guard let again = try? EmailAddress(address.description) else { preconditionFailure("'\(address)' does not parse back") }
        precondition(again.mailbox == address.mailbox && again.displayName == address.displayName, "'\(address)' changed on a round trip")
    }
    if let list = try? EmailAddress.list(text) {
        for address in list { _ = try? address.validate(field: "address") }
    }
    return 0
}

exit(FuzzerDriver.run(fuzzEmailAddress))
