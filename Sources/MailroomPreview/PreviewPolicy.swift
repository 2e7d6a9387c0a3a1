/// The Content-Security-Policies the preview answers with.
enum PreviewPolicy {
    /// The preview's own pages: its script and style only, frames of its own, requests to itself.
    static let page = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "frame-src 'self'",
        "connect-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'self'",
    ].joined(separator: "; ")

    /// A message's HTML in its frame: no script of any kind, no plugin, no form, no frame, no font
    /// or stylesheet from elsewhere; images only from `data:` URLs (its inline images) unless the
    /// reader asked for remote images. `sandbox` repeats the frame's sandbox for a document opened
    /// on its own.
    static func framedMessage(remoteImages: Bool) -> String {
        [
            "default-src 'none'", "img-src data:\(remoteImages ? " http: https:" : "")", "style-src 'unsafe-inline'", "font-src data:",
            "form-action 'none'", "base-uri 'none'", "frame-ancestors 'self'", "sandbox",
        ].joined(separator: "; ")
    }
}
