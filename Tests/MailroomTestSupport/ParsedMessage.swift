import Foundation

/// A message as Python's standard `email` package (policy `default`) parsed it: an independent
/// reading of our MIME, so a rendering test checks what any standards-following parser sees.
public struct ParsedMessage: Decodable, Sendable {
    public struct Part: Decodable, Sendable {
        public var type: String
        public var filename: String?
        public var disposition: String?
        public var contentID: String?
        public var charset: String?
        public var transferEncoding: String?
        public var body: String  // base64 of the decoded payload
        /// The decoded text with line ends made LF; the wire form is checked separately.
        public var text: String?

        public var bytes: [UInt8] { Array(Data(base64Encoded: body) ?? Data()) }
    }

    public var headers: [[String]]
    /// Decoded (display name, address) pairs of From, To, Cc and Reply-To, by header name.
    public var addresses: [String: [[String]]]
    public var structure: String
    public var parts: [Part]
    public var defects: [String]

    /// The decoded value of the first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0[0].lowercased() == name.lowercased() }?[1]
    }

    /// The names of all top-level headers, in order.
    public var headerNames: [String] { headers.map { $0[0] } }

    /// The first leaf part of the given content type.
    public func part(_ type: String) -> Part? { parts.first { $0.type == type } }

    /// Parses `bytes` with Python's `email` package; the waiting happens on a thread of its own
    /// (``OwnThread``).
    public static func parse(_ bytes: [UInt8]) async throws -> ParsedMessage {
        try await OwnThread.run { try parseBlocking(bytes) }
    }

    private static func parseBlocking(_ bytes: [UInt8]) throws -> ParsedMessage {
        let process = Process()
        guard let python = Executable.find("python3") else { throw PythonMissing() }
        process.executableURL = python
        process.arguments = ["-c", script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Write on another thread so a large message cannot deadlock against a full stdout pipe.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(bytes))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ParseFailure(message: "python3 exited \(process.terminationStatus): \(errorText)")
        }
        return try JSONDecoder().decode(ParsedMessage.self, from: data)
    }

    public struct ParseFailure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    private static let script = #"""
import sys, json, base64, email
from email import policy

message = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
defects = []

def headers(part):
    result = []
    for name, value in part.items():
        for defect in getattr(value, "defects", []):
            defects.append(f"{name}: {type(defect).__name__}")
        result.append([name, str(value)])
    return result

def structure(part):
    if part.is_multipart():
        return part.get_content_type() + "(" + ",".join(structure(p) for p in part.iter_parts()) + ")"
    return part.get_content_type()

parts = []
top = headers(message)
for part in message.walk():
    defects.extend(type(d).__name__ for d in part.defects)
    if part is not message:
        headers(part)
    if part.is_multipart():
        continue
    payload = part.get_payload(decode=True) or b""
    text = part.get_content().replace("\r\n", "\n") if part.get_content_maintype() == "text" else None
    parts.append({
        "type": part.get_content_type(),
        "filename": part.get_filename(),
        "disposition": part.get_content_disposition(),
        "contentID": part.get("Content-ID"),
        "charset": part.get_content_charset(),
        "transferEncoding": part.get("Content-Transfer-Encoding"),
        "body": base64.b64encode(payload).decode("ascii"),
        "text": text,
    })

addresses = {}
for name in ("From", "To", "Cc", "Reply-To"):
    if message[name] is not None:
        addresses[name] = [[a.display_name, a.addr_spec] for a in message[name].addresses]

print(json.dumps({"headers": top, "addresses": addresses, "structure": structure(message), "parts": parts, "defects": defects}))
"""#
}

/// The tests read MIME back with Python's standard `email` package; `.ci/run` installs python3.
public struct PythonMissing: Error, CustomStringConvertible {
    public var description: String { "python3 is not on PATH; it is needed as the independent MIME parser" }
}
