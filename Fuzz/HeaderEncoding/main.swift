import Foundation
import FuzzerSupport
import Mailroom

/// One libFuzzer input: fuzzed text as a subject, a display name, a header value and a file name.
/// Validation either refuses it with a `MailroomError` or the rendered message keeps every rule:
/// CRLF line ends only, no line over 998 octets, an ASCII header section.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeaderEncoding(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: count), as: UTF8.self)
    var email = Email(from: "Acme <hello@acme.test>", to: ["bob@example.com"], subject: text, text: "body")
    if let name = try? EmailAddress(mailbox: "zoe@example.com", displayName: text) { email.to.append(name) }
    email.headers.append(EmailHeader("X-Fuzz", text))
    email.attachments = [.bytes(Array("x".utf8), filename: text.isEmpty ? "a.txt" : text, contentType: "text/plain")]
    let rendered: [UInt8]
    do {
        try email.validate()
        rendered = try renderSynchronously(email)
    } catch is MailroomError {
        return 0
    } catch {
        preconditionFailure("an error that is not a MailroomError: \(error)")
    }
    var lineLength = 0
    var previous: UInt8 = 0
    var inHeaders = true
    for byte in rendered {
        if byte == 0x0A {
            precondition(previous == 0x0D, "a bare LF")
            if lineLength == 1 { inHeaders = false }
            lineLength = 0
        } else {
            precondition(previous != 0x0D, "a bare CR")
            lineLength += 1
            precondition(lineLength <= 999, "a line over 998 octets")
            if inHeaders { precondition(byte < 0x80, "a non-ASCII byte in the header section") }
        }
        previous = byte
    }
    return 0
}

/// Renders on a separate task and waits: libFuzzer calls synchronously.
private func renderSynchronously(_ email: Email) throws -> [UInt8] {
    let result = RenderResult()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { result.set(.success(try await email.renderMIME().collect())) } catch { result.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try result.get()
}

/// The render's outcome handed from the task to the fuzzer's thread.
private final class RenderResult: @unchecked Sendable {
    // Written once by the task before it signals, read after the wait.
    private let lock = NSLock()
    private var value: Result<[UInt8], any Error> = .success([])
    func set(_ new: Result<[UInt8], any Error>) { lock.withLock { value = new } }
    func get() throws -> [UInt8] { try lock.withLock { value }.get() }
}

exit(FuzzerDriver.run(fuzzHeaderEncoding))
