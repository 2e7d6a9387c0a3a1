/// Public because `Hummingbird` types appear in this file's public API.
public import Hummingbird
import Logging
import Mailroom
import NIOCore

/// Who may see the preview: `mailroom preview`'s guard, usable in a host app too.
///
/// - On loopback (`token` nil), a request must name a loopback host (`127.0.0.1`, `[::1]`,
///   `localhost`) in its `Host` header: a page elsewhere cannot reach the preview through a DNS
///   name that points at 127.0.0.1 (DNS rebinding).
/// - With a token (for `--allow-remote`), every request must carry it: `Authorization: Bearer
///   TOKEN`, or the cookie set when the URL with `?token=TOKEN` was first opened (that answer
///   redirects to the same URL without the token, so that it leaves the address bar and history).
///
/// The token is compared in constant time and never logged or echoed.
public struct PreviewAccessMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The query parameter that carries the token on first visit; the preview's query ignores it.
    static var ignoredParameters: Set<String> { ["token"] }
    private static var cookieName: String { "mailroom-preview-token" }

    private let token: [UInt8]?
    private let cookiePath: String

    /// Creates the guard for loopback only: requests must name a loopback host.
    public init() {
        self.token = nil
        self.cookiePath = "/"
    }

    /// Creates the guard.
    ///
    /// - Parameters:
    ///   - token: The secret every request must carry, or `nil` to accept loopback hosts only.
    ///   - basePath: The preview's mount path, which scopes the cookie.
    /// - Throws: `MailroomError.Code.invalidValue` naming `token` when it is shorter than 16
    ///   characters or holds anything but letters, digits, `-`, `_` and `.`.
    public init(token: String?, basePath: String = "") throws {
        if let token {
            guard token.count >= 16, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw MailroomError.invalidValue(field: "token", "must be at least 16 letters, digits, '-', '_' or '.'")
            }
        }
        self.token = token.map { Array($0.utf8) }
        self.cookiePath = basePath.isEmpty ? "/" : basePath
    }

    /// Answers 403 for a foreign host on loopback, 401 without the token; otherwise runs the route.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else {
            guard Self.isLoopback(host: request.head.authority ?? "") else {
                context.logger.info("preview refused a request for another host")
                return Self.refusal(.forbidden, "the preview answers requests for 127.0.0.1, [::1] or localhost only")
            }
            return try await next(request, context)
        }
        if let bearer = request.headers[.authorization], bearer.hasPrefix("Bearer "), Self.equal(Array(bearer.dropFirst(7).utf8), token) {
            return try await next(request, context)
        }
        if let cookie = request.cookies[Self.cookieName], Self.equal(Array(cookie.value.utf8), token) {
            return try await next(request, context)
        }
        if let given = request.uri.queryParameters["token"], Self.equal(Array(given.utf8), token) {
            var response = Response(status: .seeOther, headers: [.location: Self.pathWithoutToken(path: request.uri.path, query: request.uri.query)])
            response.setCookie(Cookie(name: Self.cookieName, value: String(decoding: token, as: UTF8.self), path: cookiePath, httpOnly: true, sameSite: .strict))
            return response
        }
        context.logger.info("preview refused a request without its token")
        return Self.refusal(.unauthorized, "this preview needs its token: open the URL that `mailroom preview` printed")
    }

    /// Whether `authority` (a host, with or without a port; IPv6 in brackets) names this machine's
    /// loopback interface: `localhost`, `[::1]` or an address in 127.0.0.0/8.
    ///
    /// - Parameter authority: E.g. `127.0.0.1:8025`, `[::1]:8025` or `localhost`.
    public static func isLoopback(host authority: String) -> Bool {
        var host = authority.lowercased()
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
            && host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }

    private static func pathWithoutToken(path: String, query: String?) -> String {
        let kept = (query ?? "").split(separator: "&").filter { !$0.hasPrefix("token=") && $0 != "token" }
        return path + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    /// Compares in time that depends on the lengths only. Hand-written: swift-crypto keeps its
    /// constant-time comparison internal.
    private static func equal(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= given[index] ^ expected[index] }
        return difference == 0
    }

    private static func refusal(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: PreviewController<Context>.commonHeaders(type: "text/plain; charset=utf-8"), body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
