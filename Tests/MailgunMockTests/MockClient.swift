import AsyncHTTPClient
import Foundation
import MailgunMock
import NIOCore
import NIOHTTP1

/// A small HTTP client for the mock's tests: real requests over loopback with AsyncHTTPClient.
struct MockClient: Sendable {
    let baseURL: String
    let apiKey: String

    struct File: Sendable {
        var field: String
        var filename: String
        var contentType: String
        var content: [UInt8]
    }

    enum Body: Sendable {
        case none
        case form([(String, String)])
        case multipart([(String, String)], files: [File] = [])
        case json(String)
    }

    enum Credentials: Sendable {
        case key
        case none
        case basic(user: String, password: String)
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object; an empty object when it is not one.
        func json() -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        }

        /// The `message` of a Mailgun error or acknowledgement.
        var message: String? { json()["message"] as? String }
    }

    func request(
        _ method: HTTPMethod,
        _ path: String,
        _ body: Body = .none,
        credentials: Credentials = .key,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : baseURL + path)
        request.method = method
        switch credentials {
        case .key: request.headers.add(name: "Authorization", value: Self.basic("api", apiKey))
        case .basic(let user, let password): request.headers.add(name: "Authorization", value: Self.basic(user, password))
        case .none: break
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        switch body {
        case .none:
            break
        case .form(let fields):
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: Self.urlEncoded(fields)))
        case .multipart(let fields, let files):
            let boundary = "mailroom-test-\(UUID().uuidString)"
            request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
            request.body = .bytes(ByteBuffer(bytes: Self.multipart(fields, files: files, boundary: boundary)))
        case .json(let text):
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: text))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 64 * 1_024 * 1_024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    static func urlEncoded(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    static func multipart(_ fields: [(String, String)], files: [File], boundary: String) -> [UInt8] {
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8)
            body += Array(value.utf8) + [0x0D, 0x0A]
        }
        for file in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.contentType)\r\n\r\n".utf8)
            body += file.content + [0x0D, 0x0A]
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return body
    }
}

/// Runs `body` against a fresh mock on an ephemeral loopback port, with domains `acme.test` and `other.test`.
func withMock<T: Sendable>(
    maximumMessageSize: Int = 25 * 1_024 * 1_024,
    _ body: (MailgunMock, MockClient) async throws -> T
) async throws -> T {
    let configuration = MailgunMock.Configuration(apiKeys: ["key-test", "key-second"], domains: ["acme.test", "other.test"], maximumMessageSize: maximumMessageSize)
    return try await MailgunMock.withRunning(configuration) { mock in
        try await body(mock, MockClient(baseURL: mock.baseURL, apiKey: "key-test"))
    }
}
