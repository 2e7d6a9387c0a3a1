import Foundation
import Mailroom
import MultipartKit
package import NIOCore

/// Shared with MailgunMock (`package`): the fields and files of a `multipart/form-data` or `application/x-www-form-urlencoded` body,
/// in order, with repeated names kept (Mailgun repeats `to`, `o:tag`, `attachment`, …).
package struct FormData {
    package struct File {
        package var name: String
        package var filename: String
        package var contentType: String
        package var content: [UInt8]
    }

    package var fields: [(name: String, value: String)] = []
    package var files: [File] = []

    package init() {}

    package func first(_ name: String) -> String? { fields.first { $0.name == name }?.value }
    package func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// Parses a request body by its Content-Type; `nil` when the type is neither form encoding.
    package static func parse(_ body: ByteBuffer, contentType: String?) throws -> FormData? {
        let (type, parameters) = HeaderParameters.parse(contentType ?? "")
        switch type {
        case "multipart/form-data":
            guard let boundary = parameters["boundary"], !boundary.isEmpty else { throw MalformedForm(reason: "multipart/form-data without a boundary") }
            return try multipart(body, boundary: boundary)
        case "application/x-www-form-urlencoded":
            return urlEncoded(String(buffer: body))
        default:
            return nil
        }
    }

    /// Fields from `a=1&b=two+words&c=%40`, also used for query strings.
    package static func urlEncoded(_ text: String) -> FormData {
        var form = FormData()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return String(decoding: HeaderParameters.percentDecoded(spaced), as: UTF8.self)
            }
            form.fields.append((decode(parts[0]), parts.count > 1 ? decode(parts[1]) : ""))
        }
        return form
    }

    private static func multipart(_ body: ByteBuffer, boundary: String) throws -> FormData {
        try checkHeaderNames(Array(body.readableBytesView), boundary: Array("--\(boundary)".utf8))
        var form = FormData()
        var headers: [(String, String)] = []
        var content: [UInt8] = []
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers.append((name.lowercased(), value)) }
        parser.onBody = { buffer in content += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0 == "content-disposition" }.map { HeaderParameters.parse($0.1).parameters } ?? [:]
            let name = disposition["name"] ?? ""
            if let filename = disposition["filename"] {
                let type = headers.first { $0.0 == "content-type" }?.1 ?? "application/octet-stream"
                form.files.append(File(name: name, filename: filename, contentType: type, content: content))
            } else {
                form.fields.append((name, String(decoding: content, as: UTF8.self)))
            }
            headers = []
            content = []
        }
        do {
            try parser.execute(body)
        } catch {
            throw MalformedForm(reason: "the multipart body could not be parsed: \(error)")
        }
        // The parser waits for more input rather than failing on a truncated body.
        guard body.readableBytesView.firstRange(of: Array("--\(boundary)--".utf8)) != nil else {
            throw MalformedForm(reason: "the multipart body ends before its closing boundary")
        }
        return form
    }

    /// MultipartKit 4.7.1 traps (an array index out of range) on a header-name byte of 0x80 or
    /// more, which a hostile body can send; such bodies are refused here before it sees them.
    /// A header name is what precedes the first colon of a header line (RFC 7578: ASCII).
    private static func checkHeaderNames(_ bytes: [UInt8], boundary: [UInt8]) throws {
        let crlf: [UInt8] = [0x0D, 0x0A]
        var searchFrom = 0
        while let delimiter = bytes[searchFrom...].firstRange(of: boundary) {
            guard let lineEnd = bytes[delimiter.upperBound...].firstRange(of: crlf) else { return }
            var position = lineEnd.upperBound
            // Header lines run until the empty line.
            while position < bytes.count {
                let end = bytes[position...].firstRange(of: crlf)?.lowerBound ?? bytes.count
                if end == position { break }
                let line = bytes[position..<end]
                let name = line.prefix { $0 != UInt8(ascii: ":") }
                if name.contains(where: { $0 >= 0x80 }) { throw MalformedForm(reason: "a part's header name is not ASCII") }
                position = min(end + 2, bytes.count)
            }
            searchFrom = position
        }
    }

    package struct MalformedForm: Error {
        package var reason: String
    }
}
