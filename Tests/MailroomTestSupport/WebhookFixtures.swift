public import Foundation

/// Webhook payloads shaped like Mailgun's real captures (`Tests/Fixtures/webhooks`), signed with
/// an independent implementation: Python's `hmac`.
public enum WebhookFixtures {
    /// The fixtures folder.
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/webhooks")

    /// The JSON fixtures' names, without `.json`.
    public static var jsonNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The `event-data` object of a JSON fixture, as text.
    public static func eventData(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(name).json"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The legacy form fields of a `.form` fixture, URL-encoded, without the signature fields.
    public static func legacyForm(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(name).form"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The hex HMAC-SHA256 of `timestamp + token` under `key`, computed by Python's `hmac`.
    public static func pythonSignature(key: String, timestamp: String, token: String) async throws -> String {
        let script = "import hmac, hashlib, sys; print(hmac.new(sys.argv[1].encode(), (sys.argv[2] + sys.argv[3]).encode(), hashlib.sha256).hexdigest())"
        return try await Executable.run("python3", ["-c", script, key, timestamp, token]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A JSON webhook body: the fixture's `event-data` under a Python-computed signature.
    public static func signedJSON(_ name: String, key: String, timestamp: String, token: String = randomToken()) async throws -> Data {
        let signature = try await pythonSignature(key: key, timestamp: timestamp, token: token)
        return Data(#"{"signature":{"timestamp":"\#(timestamp)","token":"\#(token)","signature":"\#(signature)"},"event-data":\#(try eventData(name))}"#.utf8)
    }

    /// A legacy form body: the fixture's fields and the signature fields, URL-encoded.
    public static func signedForm(_ name: String, key: String, timestamp: String, token: String = randomToken()) async throws -> Data {
        let signature = try await pythonSignature(key: key, timestamp: timestamp, token: token)
        return Data("\(try legacyForm(name))&timestamp=\(timestamp)&token=\(token)&signature=\(signature)".utf8)
    }

    /// 50 random characters, as Mailgun's tokens.
    public static func randomToken() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<50).map { _ in alphabet.randomElement() ?? "a" })
    }
}
