/// Where the preview is mounted and how it watches for new messages.
///
/// Not nested in ``PreviewController``, which is generic over its request context: one
/// configuration serves every context, as Hummingbird's `ApplicationConfiguration` does.
public struct PreviewConfiguration: Sendable {
    /// The path the pages are mounted at, without a trailing slash: `""` for a server of its own
    /// (`mailroom preview`), `/_mailroom` inside a host app. Every link the pages write starts with it.
    public var basePath: String
    /// How often the live-update stream looks for new messages. Default 1 second.
    public var pollInterval: Duration
    /// How often the live-update stream writes a comment when nothing happens, so that proxies
    /// keep it open and a closed page is noticed. Default 15 seconds.
    public var keepAliveInterval: Duration
    /// A title for the pages' header. Default `Mailroom`.
    public var title: String

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - basePath: `""` or a path such as `/_mailroom`; a trailing `/` is dropped.
    ///   - pollInterval: Default 1 second.
    ///   - keepAliveInterval: Default 15 seconds.
    ///   - title: Default `Mailroom`.
    public init(basePath: String = "", pollInterval: Duration = .seconds(1), keepAliveInterval: Duration = .seconds(15), title: String = "Mailroom") {
        var path = basePath
        while path.hasSuffix("/") { path.removeLast() }
        if !path.isEmpty, !path.hasPrefix("/") { path = "/" + path }
        self.basePath = path
        self.pollInterval = pollInterval
        self.keepAliveInterval = keepAliveInterval
        self.title = title
    }
}
