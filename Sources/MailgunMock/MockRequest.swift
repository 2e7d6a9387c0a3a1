/// One API request the mock answered, as its request log shows it (`GET /mock/requests`).
public struct MockRequest: Sendable, Hashable, Codable {
    /// The HTTP method.
    public var method: String
    /// The path, without the query.
    public var path: String
    /// The status answered.
    public var status: Int

    /// Whether the request used one of the suppression endpoints (unsubscribes, bounces, complaints).
    public var isSuppressionRequest: Bool {
        let segments = path.split(separator: "/")
        return segments.count >= 3 && segments[0] == "v3" && ["unsubscribes", "bounces", "complaints"].contains(segments[2])
    }
}
